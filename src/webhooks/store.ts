/** The webhooks and webhook_deliveries tables (migration 1765900000000). */
import { randomUUID } from 'node:crypto';
import { chunks, fixedChunks, placeholders, type Row } from '../db/sql';
import type { Db } from '../db/sql';
import type { SqlAccess } from '../db/types';
import type { AcsEvent, Delivery, DeliveryStatus, Subscription, WebhookEvent, WebhookPayload } from './types';

const ERROR_MAX = 1024;
/*
 * Log rows per INSERT: prepared (MariaDB's CPU per row, 130-row INSERTs flat
 * out: 30 µs against 42 formatted into the text; end to end, where INSERTs
 * carry ~26 rows, the gain is smaller: BENCHMARKS.md (w) ninth pass), in
 * chunks of a few fixed sizes (fixedChunks: at most 8 texts prepared per
 * connection), each well under the 65,535 parameters of a statement and
 * SQLite's 32,766.
 */
const LOG_CHUNK = 128;

/** Deliveries set back to pending per statement (a replay). */
const REOPEN_CHUNK = 1000;

function subscriptionOf(r: Row): Subscription {
  const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    url: String(r.url),
    events: JSON.parse(String(r.events)) as WebhookEvent[],
    filter: r.device_filter === null ? null : String(r.device_filter),
    parameters: r.parameters === null || r.parameters === undefined ? null : (JSON.parse(String(r.parameters)) as string[]),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    failingSince: time(r.failing_since),
    disabledAt: time(r.disabled_at),
    disabledReason: r.disabled_reason === null ? null : String(r.disabled_reason),
  };
}

function deliveryOf(r: Row): Delivery {
  return {
    id: String(r.uuid),
    webhook: Number(r.webhook_id),
    event: String(r.event) as WebhookEvent,
    device: r.device === null ? null : String(r.device),
    time: Number(r.time),
    status: String(r.status) as DeliveryStatus,
    attempts: Number(r.attempts),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error === null ? null : String(r.last_error),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  };
}

/** A delivery to make, as the worker reads it. */
export interface PendingDelivery extends Delivery {
  body: string;
  /** An earlier delivery of its subscription and device is pending (not in the same batch): it goes after that one. */
  waits: boolean;
  /** When it waits: the attempts so far of the first pending delivery of its pair, whose retries it waits behind (deliver.ts). */
  aheadAttempts?: number;
}

/** A row of the delivery log as written. */
export interface LogRow {
  id: string;
  webhook: number;
  event: WebhookEvent;
  device: string | null;
  time: number;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/** What a delivery POSTs: its payload as JSON. */
export function bodyOf(id: string, event: AcsEvent): string {
  const payload: WebhookPayload = { id, event: event.event, time: new Date(event.time).toISOString(), device: event.device, data: event.data };
  return JSON.stringify(payload);
}

/** A (subscription, device) pair as a map key: the unit a device's order holds within. */
export function pairKey(webhook: number, device: string): string {
  return `${webhook} ${device}`;
}

/** A delivery to store: its id (the fan-out derives a stable one; default a random UUID), subscription and event as shaped for it. */
export interface NewDelivery {
  id?: string;
  webhook: number;
  event: AcsEvent;
}

export interface NewSubscription {
  url: string;
  events: WebhookEvent[];
  secret: string;
  filter: string | null;
  parameters: string[] | null;
  createdBy: string;
}

/**
 * The rescue's read: pending deliveries older than a time, along
 * ix_webhook_deliveries_pending_only (migration 1766900000000: keyed only
 * where the row is pending), named: left to itself MariaDB may scan the
 * whole log (and with "LIMIT n" read the primary key in order, through
 * every delivered row).
 */
export function staleSql(driver: Db['driver'], limit: number): string {
  const index = driver === 'mysql' ? 'FORCE INDEX (ix_webhook_deliveries_pending_only)' : 'INDEXED BY ix_webhook_deliveries_pending_only';
  return `SELECT uuid, seq FROM webhook_deliveries ${index} WHERE pending_webhook IS NOT NULL AND time < ? LIMIT ${Math.floor(limit)}`;
}

export class WebhookStore {
  constructor(readonly sql: SqlAccess) {}

