/**
 * The order of a device list and keyset pages over it. Without sort keys the
 * list is in row id order (`d.id > last`). With them, each page continues
 * strictly after the last row's (keys..., id): the id breaks ties, so every
 * device is listed exactly once however many share a key, and a device that
 * changes while a client pages moves at most once across the cursor.
 *
 * NULLs (a never-seen device's last Inform, a parameter a device lacks) sort
 * first ascending and last descending, as MySQL, MariaDB and SQLite all do;
 * the continuation condition spells that out, since `NULL > x` is not true.
 * Parameter values compare as text in the column's collation (both the ORDER
 * BY and the continuation use that one comparison, so pages stay consistent),
 * on their first 255 characters.
 */
import { and, or, sqlOf, type Cond } from './device-query-sql';

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

/** The SQL parts an ordered candidate read needs: joins for parameter keys, the key expressions, ORDER BY. */
export interface OrderSql {
  joins: { sql: string; params: unknown[] };
  keys: string[];
  orderBy: string;
}

export function orderSql(order: SortKey[]): OrderSql {
  const joins: string[] = [];
  const params: unknown[] = [];
  const keys = order.map((k, i) => {
    const column = SORT_COLUMNS[k.field];
    if (column !== undefined) return column;
    joins.push(`LEFT JOIN device_parameters s${i} ON s${i}.device_id = d.id AND s${i}.path = ? AND s${i}.kind = 'leaf'`);
    params.push(k.field);
    return `SUBSTR(s${i}.value, 1, 255)`;
  });
  // The id goes the way of the last key: one direction throughout lets an index on a single key be read backwards.
  const idDescending = order.length > 0 && order[order.length - 1].descending;
  const orderBy = [...keys.map((e, i) => `${e} ${order[i].descending ? 'DESC' : 'ASC'}`), `d.id ${idDescending ? 'DESC' : 'ASC'}`].join(', ');
  return { joins: { sql: joins.join(' '), params }, keys, orderBy };
}

/** Rows strictly after `v` on one key, NULLs first ascending and last descending. */
function beyond(expr: string, v: KeyValue, descending: boolean): Cond {
  if (v === null) return descending ? false : { sql: `${expr} IS NOT NULL`, params: [] };
  return descending ? { sql: `(${expr} < ? OR ${expr} IS NULL)`, params: [v] } : { sql: `${expr} > ?`, params: [v] };
}

function equal(expr: string, v: KeyValue): Cond {
  return v === null ? { sql: `${expr} IS NULL`, params: [] } : { sql: `${expr} = ?`, params: [v] };
}

/** Rows at or beyond `v` on the first key: redundant with the rest, there so the server can seek an index instead of filtering. */
function from(expr: string, v: KeyValue, descending: boolean): Cond {
  if (v === null) return descending ? { sql: `${expr} IS NULL`, params: [] } : true;
  return descending ? { sql: `(${expr} <= ? OR ${expr} IS NULL)`, params: [v] } : { sql: `${expr} >= ?`, params: [v] };
}

/** The rows after `position` in `order` (its keys are the SQL of orderSql); null: from the start. */
export function afterSql(order: SortKey[], sql: OrderSql, position: Position | null): { sql: string; params: unknown[] } {
  if (position === null) return sqlOf(true);
  const idDescending = order.length > 0 && order[order.length - 1].descending;
  let cond: Cond = { sql: `d.id ${idDescending ? '<' : '>'} ?`, params: [position.id] };
  for (let i = order.length - 1; i >= 0; i--) {
    cond = or(beyond(sql.keys[i], position.keys[i], order[i].descending), and(equal(sql.keys[i], position.keys[i]), cond));
  }
  if (order.length > 0) cond = and(from(sql.keys[0], position.keys[0], order[0].descending), cond);
  return sqlOf(cond);
}
