/** Periodic and heartbeat Informs carry no news by themselves; others go to the device history. */
const ROUTINE_EVENTS = new Set(['2 PERIODIC', '14 HEARTBEAT']);

/**
 * Events a CPE does not report again after a failed session (TR-069 event
 * table: a connection request is not retried): nothing is lost by recording
 * them with the session's commit instead of before the InformResponse.
 */
const UNREPEATED_EVENTS = new Set([...ROUTINE_EVENTS, '6 CONNECTION REQUEST']);

export function isRoutine(events: { EventCode: string }[]): boolean {
  return events.every((e) => isRoutineCode(e.EventCode));
}

export function isRoutineCode(code: string): boolean {
  return ROUTINE_EVENTS.has(code);
}

export function isUnrepeated(events: { EventCode: string }[]): boolean {
  return events.every((e) => UNREPEATED_EVENTS.has(e.EventCode));
}
