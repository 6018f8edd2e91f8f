/** The ranges a device's history charts offer; anything else asked for is the default hour. */
export const RANGES = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
} as const;
export type RangeName = keyof typeof RANGES;

export const DEFAULT_RANGE: RangeName = "1h";
export const rangeOf = (v: unknown): RangeName =>
  typeof v === "string" && Object.hasOwn(RANGES, v) ? (v as RangeName) : DEFAULT_RANGE;
