/** Times as the dashboard shows them: always UTC, always saying so. */

const OFFSET = /(?:[Zz]|[+-]\d\d:\d\d)$/;

/** Epoch ms of an RFC 3339 event time; one without an offset is UTC (as the codec reads it). NaN if unreadable. */
export const eventTimeMs = (ts: string): number => Date.parse(OFFSET.test(ts) ? ts : `${ts}Z`);

/** "2025-08-19 17:40:37 UTC", or undefined for an unreadable time. */
export function formatUtc(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** "17:40:37 UTC", for axes. */
export const clockUtc = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;
