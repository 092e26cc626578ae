/**
 * qoe_streams: one row per device + profile. Its id keys the series tables;
 * its last frame's time, uptime and raw counter values (decimal strings in
 * the order of `layout`'s columns) are what the next frame's rates are
 * computed from, so they survive a restart. Read once per ingest call (no
 * cache: another worker may have moved the stream on), written back in the
 * same transaction as the frames.
 */
import { chunks, placeholders, type Db } from '../../db/sql';

export interface StreamState {
  id: number;
  device: string;
  profile: string;
  lastTime: number | null;
  uptimeS: number | null;
  layout: number | null;
  /** Raw counter values aligned with the layout's columns (null: not a counter, or not in that frame). */
  prev: (string | null)[];
}

const ROWS_PER_STATEMENT = 500;

export function streamKey(device: string, profile: string): string {
  return `${device}\u0000${profile}`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function stateOf(row: Record<string, unknown>): StreamState {
  return {
    id: Number(row.id),
    device: String(row.device_key),
    profile: String(row.profile),
    lastTime: num(row.last_time),
    uptimeS: num(row.uptime_s),
    layout: num(row.layout),
    prev: row.prev ? (JSON.parse(String(row.prev)) as (string | null)[]) : [],
  };
}

async function select(db: Db, devices: string[], wanted: Set<string>, into: Map<string, StreamState>): Promise<void> {
  for (const batch of chunks(devices, ROWS_PER_STATEMENT)) {
    const rows = await db.select(`SELECT id, device_key, profile, last_time, uptime_s, layout, prev FROM qoe_streams WHERE device_key IN ${placeholders(batch.length)}`, batch);
    for (const row of rows) {
      const s = stateOf(row);
      const key = streamKey(s.device, s.profile);
      if (wanted.has(key)) into.set(key, s);
    }
  }
}

/** The streams of these device+profile pairs, created when new. */
export async function loadStreams(db: Db, pairs: { device: string; profile: string }[]): Promise<Map<string, StreamState>> {
  const unique = new Map(pairs.map((p) => [streamKey(p.device, p.profile), p]));
  const wanted = new Set(unique.keys());
  const out = new Map<string, StreamState>();
  await select(db, [...new Set(pairs.map((p) => p.device))], wanted, out);
  const fresh = [...unique].filter(([key]) => !out.has(key)).map(([, p]) => p);
  if (fresh.length === 0) return out;
  const ignore = db.driver === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
  for (const batch of chunks(fresh, ROWS_PER_STATEMENT)) {
    await db.run(`${ignore} qoe_streams (device_key, profile) VALUES ${batch.map(() => '(?,?)').join(',')}`, batch.flatMap((p) => [p.device, p.profile]));
  }
  await select(db, [...new Set(fresh.map((p) => p.device))], wanted, out);
  return out;
}

function upsertClause(db: Db): string {
  const cols = ['last_time', 'uptime_s', 'layout', 'prev'];
  return db.driver === 'mysql'
    ? `ON DUPLICATE KEY UPDATE ${cols.map((c) => `${c} = VALUES(${c})`).join(', ')}`
    : `ON CONFLICT (id) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** Writes the streams' new states back (deferred: sent with the transaction's other writes). */
export function saveStreams(db: Db, states: StreamState[]): void {
  for (const batch of chunks(states, ROWS_PER_STATEMENT)) {
    const sql = `INSERT INTO qoe_streams (id, device_key, profile, last_time, uptime_s, layout, prev) VALUES ${batch.map(() => placeholders(7)).join(',')} ${upsertClause(db)}`;
    db.later(sql, batch.flatMap((s) => [s.id, s.device, s.profile, s.lastTime, s.uptimeS, s.layout, JSON.stringify(s.prev)]));
  }
}