  async create(s: NewSubscription, now = Date.now()): Promise<Subscription> {
    const sql = 'INSERT INTO webhooks (url, events, secret, device_filter, parameters, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)';
    const parameters = s.parameters === null ? null : JSON.stringify(s.parameters);
    const { insertId } = await this.sql.autocommit((db) => db.run(sql, [s.url, JSON.stringify(s.events), s.secret, s.filter, parameters, now, s.createdBy]));
    return (await this.get(insertId)) as Subscription;
  }

  async get(id: number): Promise<Subscription | null> {
    return (await this.withSecret(id))?.subscription ?? null;
  }

  /** The subscription with its secret (never shown by the API after its creation). */
  async withSecret(id: number): Promise<{ subscription: Subscription; secret: string } | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM webhooks WHERE id = ?', [id]));
    return row ? { subscription: subscriptionOf(row), secret: String(row.secret) } : null;
  }

  async list(): Promise<Subscription[]> {
    return (await this.sql.autocommit((db) => db.select('SELECT * FROM webhooks ORDER BY id'))).map(subscriptionOf);
  }

  /** Deletes the subscription and its delivery log; false when there was none. */
  async remove(id: number): Promise<boolean> {
    return this.sql.transaction(async (db) => {
      db.later('DELETE FROM webhook_deliveries WHERE webhook_id = ?', [id]);
      return (await db.run('DELETE FROM webhooks WHERE id = ?', [id])).affected > 0;
    });
  }

  /** Enabled again (by an operator): its failure clock starts over. */
  async enable(id: number): Promise<boolean> {
    const sql = 'UPDATE webhooks SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE id = ?';
    return (await this.sql.autocommit((db) => db.run(sql, [id]))).affected > 0;
  }

  /** Whether this call disabled it (false: it was disabled already, or is gone). */
  async disable(id: number, reason: string, now = Date.now()): Promise<boolean> {
    const { affected } = await this.sql.autocommit((db) => db.run('UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL', [now, reason.slice(0, ERROR_MAX), id]));
    return affected > 0;
  }

  /** A failed attempt starts the failure clock (if not running); a delivered one stops it. */
  async health(id: number, failing: boolean, now = Date.now()): Promise<void> {
    const sql = failing ? 'UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL' : 'UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL';
    await this.sql.autocommit((db) => db.run(sql, failing ? [now, id] : [id]));
  }

  /**
   * Stores deliveries in INSERTs of up to LOG_CHUNK rows (in order: `seq`
   * follows it); one whose id is stored already is left as it is. Answers their ids, in order.
   */
  async addDeliveries(items: NewDelivery[]): Promise<string[]> {
    const rows = items.map(({ id = randomUUID(), webhook, event }): LogRow => ({
      id, webhook, event: event.event, device: event.device, time: event.time, body: bodyOf(id, event), status: 'pending', attempts: 0, lastStatus: null, lastError: null, deliveredAt: null,
    }));
    await this.insert(rows, 'keep');
    return rows.map((r) => r.id);
  }

  /**
   * The delivery log's rows of first attempts, in INSERTs of up to LOG_CHUNK
   * rows, one after the other (in order: `seq` follows it). A row stored
   * already (a job run again after a crash) takes the new outcome of an
   * attempt, its attempts added; a row stored behind a
   * pending one (pending, never attempted) changes no stored row: the run
   * again found its own first run's pending delivery, whose attempt, error
   * or delivery it would otherwise erase.
   */
  async writeLog(rows: LogRow[]): Promise<void> {
    await this.insert(rows, 'update');
  }

