/**
 * Failed logins per client address: after `maxFailures` within `windowMs`, that address may not try
 * again until the oldest failure leaves the window. A success clears its record. Addresses are
 * bounded (`capacity`, oldest forgotten first) so a flood of addresses cannot grow memory.
 */
import { type Clock, systemClock } from "@iot/common/clock";

export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  capacity?: number;
  clock?: Pick<Clock, "now">;
}

export function createLoginLimiter({
  maxFailures,
  windowMs,
  capacity = 10_000,
  clock = systemClock,
}: LoginLimiterOptions) {
  const failures = new Map<string, number[]>();
  const recent = (address: string, now: number) => (failures.get(address) ?? []).filter((t) => now - t < windowMs);
  return {
    /** Seconds until `address` may try again; 0 when it may now. */
    retryAfterSeconds(address: string): number {
      const now = clock.now();
      const times = recent(address, now);
      return times.length < maxFailures ? 0 : Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000));
    },
    failed(address: string): void {
      const now = clock.now();
      const times = recent(address, now);
      times.push(now);
      failures.delete(address); // re-inserted last: the map's order is least recently failed first
      failures.set(address, times);
      while (failures.size > capacity) failures.delete(failures.keys().next().value!);
    },
    succeeded(address: string): void {
      failures.delete(address);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
