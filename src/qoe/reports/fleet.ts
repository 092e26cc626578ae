/**
 * The devices a report covers: the profile's streams with frames since the
 * range's start, each with its device's identity (product class, software
 * version, tags: what rows are grouped by), narrowed by a precondition.
 * One statement (two with tags); the precondition pages through the device
 * search (src/db/device-query.ts), so it is exactly what a preset matches.
 */
import { compileDeviceQuery, streamDevices } from '../../db/device-query';
import type { SqlAccess } from '../../db/types';
import { ReportInputError, type GroupBy } from './types';

export interface FleetDevice {
  stream: number;
  key: string;
  /** null when the device row is gone (deleted) but its series are kept. */
  productClass: string | null;
  softwareVersion: string | null;
  tags: string[];
}

async function matching(sql: SqlAccess, filter: string): Promise<Set<string>> {
  const compiled = compileDeviceQuery({ filter });
  if (!compiled.ok) throw new ReportInputError('filter', `filter must be a precondition: ${compiled.message}`);
  const keys = new Set<string>();
  for await (const page of streamDevices(sql, compiled.compiled, 1000)) for (const k of page) keys.add(k);
  return keys;
}

async function tagsOf(sql: SqlAccess, profile: string, since: number): Promise<Map<number, string[]>> {
  const rows = await sql.autocommit((db) =>
    db.select(
      `SELECT s.id, t.tag FROM qoe_streams s JOIN devices d ON d.device_key = s.device_key JOIN device_tags t ON t.device_id = d.id
       WHERE s.profile = ? AND s.last_time >= ?`,
      [profile, since],
    ),
  );
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const id = Number(r.id);
    const list = out.get(id);
    if (list) list.push(String(r.tag));
    else out.set(id, [String(r.tag)]);
  }
  return out;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The streams of `profile` with a frame at or after `since`, in stream id order. */
export async function fleetDevices(sql: SqlAccess, profile: string, since: number, o: { filter?: string; groupBy?: GroupBy }): Promise<FleetDevice[]> {
  const keep = o.filter ? await matching(sql, o.filter) : null;
  const tags = o.groupBy === 'tag' ? await tagsOf(sql, profile, since) : null;
  const rows = await sql.autocommit((db) =>
    db.select(
      `SELECT s.id, s.device_key, d.product_class, d.software_version FROM qoe_streams s LEFT JOIN devices d ON d.device_key = s.device_key
       WHERE s.profile = ? AND s.last_time >= ? ORDER BY s.id`,
      [profile, since],
    ),
  );
  const out: FleetDevice[] = [];
  for (const r of rows) {
    const key = String(r.device_key);
    if (keep && !keep.has(key)) continue;
    const stream = Number(r.id);
    out.push({ stream, key, productClass: text(r.product_class), softwareVersion: text(r.software_version), tags: tags?.get(stream)?.sort() ?? [] });
  }
  return out;
}

/** The groups a device counts in: one, or one per tag (none: the null group). */
export function groupsOf(d: FleetDevice, by: GroupBy): (string | null)[] {
  switch (by) {
    case 'none':
      return ['all'];
    case 'productClass':
      return [d.productClass];
    case 'softwareVersion':
      return [d.softwareVersion];
    case 'tag':
      return d.tags.length > 0 ? d.tags : [null];
  }
}
