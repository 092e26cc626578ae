/**
 * Device search: which devices match a query, in keyset pages (by device row
 * id, `d.id > last ORDER BY d.id LIMIT n`, or by sort keys: device-order.ts),
 * so 100,000 devices stream without OFFSET. A query is a precondition in the presets' language
 * (src/presets/expression.ts: identity, tags, cached parameters, `*` instance
 * wildcards, LastInform and NOW(), three-valued logic), plus last-Inform
 * bounds given as times (lastInformBefore/After).
 *
 * How: device-query-sql.ts turns the precondition into a SQL pre-filter that
 * keeps every device that may match; each page of candidates is then loaded
 * (identity, the tags and parameters the precondition reads) and checked with
 * the presets' own evaluator (src/presets/lookup.ts), so the result is exactly
 * what a preset with that precondition would match. A page may thus hold fewer
 * than `limit` devices while more follow: continue from `next` until it is null.
 */
import { bindNow, compile, pathsOf, evaluate, type Expression } from '../presets/expression';
import { lookupFrom, type DeviceFacts } from '../presets/lookup';
import { may, pathMatch, sqlOf, type Cond } from './device-query-sql';
import { orderedReads, type KeyValue, type OrderedRead, type Position, type SortKey } from './device-order';
import { boundedSelects, placeholders, type Db, type Row } from './sql';
import { AcsError } from '../errors';
import type { DeviceKey, EpochMs, SqlAccess } from './types';

/** A device search as callers give it. */
export interface DeviceQuery {
  /** A precondition ("DeviceID.ProductClass = \"HG8245\" AND Tags.lab"); absent or "": every device. */
  filter?: string;
  /** Only devices whose last Inform is before this time (never-seen devices, last_inform NULL, are not). */
  lastInformBefore?: EpochMs;
  /** Only devices whose last Inform is at or after this time. */
  lastInformAfter?: EpochMs;
  /** Longest one of the search's SELECTs may run on MySQL/MariaDB (SEARCH_STATEMENT_MS); absent or 0: no bound. */
  statementMs?: number;
}

/** A query checked and compiled once, run for many pages. */
export interface CompiledDeviceQuery {
  query: DeviceQuery;
  expr: Expression | null;
  /** The WHERE condition over `devices d` (without the keyset bound). */
  where: { sql: string; params: unknown[] };
  paramPaths: string[];
  tagNames: string[];
}

export type CompileQueryResult =
  | { ok: true; compiled: CompiledDeviceQuery }
  /** `field` names the part of the query at fault; `column` is 1-based in filter. */
  | { ok: false; field: 'filter' | 'lastInformBefore' | 'lastInformAfter'; message: string; column?: number };

export interface DevicePage {
  devices: DeviceKey[];
  /** Pass as `after` for the next page; null when no device remains. */
  next: Position | null;
}

/** Which page of a search: the order (empty: by row id) and where the previous page ended (null: the first page). */
export interface PageRequest {
  order?: SortKey[];
  after?: Position | null;
  limit?: number;
  /** How long the page's evaluation may take (PAGE_BUDGET_MS unless told). */
  budgetMs?: number;
}

/** Checks and compiles a query. Never throws. */
export function compileDeviceQuery(query: DeviceQuery): CompileQueryResult {
  for (const field of ['lastInformBefore', 'lastInformAfter'] as const) {
    const v = query[field];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) return { ok: false, field, message: `${field} must be a time in epoch ms` };
  }
  let expr: Expression | null = null;
  if (query.filter !== undefined && query.filter.trim() !== '') {
    const r = compile(query.filter);
    if (!r.ok) return { ok: false, field: 'filter', message: `${r.message} (column ${r.column})`, column: r.column };
    const virtual = pathsOf(r.expr).find((p) => p.startsWith('VirtualParameters.'));
    if (virtual) {
      return { ok: false, field: 'filter', message: `${virtual}: virtual parameters are computed in sessions, not stored: they cannot be searched` };
    }
    // NOW() read once: the SQL pre-filter and the evaluator of every page agree on the time.
    expr = bindNow(r.expr, Date.now());
  }
  return { ok: true, compiled: build(query, expr) };
}

