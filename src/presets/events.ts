/**
 * Inform event codes a preset can require or exclude (TR-069 Table 7).
 * In a preset file, a leading "-" excludes the event: "-2 PERIODIC".
 * ("!" is not used: an unquoted "!" starts a YAML tag.)
 */

export const STANDARD_EVENTS = [
  '0 BOOTSTRAP',
  '1 BOOT',
  '2 PERIODIC',
  '3 SCHEDULED',
  '4 VALUE CHANGE',
  '5 KICKED',
  '6 CONNECTION REQUEST',
  '7 TRANSFER COMPLETE',
  '8 DIAGNOSTICS COMPLETE',
  '9 REQUEST DOWNLOAD',
  '10 AUTONOMOUS TRANSFER COMPLETE',
  '11 DU STATE CHANGE COMPLETE',
  '12 AUTONOMOUS DU STATE CHANGE COMPLETE',
  '13 WAKEUP',
  '14 HEARTBEAT',
] as const;

/** Methods whose completion the CPE reports as "M <Method>". */
export const METHOD_EVENTS = ['Reboot', 'ScheduleInform', 'Download', 'ScheduleDownload', 'Upload', 'ChangeDUState'] as const;

/** Returns null when `code` is a valid event code, else why not. */
export function checkEventCode(code: string): string | null {
  if ((STANDARD_EVENTS as readonly string[]).includes(code)) return null;
  if (code.length > 64) return `event code '${code}' is longer than 64 characters`;
  if (code.startsWith('M ')) {
    const method = code.slice(2);
    if ((METHOD_EVENTS as readonly string[]).includes(method)) return null;
    if (/^X_[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(method)) return null;
    return `unknown method event '${code}' (expected M ${METHOD_EVENTS.join(', M ')} or M X_<vendor method>)`;
  }
  if (code.startsWith('X ')) {
    if (/^X [0-9A-F]{6} \S.*$/.test(code)) return null;
    return `vendor event '${code}' must be 'X <OUI> <event>' with a 6-hex-digit upper-case OUI`;
  }
  const upper = code.toUpperCase().replace(/\s+/g, ' ').trim();
  const near = STANDARD_EVENTS.find((e) => e === upper || e.slice(e.indexOf(' ') + 1) === upper || e.split(' ')[0] === upper);
  if (near) return `unknown event code '${code}': did you mean '${near}'?`;
  return `unknown event code '${code}' (expected e.g. '0 BOOTSTRAP', '1 BOOT', '2 PERIODIC', 'M Reboot', 'X <OUI> <event>')`;
}

/**
 * Whether a session's events satisfy a preset's: all of `all` present, none
 * of `none`.
 */
export function eventsMatch(want: { all: string[]; none: string[] }, sessionEvents: Iterable<string>): boolean {
  const have = new Set(sessionEvents);
  return want.all.every((e) => have.has(e)) && !want.none.some((e) => have.has(e));
}
