/**
 * The device's event history, newest first, from GET /devices/:id: its
 * `history` (the last 50 Informs with news, the CPE's own requests such as
 * TransferComplete, sessions that timed out) and its `pendingEvents` (events
 * whose provisioning has not run yet, with their CommandKeys). Informs with
 * only "2 PERIODIC" or "14 HEARTBEAT" are not kept there (such a session
 * stores just its time: the device's Last inform).
 */
import { useState } from 'preact/hooks';
import type { HistoryEntry, PendingEvent } from '../../db/types';
import { ago, exact } from '../lib/format';
import '../device-diagnostics.css';

const SHOWN = 15;

interface Row {
  key: string;
  time: number;
  what: string;
  codes: string[];
  details: string;
  sessionId: string;
}

const isCodes = (d: unknown): d is string[] => Array.isArray(d) && d.every((c) => typeof c === 'string');

/** A CPE request's or a session end's detail, in a line. */
function detailText(kind: string, detail: unknown): string {
  if (detail === null || typeof detail !== 'object') return detail === undefined || detail === null ? '' : String(detail);
  const d = detail as Record<string, unknown>;
  if (kind === 'TransferComplete') {
    const fault = d.FaultStruct as { FaultCode?: unknown; FaultString?: unknown } | undefined;
    const code = Number(fault?.FaultCode ?? 0);
    const key = d.CommandKey ? `CommandKey ${String(d.CommandKey)}: ` : '';
    return `${key}${code === 0 ? 'transfer succeeded' : `fault ${code} ${String(fault?.FaultString ?? '')}`.trim()}`;
  }
  if (typeof d.unanswered === 'string') return `no answer to ${d.unanswered}`;
  return fieldsText(d);
}

/** TR-069's unknown time (0001-01-01T00:00:00Z): a field that says nothing. */
const UNKNOWN_TIME = /^0001-01-01T00:00:00/;

/** "Status 1 (completes later)", then the other fields as "name value". */
function fieldsText(d: Record<string, unknown>): string {
  const parts = Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && !(typeof v === 'string' && (v === '' || UNKNOWN_TIME.test(v))))
    .map(([k, v]) => (k === 'Status' && v === 1 ? 'Status 1 (completes later)' : `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`));
  return parts.join(', ');
}

/** The CommandKeys of the Inform's events still pending (the history keeps only the codes). */
function commandKeys(entry: HistoryEntry, pending: PendingEvent[]): string {
  const keys = pending.filter((p) => p.sessionId === entry.sessionId && p.commandKey !== '').map((p) => `${p.code}: ${p.commandKey}`);
  return keys.length === 0 ? '' : `CommandKey ${keys.join(', ')}`;
}

function rowOf(entry: HistoryEntry, i: number, pending: PendingEvent[]): Row {
  const base = { key: `${entry.sessionId}-${entry.time}-${i}`, time: entry.time, sessionId: entry.sessionId };
  if (entry.kind === 'inform' && isCodes(entry.detail)) return { ...base, what: 'Inform', codes: entry.detail, details: commandKeys(entry, pending) };
  const what = entry.kind.startsWith('session-') ? `Session ${entry.kind.slice('session-'.length)}` : entry.kind;
  return { ...base, what, codes: [], details: detailText(entry.kind, entry.detail) };
}

export function rowsOf(history: HistoryEntry[], pending: PendingEvent[]): Row[] {
  return history.map((e, i) => rowOf(e, i, pending)).sort((a, b) => b.time - a.time);
}

export function DeviceEvents(props: { history: HistoryEntry[]; pendingEvents: PendingEvent[] }) {
  const [all, setAll] = useState(false);
  const rows = rowsOf(props.history, props.pendingEvents);
  const shown = all ? rows : rows.slice(0, SHOWN);
  return (
    <div class="events">
      {rows.length === 0 ? (
        <p class="none">No events kept yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="list" aria-label="Event history">
            <thead>
              <tr><th>Time</th><th>What</th><th>Events</th><th>Details</th><th>Session</th></tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.key}>
                  <td class="when" title={exact(r.time)}>{ago(r.time)}</td>
                  <td>{r.what}</td>
                  <td>
                    {r.codes.length > 0 && <ul class="codes">{r.codes.map((c) => <li key={c}>{c}</li>)}</ul>}
                  </td>
                  <td>{r.details}</td>
                  <td><code title={r.sessionId}>{r.sessionId.slice(-8)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > SHOWN && (
        <button type="button" class="small" onClick={() => setAll(!all)}>{all ? `Show the newest ${SHOWN}` : `Show all ${rows.length}`}</button>
      )}
      {props.pendingEvents.length > 0 && <p class="hint">{props.pendingEvents.length} event(s) waiting for provisioning: {props.pendingEvents.map((e) => e.code).join(', ')}.</p>}
      <p class="hint">Informs with only 2 PERIODIC or 14 HEARTBEAT are not kept here: the latest is the Last inform above.</p>
    </div>
  );
}
