/**
 * The campaign's selection: every device its query matches when it starts,
 * frozen (devices that match later are not added), shuffled so the first
 * stage is a sample of the fleet rather than its oldest devices, and cut into
 * stages. The shuffle is a hash of (campaign id, device key): taken again
 * after a crash, the snapshot is the same.
 */
import { createHash } from 'node:crypto';
import { compileDeviceQuery, streamDevices } from '../db/device-query';
import { chunks } from '../db/sql';
import type { DeviceKey, EpochMs, SqlAccess } from '../db/types';
import type { Campaign, StageSpec } from './types';

/** Devices per stage for `total` selected: a stage's percent is of the whole; the last takes the rest. */
export function stageSizes(stages: readonly StageSpec[], total: number): number[] {
  let left = total;
  return stages.map((s, i) => {
    const want = i === stages.length - 1 ? left : (s.count ?? Math.ceil(((s.percent ?? 100) * total) / 100));
    const size = Math.min(want, left);
    left -= size;
    return size;
  });
}

function shuffleKey(campaignId: string, device: DeviceKey): string {
  return createHash('sha1').update(campaignId).update('\u0000').update(device).digest('hex');
}

/** Rows per multi-row INSERT: 7 values each, under every driver's parameter limit. */
const INSERT_CHUNK = 500;

/**
 * Takes the snapshot once (the `selected` flag is set in the same
 * transaction); returns the number of devices selected, or null when another
 * tick already had.
 */
export async function takeSnapshot(sql: SqlAccess, c: Campaign, now: EpochMs): Promise<number | null> {
  const compiled = compileDeviceQuery(c.spec.query);
  if (!compiled.ok) throw new Error(`campaign ${c.id}: query.${compiled.field}: ${compiled.message}`);
  const devices: DeviceKey[] = [];
  for await (const page of streamDevices(sql, compiled.compiled)) devices.push(...page);
  const order = devices.map((d) => ({ d, k: shuffleKey(c.id, d) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const sizes = stageSizes(c.spec.stages, order.length);
  const rows: [DeviceKey, number, number][] = [];
  let ord = 0;
  sizes.forEach((size, stage) => {
    for (let i = 0; i < size; i++, ord++) rows.push([order[ord].d, stage, ord]);
  });
  return sql.transaction(async (db) => {
    const claimed = await db.run('UPDATE campaigns SET selected = 1, total = ?, stage = 0, stage_started_at = ?, updated_at = ? WHERE id = ? AND selected = 0', [rows.length, now, now, c.id]);
    if (claimed.affected === 0) return null;
    for (const chunk of chunks(rows, INSERT_CHUNK)) {
      await db.run(
        `INSERT INTO campaign_devices (campaign_id, device_key, stage, ord, status, run_id, reason, started_at, finished_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, 'pending', NULL, NULL, NULL, NULL)").join(', ')}`,
        chunk.flatMap(([d, stage, o]) => [c.id, d, stage, o]),
      );
    }
    return rows.length;
  });
}