function build(query: DeviceQuery, expr: Expression | null): CompiledDeviceQuery {
  let cond: Cond = expr ? may(expr, true) : true;
  const bounds: { sql: string; params: unknown[] }[] = [];
  if (query.lastInformBefore !== undefined) bounds.push({ sql: 'd.last_inform < ?', params: [query.lastInformBefore] });
  if (query.lastInformAfter !== undefined) bounds.push({ sql: 'd.last_inform >= ?', params: [query.lastInformAfter] });
  for (const b of bounds) cond = cond === true ? b : cond === false ? false : { sql: `(${b.sql} AND ${cond.sql})`, params: [...b.params, ...cond.params] };
  const paths = expr ? pathsOf(expr) : [];
  return {
    query,
    expr,
    where: sqlOf(cond),
    paramPaths: paths.filter((p) => !p.startsWith('Tags.') && !p.startsWith('DeviceID.')),
    tagNames: paths.filter((p) => p.startsWith('Tags.')).map((p) => p.slice('Tags.'.length)),
  };
}

interface Candidate {
  id: number;
  key: DeviceKey;
  /** The sort key values of the row (k0, k1, ... in the SELECT). */
  sortKeys: KeyValue[];
  facts: DeviceFacts;
}

function keyValue(v: unknown): KeyValue {
  return v === null || typeof v === 'number' ? v : String(v);
}

/** What candidateOf reads of a device row. */
const CANDIDATE_COLUMNS = 'd.id, d.device_key, d.manufacturer, d.oui, d.product_class, d.serial_number, d.last_inform, d.first_inform, d.last_boot, d.last_bootstrap';

const timeOf = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function candidateOf(r: Row, sortKeys = 0): Candidate {
  return {
    id: Number(r.id),
    key: String(r.device_key),
    sortKeys: Array.from({ length: sortKeys }, (_, i) => keyValue(r[`k${i}`])),
    facts: {
      deviceId: {
        ID: String(r.device_key),
        Manufacturer: String(r.manufacturer),
        OUI: String(r.oui),
        ProductClass: String(r.product_class),
        SerialNumber: String(r.serial_number),
      },
      parameters: [],
      tags: [],
      lastInform: timeOf(r.last_inform),
      registered: timeOf(r.first_inform),
      lastBoot: timeOf(r.last_boot),
      lastBootstrap: timeOf(r.last_bootstrap),
    },
  };
}

async function read(db: Db, q: CompiledDeviceQuery, r: OrderedRead, limit: number): Promise<Candidate[]> {
  const few = r.fewFrom && q.where.sql !== TRUE_SQL ? await fewMatching(db, q) : null;
  if (few?.length === 0) return [];
  const tables = few && r.fewFrom ? r.fewFrom : r.from;
  const only = few ? { sql: ` AND d.id IN ${placeholders(few.length)}`, params: few } : { sql: '', params: [] };
  const from = `FROM ${tables.sql} WHERE ${r.where.sql} AND ${q.where.sql}${only.sql}`;
  const params = [...tables.params, ...r.where.params, ...q.where.params, ...only.params];
  const select = (b: { sql: string; params: unknown[] } | null) =>
    db.select(
      `SELECT ${CANDIDATE_COLUMNS}${r.keys.map((k, i) => `, ${k} AS k${i}`).join('')}
     ${from}${b ? ` AND ${b.sql}` : ''} ORDER BY ${r.orderBy} LIMIT ${limit}`,
      [...params, ...(b?.params ?? [])],
    );
  const bound = r.bound ? await boundOf(db, r.bound, from, params, limit) : null;
  let rows = await select(bound);
  // Short under a bound: a write between the two reads (MySQL reads each in its own snapshot) moved rows past it; a short read would end part 1.
  if (bound && rows.length < limit) rows = await select(null);
  return rows.map((row) => candidateOf(row, r.keys.length));
}

