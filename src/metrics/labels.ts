/**
 * Label values bounded: what a CPE sends (event codes, fault codes) becomes a
 * label only when it is one of a known, finite set; anything else is grouped,
 * so that a misbehaving CPE cannot make one series per message.
 */

/** TR-069 Amendment 6 Table 7 (Inform event codes). */
const EVENT_CODES = new Set([
  '0 BOOTSTRAP', '1 BOOT', '2 PERIODIC', '3 SCHEDULED', '4 VALUE CHANGE', '5 KICKED', '6 CONNECTION REQUEST',
  '7 TRANSFER COMPLETE', '8 DIAGNOSTICS COMPLETE', '9 REQUEST DOWNLOAD', '10 AUTONOMOUS TRANSFER COMPLETE',
  '11 DU STATE CHANGE COMPLETE', '12 AUTONOMOUS DU STATE CHANGE COMPLETE', '13 WAKEUP', '14 HEARTBEAT',
  'M Reboot', 'M ScheduleInform', 'M Download', 'M ScheduleDownload', 'M Upload', 'M ChangeDUState',
]);

/** An event code as a label: the standard ones as they are, vendor ones ("X …", "M X_…") as "vendor", others "other". */
export function eventLabel(code: string): string {
  if (EVENT_CODES.has(code)) return code;
  return code.startsWith('X ') || code.startsWith('M X_') ? 'vendor' : 'other';
}

/** A CWMP fault code as a label: four digits (TR-069 A.5.1 codes and vendor 9800-9899), else "other". */
export function faultLabel(code: number | string): string {
  const text = String(code);
  return /^\d{4}$/.test(text) ? text : 'other';
}

/** A channel fault code as a label: the engine's own ("script.error", "engine.limit") and "cwmp.<fault>"; others "other". */
export function channelFaultLabel(code: string): string {
  return /^(cwmp\.\d{4}|[a-z]{1,16}\.[a-z]{1,16})$/.test(code) ? code : 'other';
}
