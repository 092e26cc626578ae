/** device_tags: written by setTags (operator) and by commitSession (a session's provisions). */
import type { DeviceKey } from './types';
import { chunks, placeholders, type Db } from './sql';

/** Adds, then removes (a tag in both lists ends up removed). Writes only what changes. */
export async function applyTags(db: Db, deviceId: number, add: string[], remove: string[]): Promise<void> {
  [...add, ...remove].forEach(checkTag);
  const removed = new Set(remove);
  await addTags(db, deviceId, add.filter((t) => !removed.has(t)));
  for (const batch of chunks([...removed], 500)) {
    db.later(`DELETE FROM device_tags WHERE device_id = ? AND tag IN ${placeholders(batch.length)}`, [deviceId, ...batch]);
  }
}

/** The device's tags, sorted ([] for an unknown device). */
export async function readTags(db: Db, deviceKey: DeviceKey): Promise<string[]> {
  const sql = `SELECT t.tag FROM device_tags t JOIN devices d ON d.id = t.device_id WHERE d.device_key = ? ORDER BY t.tag`;
  return (await db.select(sql, [deviceKey])).map((r) => String(r.tag));
}

async function addTags(db: Db, deviceId: number, add: string[]): Promise<void> {
  if (add.length === 0) return;
  // Tags compare byte for byte on both drivers (a NO PAD collation on MySQL): "a" and "a " are two tags.
  const rows = await db.select('SELECT tag FROM device_tags WHERE device_id = ?', [deviceId]);
  const have = new Set(rows.map((r) => String(r.tag)));
  const missing: string[] = [];
  for (const tag of add) {
    if (have.has(tag)) continue;
    have.add(tag);
    missing.push(tag);
  }
  for (const batch of chunks(missing, 500)) {
    const sql = `INSERT INTO device_tags (device_id, tag) VALUES ${batch.map(() => '(?, ?)').join(',')}`;
    db.later(sql, batch.flatMap((t) => [deviceId, t]));
  }
}

export function checkTag(tag: string): void {
  if (typeof tag !== 'string' || tag === '' || tag.length > 255) {
    throw new Error(`Invalid tag ${JSON.stringify(tag)}: must be 1 to 255 characters`);
  }
}

/**
 * Adds (or removes) one tag on many devices at once (those of `keys` that
 * exist): one statement. Returns how many devices changed.
 */
export async function tagMany(db: Db, keys: string[], tag: string, add: boolean): Promise<number> {
  checkTag(tag);
  if (keys.length === 0) return 0;
  const sql = add
    ? `INSERT INTO device_tags (device_id, tag) SELECT d.id, ? FROM devices d WHERE d.device_key IN ${placeholders(keys.length)}
       AND NOT EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.tag = ?)`
    : `DELETE FROM device_tags WHERE tag = ? AND device_id IN (SELECT id FROM devices WHERE device_key IN ${placeholders(keys.length)})`;
  return (await db.run(sql, add ? [tag, ...keys, tag] : [tag, ...keys])).affected;
}
