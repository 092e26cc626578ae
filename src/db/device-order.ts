/**
 * The order of a device list and keyset pages over it. Without sort keys the
 * list is in row id order (`d.id > last`). With them, each page continues
 * strictly after the last row's (keys..., id): the id breaks ties, so every
 * device is listed exactly once however many share a key, and a device that
 * changes while a client pages moves at most once across the cursor. The id
 * goes the way of the last key.
 *
 * A parameter key is the first 64 characters of the value (the indexed
 * `value_prefix` of migration 1766200000000), compared as text in the
 * column's collation: values that share those 64 characters tie, and the id
 * orders them. Devices without the parameter (or with no value for it) come
 * last in both directions. A device column's NULL (a never-seen device's last
 * Inform) comes first ascending and last descending, as MySQL, MariaDB and
 * SQLite order it. The continuation conditions spell both rules out, since
 * `NULL > x` is not true.
 *
 * A list sorted first by a parameter is read in two parts, so the first page
 * of 100,000 devices does not read every device's value and sort them (bench
 * (q): 6.5–9 s): first the devices that have the parameter, in the order of
 * the index (path, value_prefix) (its entries carry the device id, so that
 * order is (value_prefix, device id), either way); then, once those run out,
 * the devices without it. A cursor's first key is NULL once a page ended in
 * the second part.
 */
import { and, or, sqlOf, type Cond } from './device-query-sql';
import type { Driver } from './sql';

export type KeyValue = string | number | null;

/** A device column to sort by (the names the precondition language uses), or a parameter path. */
export const SORT_COLUMNS: Readonly<Record<string, string>> = {
  'DeviceID.ID': 'd.device_key',
  'DeviceID.Manufacturer': 'd.manufacturer',
  'DeviceID.OUI': 'd.oui',
  'DeviceID.ProductClass': 'd.product_class',
  'DeviceID.SerialNumber': 'd.serial_number',
  LastInform: 'd.last_inform',
  Registered: 'd.first_inform',
};

export interface SortKey {
  /** A key of SORT_COLUMNS or a parameter path without wildcards. */
  field: string;
  descending: boolean;
}

/** Where a page ends: the last row's id and its sort key values (none in id order). */
export interface Position {
  id: number;
  keys: KeyValue[];
}

type Sql = { sql: string; params: unknown[] };

/** One SELECT of an ordered read; a page runs the reads in turn until it has enough rows. */
export interface OrderedRead {
  /** Tables: `devices d` (perhaps driven by a parameter's index) and the joins the keys need. */
  from: Sql;
  /** The read's part of the order and the continuation after the cursor (without the search's condition). */
  where: Sql;
  /** The SQL of each sort key's value, selected as k0, k1, ... */
  keys: string[];
  orderBy: string;
  /**
   * A sort of part 1 by further keys: the first key in its index's order
   * (`s0.value_prefix ASC`), whose n-th value bounds the first n rows, so
   * that only the rows up to it are sorted (device-query.ts reads it first).
   */
  bound?: { expr: string; descending: boolean };
  /**
   * Part 1's tables joined in the order the server picks, for a search whose
   * filter matches few devices: their rows are sorted, where walking the
   * index would read all of it to find them.
   */
  fewFrom?: Sql;
}

/**
 * Where NULLs of a key go: `low` below every value (device columns), `last`
 * in either direction (parameters), `none` where the read has none.
 */
type Nulls = 'low' | 'last' | 'none';

/** A sort key as SQL. */
interface KeySql {
  expr: string;
  descending: boolean;
  nulls: Nulls;
}

const isParameter = (k: SortKey): boolean => SORT_COLUMNS[k.field] === undefined;
const direction = (descending: boolean): string => (descending ? 'DESC' : 'ASC');

/** The read's keys from `first` on: device columns, or a parameter's value prefix through a LEFT JOIN. */
function joinedKeys(order: SortKey[], first: number): { joins: Sql; keys: KeySql[] } {
  const joins: string[] = [];
  const params: unknown[] = [];
  const keys = order.slice(first).map((k, j): KeySql => {
    const i = first + j;
    const column = SORT_COLUMNS[k.field];
    if (column !== undefined) return { expr: column, descending: k.descending, nulls: 'low' };
    joins.push(`LEFT JOIN device_parameters s${i} ON s${i}.device_id = d.id AND s${i}.path = ?`);
    params.push(k.field);
    return { expr: `s${i}.value_prefix`, descending: k.descending, nulls: 'last' };
  });
  return { joins: { sql: joins.join(' '), params }, keys };
}

function orderByOf(keys: KeySql[], id: string, idDescending: boolean): string {
  const terms = keys.map((k) => `${k.nulls === 'last' ? `(${k.expr} IS NULL), ` : ''}${k.expr} ${direction(k.descending)}`);
  return [...terms, `${id} ${direction(idDescending)}`].join(', ');
}

const nullsAtEnd = (k: KeySql): boolean => k.nulls === 'last' || (k.nulls === 'low' && k.descending);

/** Rows strictly after `v` on one key. */
function beyond(k: KeySql, v: KeyValue): Cond {
  if (v === null) return nullsAtEnd(k) ? false : { sql: `${k.expr} IS NOT NULL`, params: [] };
  const cmp = `${k.expr} ${k.descending ? '<' : '>'} ?`;
  return nullsAtEnd(k) ? { sql: `(${cmp} OR ${k.expr} IS NULL)`, params: [v] } : { sql: cmp, params: [v] };
}

