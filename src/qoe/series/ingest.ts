/**
 * ingest(frames): checks them, reads their streams' states (one query), turns
 * each frame into a packed row (rates.ts, codec.ts), and writes the rows and
 * the streams' new states in one transaction of a few multi-row statements.
 */
import { chunks, placeholders, type Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import type { CollectionProfile, Frame } from '../types';
import { encode } from './codec';
import type { Layouts } from './layouts';
import type { DayPartitions } from './partitions';
import { frameRow, type Previous } from './rates';
import { loadStreams, saveStreams, streamKey, type StreamState } from './streams';
import { DAY_MS } from './tiers';
import type { Dropped, IngestResult, ProfileLookup } from './types';

/** Dropped entries listed in a result (all are counted). */
export const MAX_DROPPED_LISTED = 100;
const ROWS_PER_STATEMENT = 500;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface IngestContext {
  sql: SqlAccess;
  layouts: Layouts;
  /** MySQL only. */
  partitions: DayPartitions | null;
  now: () => number;
  maxFutureMs: number;
}

interface Accepted {
  frame: Frame;
  profile: CollectionProfile;
}

interface RawRow {
  stream: number;
  time: number;
  columns: FrameColumns;
  data: Buffer;
}
type FrameColumns = ReturnType<typeof frameRow>['columns'];

class Outcome {
  readonly r: IngestResult = { frames: 0, values: 0, rates: 0, reboots: 0, dropped: [], droppedCount: 0 };

  drop(d: Dropped): void {
    this.r.droppedCount++;
    if (this.r.dropped.length < MAX_DROPPED_LISTED) this.r.dropped.push(d);
  }
}

/** Why a frame cannot be stored at all, or null. */
function frameProblem(f: Frame, profile: CollectionProfile | undefined, now: number, maxFutureMs: number): string | null {
  if (typeof f.device !== 'string' || f.device === '' || f.device.length > 255) return 'device key missing or longer than 255';
  if (typeof f.profile !== 'string' || !NAME.test(f.profile)) return 'profile name not [A-Za-z0-9_.-]{1,64}';
  if (!profile) return `unknown profile ${f.profile}`;
  if (!Number.isSafeInteger(f.time) || f.time <= 0) return 'time not a positive integer of milliseconds';
  if (f.time > now + maxFutureMs) return `time ${new Date(f.time).toISOString()} ahead of the ACS's clock`;
  if (f.time < now - profile.retention.raw * DAY_MS) return `time ${new Date(f.time).toISOString()} older than the profile's raw retention (${profile.retention.raw} days)`;
  if (f.uptimeS !== undefined && !(Number.isFinite(f.uptimeS) && f.uptimeS >= 0)) return 'uptimeS not a number >= 0';
  if (f.values === null || typeof f.values !== 'object') return 'values not an object';
  return null;
}

function accept(frames: Frame[], profiles: ProfileLookup, ctx: IngestContext, out: Outcome): Accepted[] {
  const now = ctx.now();
  const accepted: Accepted[] = [];
  for (const frame of frames) {
    const profile = typeof frame?.profile === 'string' ? profiles(frame.profile) : undefined;
    const problem = frame === null || typeof frame !== 'object' ? 'not an object' : frameProblem(frame, profile, now, ctx.maxFutureMs);
    if (problem || !profile) out.drop({ device: String(frame?.device), profile: String(frame?.profile), time: frame?.time, reason: problem ?? 'no profile' });
    else accepted.push({ frame, profile });
  }
  return accepted;
}

function previousOf(s: StreamState, layouts: Layouts): Previous {
  const counters = new Map<string, bigint>();
  if (s.layout !== null) {
    layouts.columns(s.layout).forEach((c, i) => {
      const v = s.prev[i];
      // Only this store writes them, as decimal strings; anything else is no previous value (no rate), not a failed batch.
      if (typeof v === 'string' && /^\d+$/.test(v)) counters.set(c.path, BigInt(v));
    });
  }
  return { time: s.lastTime, uptimeS: s.uptimeS, counters };
}

/** A stream's frames, oldest first, into rows; its state moved on to the last one. */
function streamRows(s: StreamState, list: Accepted[], ctx: IngestContext, out: Outcome): { rows: RawRow[]; last: { columns: FrameColumns; counters: Map<string, bigint> } | null } {
  const prev = previousOf(s, ctx.layouts);
  const rows: RawRow[] = [];
  let last = null;
  for (const { frame, profile } of list.sort((a, b) => a.frame.time - b.frame.time)) {
    if (prev.time !== null && frame.time <= prev.time) {
      out.drop({ device: s.device, profile: s.profile, time: frame.time, reason: frame.time === prev.time ? 'duplicate of the stream\'s last frame' : 'older than the stream\'s last frame' });
      continue;
    }
    const row = frameRow(frame, profile, prev);
    for (const d of row.dropped) out.drop({ device: s.device, profile: s.profile, time: frame.time, ...d });
    const data = encode(row.values, (i) => row.columns[i].kind === 'counter');
    rows.push({ stream: s.id, time: frame.time, columns: row.columns, data });
    out.r.frames++;
    out.r.values += row.values.filter((v) => !Number.isNaN(v)).length;
    out.r.rates += row.rates;
    if (row.reboot) out.r.reboots++;
    prev.time = frame.time;
    prev.uptimeS = frame.uptimeS ?? prev.uptimeS;
    prev.counters = row.counters;
    last = { columns: row.columns, counters: row.counters };
  }
  s.lastTime = prev.time;
  s.uptimeS = prev.uptimeS;
  return { rows, last };
}

function rawUpsert(db: Db): string {
  return db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE layout = VALUES(layout), data = VALUES(data)' : 'ON CONFLICT (stream, time) DO UPDATE SET layout = excluded.layout, data = excluded.data';
}

async function write(ctx: IngestContext, rows: RawRow[], layoutIds: number[], states: StreamState[]): Promise<void> {
  await ctx.sql.transaction(async (db) => {
    for (const batch of chunks(rows.map((r, i) => [r.stream, r.time, layoutIds[i], r.data] as const), ROWS_PER_STATEMENT)) {
      db.later(`INSERT INTO qoe_raw (stream, time, layout, data) VALUES ${batch.map(() => placeholders(4)).join(',')} ${rawUpsert(db)}`, batch.flat());
    }
    saveStreams(db, states);
  });
}

export async function ingest(ctx: IngestContext, frames: Frame[], profiles: ProfileLookup): Promise<IngestResult> {
  const out = new Outcome();
  if (!Array.isArray(frames)) {
    out.drop({ device: '', profile: '', reason: 'frames not an array' });
    return out.r;
  }
  const accepted = accept(frames, profiles, ctx, out);
  if (accepted.length === 0) return out.r;
  const streams = await ctx.sql.autocommit((db) => loadStreams(db, accepted.map((a) => a.frame)));
  await ctx.sql.autocommit((db) => ctx.layouts.load(db, [...streams.values()].flatMap((s) => (s.layout === null ? [] : [s.layout]))));
  const byStream = new Map<string, Accepted[]>();
  for (const a of accepted) {
    const key = streamKey(a.frame.device, a.frame.profile);
    const list = byStream.get(key);
    if (list) list.push(a);
    else byStream.set(key, [a]);
  }
  const rows: RawRow[] = [];
  const lasts: { s: StreamState; columns: FrameColumns; counters: Map<string, bigint> }[] = [];
  for (const [key, list] of byStream) {
    const s = streams.get(key) as StreamState;
    const r = streamRows(s, list, ctx, out);
    rows.push(...r.rows);
    if (r.last) lasts.push({ s, ...r.last });
  }
  if (rows.length === 0) return out.r;
  const ids = await ctx.sql.autocommit((db) => ctx.layouts.ids(db, [...rows.map((r) => r.columns), ...lasts.map((l) => l.columns)]));
  lasts.forEach((l, i) => {
    l.s.layout = ids[rows.length + i];
    l.s.prev = l.columns.map((c) => l.counters.get(c.path)?.toString() ?? null);
  });
  const min = rows.reduce((m, r) => Math.min(m, r.time), Infinity);
  const max = rows.reduce((m, r) => Math.max(m, r.time), 0);
  await ctx.partitions?.ensure(min, max);
  await write(ctx, rows, ids, lasts.map((l) => l.s));
  return out.r;
}