/** A filter matching fewer devices than this is sorted whole rather than found along a parameter's index (OrderedRead.fewFrom). */
const FEW = 1000;
const TRUE_SQL = sqlOf(true).sql;

/** The ids of the devices the search's SQL condition holds for, when fewer than FEW (null: as many or more). */
async function fewMatching(db: Db, q: CompiledDeviceQuery): Promise<number[] | null> {
  const rows = await db.select(`SELECT d.id FROM devices d WHERE ${q.where.sql} LIMIT ${FEW}`, q.where.params);
  return rows.length < FEW ? rows.map((r) => Number(r.id)) : null;
}

/**
 * The first key's `limit`-th value among the rows, read in its index's
 * order: the first `limit` rows in the whole order are all on this side of
 * it, so a sort of 100,000 devices by a parameter then LastInform sorts only
 * the first values' devices. Null when there are fewer rows.
 */
async function boundOf(db: Db, b: NonNullable<OrderedRead['bound']>, from: string, params: unknown[], limit: number): Promise<{ sql: string; params: unknown[] } | null> {
  const rows = await db.select(`SELECT ${b.expr} AS v ${from} ORDER BY ${b.expr} ${b.descending ? 'DESC' : 'ASC'} LIMIT 1 OFFSET ${limit - 1}`, params);
  return rows.length === 0 ? null : { sql: `${b.expr} ${b.descending ? '>=' : '<='} ?`, params: [rows[0].v] };
}

/** Up to `limit` candidates after `after`: the order's reads in turn, the next only when the previous ran out. */
async function candidates(db: Db, q: CompiledDeviceQuery, order: SortKey[], after: Position | null, limit: number): Promise<Candidate[]> {
  const list: Candidate[] = [];
  for (const r of orderedReads(order, after, db.driver)) {
    list.push(...(await read(db, q, r, limit - list.length)));
    if (list.length === limit) break;
  }
  return list;
}

/** Loads the tags and parameters the precondition reads, for every candidate at once. */
async function loadFacts(db: Db, q: CompiledDeviceQuery, list: Candidate[]): Promise<void> {
  const byId = new Map(list.map((c) => [c.id, c]));
  const ids = [...byId.keys()];
  if (q.tagNames.length > 0) {
    const rows = await db.select(
      `SELECT device_id, tag FROM device_tags WHERE device_id IN ${placeholders(ids.length)} AND tag IN ${placeholders(q.tagNames.length)}`,
      [...ids, ...q.tagNames],
    );
    for (const r of rows) (byId.get(Number(r.device_id))?.facts.tags as string[]).push(String(r.tag));
  }
  if (q.paramPaths.length > 0) {
    const match = q.paramPaths.map((p) => pathMatch(p));
    const rows = await db.select(
      `SELECT p.device_id, p.path, p.kind, p.value, p.type FROM device_parameters p
       WHERE p.device_id IN ${placeholders(ids.length)} AND (${match.map((m) => m.sql).join(' OR ')})`,
      [...ids, ...match.flatMap((m) => m.params)],
    );
    for (const r of rows) {
      const params = byId.get(Number(r.device_id))?.facts.parameters as { path: string; kind: string; value: string | null; type: string | null }[];
      params.push({ path: String(r.path), kind: String(r.kind), value: r.value === null ? null : String(r.value), type: r.type === null ? null : String(r.type) });
    }
  }
}

/** Largest page; candidates are loaded with one IN list of this many ids. */
export const MAX_PAGE = 1000;

/*
 * How long one page's evaluation may hold the event loop. A MATCHES is
 * linear in the value, but a large pattern over a page of long values can
 * still take seconds (regex.ts); past this the search is refused.
 */
const PAGE_BUDGET_MS = 2000;

