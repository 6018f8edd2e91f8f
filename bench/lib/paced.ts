/**
 * A paced producer's loop: `send(from, count)` is asked for the records due since the start at `rate`
 * a second (`from` counts every record asked for before), until `seconds` have passed. Sends are awaited
 * one at a time, so a producer that falls behind sends more at once rather than overlapping.
 */
export async function paced(
  rate: number,
  seconds: number,
  send: (from: number, count: number) => Promise<unknown>,
  /** Called on every turn with the seconds since the start (for a timeline). */
  tick?: (elapsedS: number) => void,
): Promise<{ sent: number; elapsedS: number }> {
  const t0 = Date.now();
  let sent = 0;
  for (let now = t0; now < t0 + seconds * 1000; now = Date.now()) {
    tick?.((now - t0) / 1000);
    const due = Math.floor((rate * (now - t0)) / 1000) - sent;
    if (due <= 0) {
      await Bun.sleep(5);
      continue;
    }
    await send(sent, due);
    sent += due;
  }
  return { sent, elapsedS: (Date.now() - t0) / 1000 };
}

/** `count` records of `pool` from the `from`-th on, wrapping around. */
export const cycle = <T>(pool: readonly T[], from: number, count: number): T[] =>
  Array.from({ length: count }, (_, i) => pool[(from + i) % pool.length]!);