function equal(k: KeySql, v: KeyValue): Cond {
  return v === null ? { sql: `${k.expr} IS NULL`, params: [] } : { sql: `${k.expr} = ?`, params: [v] };
}

/** Rows at or beyond `v` on the first key: redundant with the rest, there so the server can seek an index instead of filtering. */
function from(k: KeySql, v: KeyValue): Cond {
  if (v === null) return nullsAtEnd(k) ? { sql: `${k.expr} IS NULL`, params: [] } : true;
  const cmp = `${k.expr} ${k.descending ? '<=' : '>='} ?`;
  return nullsAtEnd(k) ? { sql: `(${cmp} OR ${k.expr} IS NULL)`, params: [v] } : { sql: cmp, params: [v] };
}

/** The rows strictly after (values..., lastId) in the order of `keys` then the id (`idExpr`). */
function after(keys: KeySql[], idExpr: string, idDescending: boolean, values: KeyValue[], lastId: number): Cond {
  let cond: Cond = { sql: `${idExpr} ${idDescending ? '<' : '>'} ?`, params: [lastId] };
  for (let i = keys.length - 1; i >= 0; i--) cond = or(beyond(keys[i], values[i]), and(equal(keys[i], values[i]), cond));
  return keys.length > 0 ? and(from(keys[0], values[0]), cond) : cond;
}

/** One read over `devices d` in the order of all the keys. */
function singleRead(order: SortKey[], position: Position | null, idDescending: boolean): OrderedRead {
  const { joins, keys } = joinedKeys(order, 0);
  return {
    from: { sql: `devices d ${joins.sql}`, params: joins.params },
    where: sqlOf(position === null ? true : after(keys, 'd.id', idDescending, position.keys, position.id)),
    keys: keys.map((k) => k.expr),
    orderBy: orderByOf(keys, 'd.id', idDescending),
  };
}

/**
 * How part 1 joins the devices to the index: in the index's order, always.
 * Left to choose, MariaDB read the devices first wherever they had a filter
 * or a further key, then sorted: with a further key it probed every device's
 * row of the parameter (6 s on 36,000 devices of bench (q)'s data), with
 * `ProductClass = "F660"` it sorted the 10,000 matches (0.5 s on 100,000,
 * against 3 ms walking the index). A filter that matches few devices is read
 * otherwise (fewFrom): the walk would read the whole index to find 50 of
 * 100,000 (0.2 s). SQLite keeps a CROSS JOIN's order.
 */
function indexJoin(driver: Driver): string {
  return driver === 'mysql' ? 'STRAIGHT_JOIN' : 'CROSS JOIN';
}

/** The devices that have the first key's parameter, driven by its index in (value_prefix, device id) order. */
function withParameter(order: SortKey[], position: Position | null, idDescending: boolean, driver: Driver): OrderedRead {
  const { joins, keys: rest } = joinedKeys(order, 1);
  const keys: KeySql[] = [{ expr: 's0.value_prefix', descending: order[0].descending, nulls: 'none' }, ...rest];
  const continuation = position === null ? true : after(keys, 's0.device_id', idDescending, position.keys, position.id);
  return {
    from: { sql: `device_parameters s0 ${indexJoin(driver)} devices d ON d.id = s0.device_id ${joins.sql}`, params: joins.params },
    fewFrom: { sql: `device_parameters s0 JOIN devices d ON d.id = s0.device_id ${joins.sql}`, params: joins.params },
    where: sqlOf(and({ sql: 's0.path = ? AND s0.value_prefix IS NOT NULL', params: [order[0].field] }, continuation)),
    keys: keys.map((k) => k.expr),
    orderBy: orderByOf(keys, 's0.device_id', idDescending),
    ...(rest.length > 0 ? { bound: { expr: 's0.value_prefix', descending: order[0].descending } } : {}),
  };
}

/** The devices without the first key's parameter, in the order of the other keys. */
function withoutParameter(order: SortKey[], position: Position | null, idDescending: boolean): OrderedRead {
  const { joins, keys: rest } = joinedKeys(order, 1);
  // NOT IN, not a correlated NOT EXISTS: the server reads the path's index entries once instead of probing every device's row.
  const without: Sql = {
    sql: 'd.id NOT IN (SELECT s0.device_id FROM device_parameters s0 WHERE s0.path = ? AND s0.value_prefix IS NOT NULL)',
    params: [order[0].field],
  };
  const continuation = position === null ? true : after(rest, 'd.id', idDescending, position.keys.slice(1), position.id);
  return {
    from: { sql: `devices d ${joins.sql}`, params: joins.params },
    where: sqlOf(and(without, continuation)),
    keys: ['NULL', ...rest.map((k) => k.expr)],
    orderBy: orderByOf(rest, 'd.id', idDescending),
  };
}

/** The reads of the rows after `position` (null: from the start) in `order`, to be run in turn. */
export function orderedReads(order: SortKey[], position: Position | null, driver: Driver): OrderedRead[] {
  const idDescending = order.length > 0 && order[order.length - 1].descending;
  if (order.length === 0 || !isParameter(order[0])) return [singleRead(order, position, idDescending)];
  const inSecondPart = position !== null && position.keys[0] === null;
  const second = withoutParameter(order, inSecondPart ? position : null, idDescending);
  return inSecondPart ? [second] : [withParameter(order, position, idDescending, driver), second];
}