/** The candidates the query's expression holds for (their facts loaded first); all of them when it has none. */
async function holding(db: Db, q: CompiledDeviceQuery, list: Candidate[], budgetMs = Infinity): Promise<Candidate[]> {
  const expr = q.expr;
  if (expr === null || list.length === 0) return list;
  await loadFacts(db, q, list);
  const deadline = performance.now() + budgetMs;
  return list.filter((c) => {
    if (performance.now() > deadline) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', `the search took over ${budgetMs} ms on a page of ${list.length} devices: simplify its regular expressions (MATCHES, $regex) or narrow it`);
    }
    return evaluate(expr, lookupFrom(c.facts as DeviceFacts));
  });
}

/** `fn` on autocommit reads of `sql`, each SELECT bounded by the query's statementMs (boundedSelects). */
export function searching<T>(sql: SqlAccess, q: CompiledDeviceQuery, fn: (db: Db) => Promise<T>): Promise<T> {
  const ms = q.query.statementMs ?? 0;
  const late = () =>
    new AcsError('ACS_ERR_BAD_REQUEST', `a read of the search ran over ${ms} ms (SEARCH_STATEMENT_MS) and the database stopped it: narrow the search (an exact value rather than a regular expression, a tag, a product class, a last-Inform bound)`);
  return sql.autocommit((db) => fn(boundedSelects(db, ms, late)));
}

/** One page of matching devices in `order`, after `after` (absent: from the start). */
export async function queryDevicePage(sql: SqlAccess, q: CompiledDeviceQuery, page: PageRequest = {}): Promise<DevicePage> {
  const limit = Math.max(1, Math.min(page.limit ?? 500, MAX_PAGE));
  return searching(sql, q, async (db) => {
    const list = await candidates(db, q, page.order ?? [], page.after ?? null, limit);
    if (list.length === 0) return { devices: [], next: null };
    const devices = (await holding(db, q, list, page.budgetMs ?? PAGE_BUDGET_MS)).map((c) => c.key);
    const last = list[list.length - 1];
    return { devices, next: list.length < limit ? null : { id: last.id, keys: last.sortKeys } };
  });
}

/** Whether one device matches the query (a QoE alert rule's precondition, a webhook delivery retried). */
export async function deviceMatches(sql: SqlAccess, q: CompiledDeviceQuery, key: DeviceKey): Promise<boolean> {
  return (await devicesMatching(sql, q, [key])).size > 0;
}

/**
 * Which of `keys` match the query: one read of MAX_PAGE devices at a time
 * (a webhook filter over a read's devices: a query per delivery was one to
 * three SELECTs each).
 */
export async function devicesMatching(sql: SqlAccess, q: CompiledDeviceQuery, keys: readonly DeviceKey[]): Promise<Set<DeviceKey>> {
  const matching = new Set<DeviceKey>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += MAX_PAGE) {
    const part = unique.slice(i, i + MAX_PAGE);
    const found = await searching(sql, q, async (db) => {
      const rows = await db.select(
        `SELECT ${CANDIDATE_COLUMNS} FROM devices d WHERE d.device_key IN ${placeholders(part.length)} AND ${q.where.sql}`,
        [...part, ...q.where.params],
      );
      return holding(db, q, rows.map((r) => candidateOf(r)));
    });
    for (const c of found) matching.add(c.key);
  }
  return matching;
}

/** Every matching device, page by page (each page one short read: no transaction held across pages). */
export async function* streamDevices(sql: SqlAccess, q: CompiledDeviceQuery, pageSize = 500): AsyncGenerator<DeviceKey[]> {
  let after: Position | null = null;
  do {
    const page: DevicePage = await queryDevicePage(sql, q, { after, limit: pageSize });
    if (page.devices.length > 0) yield page.devices;
    after = page.next;
  } while (after !== null);
}

/** Every matching device key (for tests and small fleets; campaigns stream). */
export async function findDevices(sql: SqlAccess, query: DeviceQuery): Promise<DeviceKey[]> {
  const r = compileDeviceQuery(query);
  if (!r.ok) throw new Error(`${r.field}: ${r.message}`);
  const out: DeviceKey[] = [];
  for await (const page of streamDevices(sql, r.compiled)) out.push(...page);
  return out;
}
