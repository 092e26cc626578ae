/** Times as operators read them: "3 min ago", with the exact time in a title. */

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.round((now - ms) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function exact(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString();
}

/** A device that informed in the last ONLINE_MS counts as online (a periodic Inform every few minutes is the norm). */
export const ONLINE_MS = 5 * 60_000;

export function isOnline(lastInform: number | null, intervalS?: number, now = Date.now()): boolean {
  if (lastInform === null) return false;
  // Its own period, with room for a late Inform, when the device says it.
  const window = intervalS !== undefined && intervalS > 0 ? Math.max(intervalS * 1500, ONLINE_MS) : ONLINE_MS;
  return now - lastInform <= window;
}
