/**
 * The device type of an event: its own `device_type` when that is a valid id, else the registered
 * type whose declared groups best cover the event's measurement groups (or, for trends, the
 * groups its metric names start with). Ties and no overlap give "unknown".
 */
import { DEVICE_TYPE_ID } from "@iot/common/device-registry";
import type { DeviceEvent } from "@iot/common/telemetry";
import type { Profiles } from "./device-profile";

export const UNKNOWN_DEVICE_TYPE = "unknown";

export function detectDeviceType(e: DeviceEvent, profiles: Profiles): string {
  if (DEVICE_TYPE_ID.test(e.device_type)) return e.device_type;
  const groups = e.event_type === "telemetry" ? Object.keys(e.measurements) : e.trends.map((p) => p.c);
  let best = UNKNOWN_DEVICE_TYPE;
  let bestScore = 0;
  let tie = false;
  for (const [id, profile] of profiles) {
    const score = groups.filter((g) => profile.groups.some((d) => g === d || g.startsWith(`${d}_`))).length;
    if (score > bestScore) [best, bestScore, tie] = [id, score, false];
    else if (score === bestScore && score > 0) tie = true;
  }
  return tie ? UNKNOWN_DEVICE_TYPE : best;
}
