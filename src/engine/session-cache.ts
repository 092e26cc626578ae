/**
 * A worker's memory of the sessions it plans: the parts of the device's
 * cached model the session looked at (loaded lazily, by prefix), with the
 * session's log applied, so the next step of the same session only applies
 * what is new. Any worker can take any step: a miss rebuilds from the store
 * and the whole log.
 */
import type { SessionLogEntry, SessionState } from '../cwmp/session/state';
import type { CachedParameter, DeviceStore } from '../db/types';
import { ACTION_PREFIXES } from '../model/action-records';
import { MemoryTable } from './memory-table';
import { covered } from './prefixes';
import type { StoredDevice } from './step';

export interface CachedSession {
  table: MemoryTable;
  stored: StoredDevice;
  /** Makes sure rows under `prefixes` are loaded; true when the table was rebuilt (scripts must run again). */
  ensure(prefixes: string[], pending: readonly SessionLogEntry[]): Promise<boolean>;
}

interface Entry {
  state: SessionState;
  table: MemoryTable;
  stored: StoredDevice;
  /** Stored rows loaded so far, and the prefixes they cover. */
  base: Map<string, CachedParameter>;
  loaded: string[];
  /** The session log as last seen, and how much of it is applied to `table`. */
  log: SessionLogEntry[];
  applied: number;
  usedAt: number;
}

/** A device created by this session's Inform has nothing stored but what the Inform said: nothing to read. */
function newDevice(state: SessionState): StoredDevice {
  const events = new Set(state.inform.events.map((e) => e.EventCode));
  const at = (code: string) => (events.has(code) ? state.inform.time : null);
  return { tags: [], channelFaults: [], lastBoot: at('1 BOOT'), lastBootstrap: at('0 BOOTSTRAP'), firstInform: state.inform.time };
}

/** An entry unused this long belongs to a session that ended elsewhere (timed out, another worker): dropped. */
const IDLE_MS = 5 * 60_000;

export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: DeviceStore, private readonly capacity = 128) {}

  /** The session's table, brought up to date with its log. */
  async get(state: SessionState, log: SessionLogEntry[]): Promise<CachedSession> {
    let entry = this.entries.get(state.id);
    if (entry && entry.applied > log.length) entry = undefined; // not the log we saw: rebuild
    if (entry) this.entries.delete(state.id); // re-inserted below: most recently used last
    entry ??= await this.open(state);
    entry.state = state;
    entry.log = log;
    entry.usedAt = Date.now();
    for (const e of log.slice(entry.applied)) if (e.t === 'op') await entry.table.applyOp(e.op);
    entry.applied = log.length;
    this.entries.set(state.id, entry);
    // Least recently used first: drop past the capacity, and entries idle too long.
    for (const [sid, e] of this.entries) {
      if (this.entries.size <= this.capacity && e.usedAt > Date.now() - IDLE_MS) break;
      this.entries.delete(sid);
    }
    const e = entry;
    return { table: e.table, stored: e.stored, ensure: (prefixes, pending) => this.ensure(e, prefixes, pending) };
  }

  /** After a step: the table holds the first `applied` entries of the session log (the step's own included). */
  settle(sid: string, applied: number): void {
    const entry = this.entries.get(sid);
    if (entry) entry.applied = applied;
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }

  private async open(state: SessionState): Promise<Entry> {
    const table = new MemoryTable();
    await table.applyInform(state.inform);
    const stored = state.model === 'new' ? newDevice(state) : await this.store.getProvisioningFacts(state.deviceKey);
    const entry: Entry = { state, table, stored, base: new Map(), loaded: [], log: [], applied: 0, usedAt: Date.now() };
    // A bootstrapped device has no stored model but the records of actions (they outlive a BOOTSTRAP).
    if (state.model === 'cleared') await this.ensure(entry, [...ACTION_PREFIXES], []);
    if (state.model !== 'stored') entry.loaded = [''];
    return entry;
  }

  private async ensure(entry: Entry, prefixes: string[], pending: readonly SessionLogEntry[]): Promise<boolean> {
    const missing = [...new Set(prefixes)].filter((p) => !covered(entry.loaded, p));
    if (missing.length === 0) return false;
    for (const row of await this.store.getParametersUnder(entry.state.deviceKey, missing)) entry.base.set(row.path, row);
    entry.loaded.push(...missing);
    // The stored rows go under what the session learnt: replay the Inform and the log on top of them.
    entry.table.reset(entry.base.values());
    await entry.table.applyInform(entry.state.inform);
    for (const e of [...entry.log.slice(0, entry.applied), ...pending]) if (e.t === 'op') await entry.table.applyOp(e.op);
    return true;
  }
}