  private async insert(rows: LogRow[], onConflict: 'keep' | 'update'): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) => [r.id, r.webhook, r.event, r.device, r.time, r.body, r.status, r.attempts, r.lastStatus, r.lastError?.slice(0, ERROR_MAX) ?? null, r.deliveredAt]);
    await this.sql.autocommit(async (db) => {
      const mysql = db.driver === 'mysql';
      const v = (c: string) => (mysql ? `VALUES(${c})` : `excluded.${c}`);
      // The condition reads only the new row's values: MySQL assigns left to right, a later assignment seeing the earlier ones' results.
      const behind = `${v('status')} = 'pending' AND ${v('attempts')} = 0`;
      const update = ['status', 'last_status', 'last_error', 'delivered_at'].map((c) => `${c} = CASE WHEN ${behind} THEN ${c} ELSE ${v(c)} END`).concat(`attempts = attempts + ${v('attempts')}`).join(', ');
      const conflict = mysql
        ? `ON DUPLICATE KEY UPDATE ${onConflict === 'keep' ? 'uuid = uuid' : update}`
        : `ON CONFLICT (uuid) DO ${onConflict === 'keep' ? 'NOTHING' : `UPDATE SET ${update}`}`;
      const insert = (n: number) => `INSERT INTO webhook_deliveries (uuid, webhook_id, event, device, time, body, status, attempts, last_status, last_error, delivered_at)
        VALUES ${new Array<string>(n).fill(placeholders(11)).join(', ')} ${conflict}`;
      for (const part of fixedChunks(values, LOG_CHUNK)) await db.runPrepared(insert(part.length), part.flat());
    });
  }

  /**
   * Which of the (subscription, device) pairs have a pending delivery: one
   * range of the pending index per pair, all in one statement.
   */
  async pendingPairs(pairs: { webhook: number; device: string }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const sql = `SELECT DISTINCT pending_webhook, pending_device FROM webhook_deliveries WHERE ${pairs.map(() => '(pending_webhook = ? AND pending_device = ?)').join(' OR ')}`;
    const rows = await this.sql.autocommit((db) => db.select(sql, pairs.flatMap((p) => [p.webhook, p.device])));
    return new Set(rows.map((r) => pairKey(Number(r.pending_webhook), String(r.pending_device))));
  }

  /**
   * Which of `webhooks` have a pending delivery of a device (those without
   * one are in no pair's order): one probe of the pending index per
   * subscription (a receiver down for a day leaves millions).
   */
  async pendingSubscriptions(webhooks: number[]): Promise<Set<number>> {
    if (webhooks.length === 0) return new Set();
    // Scalar subqueries, one column each: SQLite has no parenthesized members of a UNION, whose LIMIT would be the union's.
    const probe = 'SELECT 1 FROM webhook_deliveries WHERE pending_webhook = ? AND pending_device IS NOT NULL LIMIT 1';
    const sql = `SELECT ${webhooks.map((_w, i) => `(${probe}) AS p${i}`).join(', ')}`;
    const [row] = await this.sql.autocommit((db) => db.select(sql, webhooks));
    return new Set(webhooks.filter((_w, i) => row?.[`p${i}`] !== null && row?.[`p${i}`] !== undefined));
  }

  /** The delivery with its body and place in its device's order, or null. */
  async delivery(id: string): Promise<(Delivery & { body: string; seq: number }) | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM webhook_deliveries WHERE uuid = ?', [id]));
    return row ? { ...deliveryOf(row), body: String(row.body), seq: Number(row.seq) } : null;
  }

  /**
   * Those of `ids` still pending, in their devices' order (seq), each saying
   * whether it must wait for an earlier pending delivery of its subscription
   * and device that is not among `ids` (those among them the caller sends
   * first, in this order). Two statements for a whole batch.
   */
  async pending(ids: string[]): Promise<PendingDelivery[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.autocommit((db) => db.select(`SELECT * FROM webhook_deliveries WHERE uuid IN ${placeholders(ids.length)} AND status = 'pending' ORDER BY seq`, ids));
    const found = rows.map((r) => ({ ...deliveryOf(r), body: String(r.body), seq: Number(r.seq) }));
    const first = await this.firstPendingOutside(found, ids);
    return found.map(({ seq, ...d }) => {
      const ahead = d.device === null ? undefined : first.get(pairKey(d.webhook, d.device));
      return ahead !== undefined && ahead.seq < seq ? { ...d, waits: true, aheadAttempts: ahead.attempts } : { ...d, waits: false };
    });
  }

  /**
   * For each subscription and device of `found`, the seq and attempts of its
   * first pending delivery before the last of `found` and not among `ids`.
   * One range of the pending index per pair (a correlated EXISTS instead made
   * MariaDB scan every row of the subscription, per delivery: bench (w)), then
   * that row by its seq.
   */
  private async firstPendingOutside(found: { webhook: number; device: string | null; seq: number }[], ids: string[]): Promise<Map<string, { seq: number; attempts: number }>> {
    const last = new Map<string, { webhook: number; device: string; seq: number }>();
    for (const d of found) if (d.device !== null) last.set(pairKey(d.webhook, d.device), { webhook: d.webhook, device: d.device, seq: d.seq });
    if (last.size === 0) return new Map();
    const pairs = [...last.values()];
    const firsts = `SELECT MIN(seq) AS first FROM webhook_deliveries WHERE uuid NOT IN ${placeholders(ids.length)}
      AND (${pairs.map(() => '(pending_webhook = ? AND pending_device = ? AND seq < ?)').join(' OR ')}) GROUP BY pending_webhook, pending_device`;
    const sql = `SELECT d.webhook_id, d.device, d.seq, d.attempts FROM webhook_deliveries d JOIN (${firsts}) f ON d.seq = f.first`;
    const rows = await this.sql.autocommit((db) => db.select(sql, [...ids, ...pairs.flatMap((p) => [p.webhook, p.device, p.seq])]));
    return new Map(rows.map((r) => [pairKey(Number(r.webhook_id), String(r.device)), { seq: Number(r.seq), attempts: Number(r.attempts) }]));
  }

  async attempted(id: string, outcome: { status: DeliveryStatus; httpStatus: number | null; error: string | null }, now = Date.now()): Promise<void> {
    const sql = `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
      delivered_at = ? WHERE uuid = ?`;
    const error = outcome.error === null ? null : outcome.error.slice(0, ERROR_MAX);
    await this.sql.autocommit((db) => db.run(sql, [outcome.status, outcome.httpStatus, error, outcome.status === 'delivered' ? now : null, id]));
  }

  async settle(id: string, status: DeliveryStatus): Promise<void> {
    await this.sql.autocommit((db) => db.run('UPDATE webhook_deliveries SET status = ? WHERE uuid = ?', [status, id]));
  }

  /** Back to pending (a replay): answers whether it exists. */
  async reopen(id: string, webhook: number): Promise<boolean> {
    if ((await this.delivery(id))?.webhook !== webhook) return false;
    await this.settle(id, 'pending');
    return true;
  }

  /** Deliveries still pending since before `before` (their jobs may be gone with a Redis restart), oldest first. */
  async stale(before: number, limit: number): Promise<string[]> {
    const rows = await this.sql.autocommit((db) => db.select(staleSql(db.driver, limit), [before]));
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => String(r.uuid));
  }

  /**
   * Deletes settled deliveries (delivered, failed, skipped) older than
   * `before`, `batch` rows per statement, each subscription's along its
   * (webhook_id, time) index, and every row of removed subscriptions
   * (orphaned); answers how many. Pending ones of listed subscriptions stay, however old.
   */
  async purge(before: number, batch: number): Promise<number> {
    let deleted = 0;
    const listed = await this.list();
    for (const { id } of listed) deleted += await this.deleteRows("webhook_id = ? AND time < ? AND status <> 'pending'", [id, before], batch);
    for (const id of await this.orphaned(new Set(listed.map((s) => s.id)))) deleted += await this.deleteRows('webhook_id = ?', [id], batch);
    return deleted;
  }

  /** Deletes the rows `where` selects, `batch` per statement; answers how many. */
  private async deleteRows(where: string, params: unknown[], batch: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      // Selected, then deleted by key: SQLite has no DELETE ... LIMIT, MariaDB no LIMIT in an IN subquery.
      const rows = await this.sql.autocommit((db) => db.select(`SELECT seq FROM webhook_deliveries WHERE ${where} LIMIT ${batch}`, params));
      if (rows.length === 0) break;
      const seqs = rows.map((r) => Number(r.seq));
      deleted += (await this.sql.autocommit((db) => db.run(`DELETE FROM webhook_deliveries WHERE seq IN ${placeholders(seqs.length)}`, seqs))).affected;
      if (rows.length < batch) break;
    }
    return deleted;
  }

  /**
   * The removed subscriptions that still have rows: a worker whose cached
   * copy of one (attempt.ts, up to a second old) outlived its removal wrote
   * them after its log was deleted, and nobody lists them. Found off the hot
   * path (the purge, every minute), where a check in the log's INSERT would
   * cost every first attempt. The log's subscriptions are read by one seek of
   * its (webhook_id, time) index each, not a scan; those missing from
   * `listed` are read again, as one created since `listed` was read may
   * have rows already (ids are not reused).
   */
  private async orphaned(listed: Set<number>): Promise<number[]> {
    const walk = `WITH RECURSIVE ids (id) AS (SELECT MIN(webhook_id) FROM webhook_deliveries
      UNION ALL SELECT (SELECT MIN(webhook_id) FROM webhook_deliveries WHERE webhook_id > ids.id) FROM ids WHERE ids.id IS NOT NULL)
      SELECT id FROM ids WHERE id IS NOT NULL`;
    const unlisted = (await this.sql.autocommit((db) => db.select(walk))).map((r) => Number(r.id)).filter((id) => !listed.has(id));
    if (unlisted.length === 0) return [];
    const found = await this.sql.autocommit((db) => db.select(`SELECT id FROM webhooks WHERE id IN ${placeholders(unlisted.length)}`, unlisted));
    const existing = new Set(found.map((r) => Number(r.id)));
    return unlisted.filter((id) => !existing.has(id));
  }

  /**
   * A replay's page: up to `limit` of the subscription's deliveries made from
   * `from` to before `to`, oldest first, back to pending. `next`: where the
   * rest starts (null: nothing left). A page ends between two times, so that
   * `next` taken as the next page's `from` replays each delivery once.
   */
  async reopenBetween(webhook: number, from: number, to: number, limit: number): Promise<{ ids: string[]; next: number | null }> {
    const read = (sql: string, params: unknown[]) => this.sql.autocommit((db) => db.select(sql, params));
    const rows = await read(`SELECT uuid, time FROM webhook_deliveries WHERE webhook_id = ? AND time >= ? AND time < ? ORDER BY time, seq LIMIT ${limit + 1}`, [webhook, from, to]);
    let [page, next] = [rows, null as number | null];
    if (rows.length > limit) {
      next = Number(rows[limit].time);
      page = rows.slice(0, limit).filter((r) => Number(r.time) < (next as number));
      // More than `limit` made in one millisecond: that millisecond whole.
      if (page.length === 0) [page, next] = [await read('SELECT uuid, time FROM webhook_deliveries WHERE webhook_id = ? AND time = ? ORDER BY seq', [webhook, next]), next + 1];
    }
    // Nothing of the range is left past its end.
    if (next !== null && next >= to) next = null;
    const ids = page.map((r) => String(r.uuid));
    for (const chunk of chunks(ids, REOPEN_CHUNK)) {
      await this.sql.autocommit((db) => db.run(`UPDATE webhook_deliveries SET status = 'pending' WHERE webhook_id = ? AND uuid IN ${placeholders(chunk.length)}`, [webhook, ...chunk]));
    }
    return { ids, next };
  }

  /** The delivery log, newest first; `before` is a previous page's last seq. */
  async log(webhook: number, options: { status?: DeliveryStatus; before?: number; limit: number }): Promise<(Delivery & { seq: number })[]> {
    const where = ['webhook_id = ?'];
    const params: unknown[] = [webhook];
    if (options.status !== undefined) {
      where.push('status = ?');
      params.push(options.status);
    }
    if (options.before !== undefined) {
      where.push('seq < ?');
      params.push(options.before);
    }
    const sql = `SELECT * FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${Math.floor(options.limit)}`;
    return (await this.sql.autocommit((db) => db.select(sql, params))).map((r) => ({ ...deliveryOf(r), seq: Number(r.seq) }));
  }
}
