/**
 * Batched access to one device's rows of device_parameters inside a commit
 * transaction. Remembers every row it has read or written (and every path it
 * knows to be absent), so successive cache ops touching the same paths do not
 * read them again. Writes and deletes are held until `flush()`: a session's
 * dozen cache ops become one DELETE and a few multi-row INSERTs.
 */
import type { CachedParameter, ValueChange } from './types';
import type { Kind } from './paths';
import { prefixCondition } from './paths';
import { chunks, placeholders, type Db, type Row, type Statement } from './sql';

/** Rows per IN list / multi-row INSERT: 500 x 11 values stays far below both drivers' limits. */
const BATCH = 500;

const COLUMNS = [
  'device_id', 'path', 'kind', 'value', 'type', 'writable', 'notification',
  'access_list', 'value_time', 'names_time', 'attributes_time',
] as const;

const UPDATED = COLUMNS.slice(2);
const SELECT_LIST = COLUMNS.slice(1).join(', ');

export class ParamTable {
  /** path -> row as now in the database (inside this transaction), or null if known absent. */
  private readonly known = new Map<string, CachedParameter | null>();
  /** Held until flush(): rows to upsert, paths to delete. */
  private readonly pending = new Map<string, CachedParameter>();
  private readonly pendingDeletes = new Set<string>();
  written = 0;
  deleted = 0;
  /** Leaf values this commit changed (rows that existed before): path -> the value before and after. */
  private readonly changes = new Map<string, { old: string | null; value: string | null; type: string | null }>();
  /** The device has no rows at all (new device, or its model was just cleared): nothing to read. */
  private empty = false;

  constructor(private readonly db: Db, private readonly deviceId: number) {}

  /**
   * The read of `paths` (the first BATCH of them) by device key, for a caller
   * that sends it before it knows the device id (with the device row's lock);
   * what it read goes to `preloaded`.
   */
  static readByKey(deviceKey: string, paths: string[]): Statement {
    const batch = paths.slice(0, BATCH);
    const sql = `SELECT ${SELECT_LIST} FROM device_parameters
      WHERE device_id = (SELECT id FROM devices WHERE device_key = ?) AND path IN ${placeholders(batch.length)}`;
    return { sql, params: [deviceKey, ...batch] };
  }

  /** The rows readByKey(…, paths) read: those paths are known now, present or absent. */
  preloaded(paths: string[], rows: Row[]): void {
    paths.slice(0, BATCH).forEach((p) => this.known.set(p, null));
    rows.map(rowToParameter).forEach((r) => this.known.set(r.path, r));
  }

  /** The current rows of `paths` (absent paths are missing from the map). */
  async load(paths: string[]): Promise<Map<string, CachedParameter>> {
    const missing = [...new Set(paths)].filter((p) => !this.known.has(p));
    if (this.empty) missing.length = 0;
    for (const batch of chunks(missing, BATCH)) {
      batch.forEach((p) => this.known.set(p, null));
      const sql = `SELECT ${SELECT_LIST} FROM device_parameters WHERE device_id = ? AND path IN ${placeholders(batch.length)}`;
      const rows = await this.db.select(sql, [this.deviceId, ...batch]);
      rows.map(rowToParameter).forEach((r) => this.known.set(r.path, r));
    }
    const out = new Map<string, CachedParameter>();
    for (const p of paths) {
      const row = this.known.get(p);
      if (row) out.set(p, row);
    }
    return out;
  }

  /** Every row whose path starts with `prefix` (one range scan of the primary key), as changed by this commit so far. */
  async loadPrefix(prefix: string): Promise<CachedParameter[]> {
    let rows: CachedParameter[] = [];
    if (!this.empty) {
      const cond = prefixCondition(prefix);
      const sql = `SELECT ${SELECT_LIST} FROM device_parameters WHERE device_id = ? AND ${cond.sql} ORDER BY path`;
      rows = (await this.db.select(sql, [this.deviceId, ...cond.params])).map(rowToParameter);
      rows.forEach((r) => this.known.set(r.path, this.pending.get(r.path) ?? (this.pendingDeletes.has(r.path) ? null : r)));
    }
    return this.overlay(prefix, rows);
  }

  /** Just the paths starting with `prefix`: for listings that only need to know what exists. */
  async listPrefix(prefix: string): Promise<string[]> {
    let paths: string[] = [];
    if (!this.empty) {
      const cond = prefixCondition(prefix);
      const sql = `SELECT path FROM device_parameters WHERE device_id = ? AND ${cond.sql}`;
      paths = (await this.db.select(sql, [this.deviceId, ...cond.params])).map((r) => String(r.path));
    }
    const rows = paths.map((path) => ({ path }) as CachedParameter);
    return this.overlay(prefix, rows).map((r) => r.path);
  }

