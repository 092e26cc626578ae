/** Periodic and heartbeat Informs carry no news by themselves; others go to the device history. */
const ROUTINE_EVENTS = new Set(['2 PERIODIC', '14 HEARTBEAT']);

export function isRoutine(events: { EventCode: string }[]): boolean {
  return events.every((e) => ROUTINE_EVENTS.has(e.EventCode));
}
