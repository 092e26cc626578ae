/**
 * Acting on many devices from the device list: the selection (devices ticked
 * one by one, or every device the search matches), and running one REST call
 * per device over it with a few in flight, counting what succeeded and what
 * failed. "Every device the search matches" is walked a page at a time by the
 * API's cursor: the browser holds one page of ids, never the list.
 */
import { api, encodeId, withQuery } from './api';
import { messageOf } from './use-load';

export type Selection =
  | { kind: 'some'; keys: ReadonlySet<string> }
  /** Every device matching `q` ('' for every device) when the operator acts. */
  | { kind: 'all'; q: string };

export const NOTHING: Selection = { kind: 'some', keys: new Set() };

export const isEmpty = (s: Selection): boolean => s.kind === 'some' && s.keys.size === 0;

export interface Outcome {
  ok: number;
  failed: number;
  /** The first failures, as "device: message". */
  errors: string[];
  /** The operator stopped it before every device was done. */
  cancelled: boolean;
}

export interface Progress {
  done: number;
  failed: number;
}

const IN_FLIGHT = 4;
const WALK_PAGE = 1000;
const ERRORS_KEPT = 5;

/** The selection's device ids, a page at a time (one page when ticked by hand). */
async function* pagesOf(selection: Selection, signal: AbortSignal): AsyncGenerator<string[]> {
  if (selection.kind === 'some') {
    yield [...selection.keys];
    return;
  }
  let cursor: string | undefined;
  do {
    const path = withQuery('/devices', { q: selection.q || undefined, limit: WALK_PAGE, cursor });
    const r = await api<{ deviceKey: string }[]>('GET', path);
    yield r.data.map((d) => d.deviceKey);
    cursor = r.headers.get('X-Next-Cursor') ?? undefined;
  } while (cursor !== undefined && !signal.aborted);
}

/** Runs `act` on each device of the selection, IN_FLIGHT at a time; `progress` hears the counts as they grow. */
export async function forEachDevice(
  selection: Selection,
  act: (deviceKey: string) => Promise<unknown>,
  progress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<Outcome> {
  const out: Outcome = { ok: 0, failed: 0, errors: [], cancelled: false };
  const one = async (key: string) => {
    try {
      await act(key);
      out.ok++;
    } catch (err) {
      out.failed++;
      if (out.errors.length < ERRORS_KEPT) out.errors.push(`${key}: ${messageOf(err)}`);
    }
    progress({ done: out.ok + out.failed, failed: out.failed });
  };
  for await (const page of pagesOf(selection, signal)) {
    for (let i = 0; i < page.length && !signal.aborted; i += IN_FLIGHT) await Promise.all(page.slice(i, i + IN_FLIGHT).map(one));
  }
  out.cancelled = signal.aborted;
  return out;
}

/** Tags or untags the selection: every matching device in one request (POST/DELETE /tags/:tag?q=), else one device at a time. */
export async function tagSelection(selection: Selection, tag: string, add: boolean, progress: (p: Progress) => void, signal: AbortSignal): Promise<Outcome> {
  const method = add ? 'POST' : 'DELETE';
  if (selection.kind === 'all') {
    // The bulk route asks for a search; TRUE is every device.
    const r = await api<{ matched: number; changed: number }>(method, withQuery(`/tags/${encodeURIComponent(tag)}`, { q: selection.q || 'TRUE' }));
    return { ok: r.data.matched, failed: 0, errors: [], cancelled: false };
  }
  return forEachDevice(selection, (key) => api(method, `/devices/${encodeId(key)}/tags/${encodeURIComponent(tag)}`), progress, signal);
}

/** Queues the task on each device of the selection; with `connect`, each device is asked to connect now. */
export function taskOnSelection(selection: Selection, task: Record<string, unknown>, connect: boolean, progress: (p: Progress) => void, signal: AbortSignal): Promise<Outcome> {
  return forEachDevice(selection, (key) => api('POST', withQuery(`/devices/${encodeId(key)}/tasks`, { connection_request: connect }), task), progress, signal);
}

/** One line for the operator: "3 succeeded, 1 failed", and whether it was stopped. */
export function outcomeText(what: string, o: Outcome): string {
  const stopped = o.cancelled ? ' Stopped before the end.' : '';
  return `${what}: ${o.ok.toLocaleString('en')} succeeded, ${o.failed.toLocaleString('en')} failed.${stopped}`;
}