  /** Upserts full rows (held until flush). */
  async write(rows: CachedParameter[]): Promise<void> {
    for (const r of rows) {
      const before = this.known.get(r.path);
      if (before && before.kind === 'leaf' && r.kind === 'leaf') {
        const first = this.changes.get(r.path);
        this.changes.set(r.path, { old: first ? first.old : before.value, value: r.value, type: r.type });
      }
      this.known.set(r.path, r);
      this.pending.set(r.path, r);
      this.pendingDeletes.delete(r.path);
    }
  }

  /** Deletes rows (held until flush). */
  async deletePaths(paths: string[]): Promise<void> {
    for (const p of paths) {
      this.known.set(p, null);
      this.pending.delete(p);
      this.pendingDeletes.add(p);
    }
  }

  /** Deletes `prefix` and everything under it ("" = the whole model), now; held writes under it are dropped. */
  async deletePrefix(prefix: string): Promise<void> {
    const cond = prefixCondition(prefix);
    const sql = `DELETE FROM device_parameters WHERE device_id = ? AND ${cond.sql}`;
    this.deleted += (await this.db.run(sql, [this.deviceId, ...cond.params])).affected;
    for (const p of this.known.keys()) if (p.startsWith(prefix)) this.known.set(p, null);
    for (const p of [...this.pending.keys()]) if (p.startsWith(prefix)) this.pending.delete(p);
    for (const p of [...this.pendingDeletes]) if (p.startsWith(prefix)) this.pendingDeletes.delete(p);
    if (prefix === '') this.assumeEmpty();
  }

  /** Writes what the commit held: one DELETE per 500 paths, one multi-row INSERT per 500 rows (the last one deferred). */
  async flush(): Promise<void> {
    for (const batch of chunks([...this.pendingDeletes], BATCH)) {
      const sql = `DELETE FROM device_parameters WHERE device_id = ? AND path IN ${placeholders(batch.length)}`;
      this.deleted += (await this.db.run(sql, [this.deviceId, ...batch])).affected;
    }
    const batches = chunks([...this.pending.values()], BATCH);
    for (const [i, batch] of batches.entries()) {
      const values = batch.flatMap((r) => parameterToValues(this.deviceId, r));
      const tuples = batch.map(() => placeholders(COLUMNS.length)).join(',');
      const sql = `INSERT INTO device_parameters (${COLUMNS.join(', ')}) VALUES ${tuples} ${this.onConflict()}`;
      // The last batch goes with the commit's next statement; one batch at most rides along, so no packet outgrows one INSERT.
      if (i === batches.length - 1) this.db.later(sql, values);
      else await this.db.run(sql, values);
      this.written += batch.length;
    }
    this.pending.clear();
    this.pendingDeletes.clear();
  }

  /** The leaf values this commit changed, as written (a value set back to what it was is no change). */
  valueChanges(): ValueChange[] {
    return [...this.changes].filter(([, c]) => c.old !== c.value).map(([path, c]) => ({ path, ...c }));
  }

  /** Rows read from the database under `prefix`, with this commit's held writes and deletes applied. */
  private overlay(prefix: string, rows: CachedParameter[]): CachedParameter[] {
    const out = new Map<string, CachedParameter>();
    for (const r of rows) if (!this.pendingDeletes.has(r.path)) out.set(r.path, this.pending.get(r.path) ?? r);
    for (const [path, r] of this.pending) if (path.startsWith(prefix)) out.set(path, r);
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Declares the device rowless (just created): later loads answer "absent" without a query. */
  assumeEmpty(): void {
    this.known.clear();
    this.empty = true;
  }

  private onConflict(): string {
    if (this.db.driver === 'mysql') {
      // VALUES(col), not the 8.0.19 row alias: MariaDB only knows the former.
      return `ON DUPLICATE KEY UPDATE ${UPDATED.map((c) => `${c} = VALUES(${c})`).join(', ')}`;
    }
    return `ON CONFLICT (device_id, path) DO UPDATE SET ${UPDATED.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  }
}

function parameterToValues(deviceId: number, r: CachedParameter): unknown[] {
  return [
    deviceId, r.path, r.kind, r.value, r.type,
    r.writable === null ? null : Number(r.writable),
    r.notification,
    r.accessList === null ? null : r.accessList.join(','),
    r.valueTime, r.namesTime, r.attributesTime,
  ];
}

export function rowToParameter(row: Row): CachedParameter {
  const accessList = row.access_list as string | null;
  return {
    path: String(row.path),
    kind: row.kind as Kind,
    value: row.value === null ? null : String(row.value),
    type: (row.type ?? null) as CachedParameter['type'],
    writable: row.writable === null ? null : Number(row.writable) !== 0,
    notification: (row.notification === null ? null : Number(row.notification)) as CachedParameter['notification'],
    accessList: accessList === null ? null : accessList.split(',').filter((s) => s !== ''),
    valueTime: numOrNull(row.value_time),
    namesTime: numOrNull(row.names_time),
    attributesTime: numOrNull(row.attributes_time),
  };
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export { SELECT_LIST as PARAMETER_COLUMNS };
