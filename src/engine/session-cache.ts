/**
 * A worker's memory of the sessions it planned: the device's cached rows with
 * the session's log applied so far, so the next step of the same session only
 * applies what is new. Any worker can take any step: a miss rebuilds from the
 * store and the whole log.
 */
import type { SessionLogEntry, SessionState } from '../cwmp/session/state';
import type { DeviceStore } from '../db/types';
import { MemoryTable } from './memory-table';
import type { StoredDevice } from './step';

interface Entry {
  table: MemoryTable;
  /** Log entries already applied to `table`. */
  applied: number;
  stored: StoredDevice;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: DeviceStore, private readonly capacity = 500) {}

  /** The session's table, brought up to date with its log. */
  async get(state: SessionState, log: SessionLogEntry[]): Promise<Entry> {
    let entry = this.entries.get(state.id);
    if (entry && entry.applied > log.length) entry = undefined; // not the log we saw: rebuild
    if (entry) this.entries.delete(state.id); // re-inserted below: most recently used last
    entry ??= await this.load(state);
    for (const e of log.slice(entry.applied)) if (e.t === 'op') await entry.table.applyOp(e.op);
    entry.applied = log.length;
    this.entries.set(state.id, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  /** After a step: its own log entries are already in the table. */
  advance(sid: string, entries: number): void {
    const entry = this.entries.get(sid);
    if (entry) entry.applied += entries;
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }

  private async load(state: SessionState): Promise<Entry> {
    // A BOOTSTRAP empties the stored model at commit: plan from an empty one too.
    const bootstrap = state.inform.events.some((e) => e.EventCode === '0 BOOTSTRAP');
    const [rows, channelFaults, tags] = await Promise.all([
      bootstrap ? [] : this.store.getParameters(state.deviceKey),
      this.store.getChannelFaults(state.deviceKey),
      this.store.getTags(state.deviceKey),
    ]);
    const table = new MemoryTable(rows);
    await table.applyInform(state.inform);
    return { table, applied: 0, stored: { channelFaults, tags } };
  }
}
