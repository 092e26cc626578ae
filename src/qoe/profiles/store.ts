/** The collection profiles written through the REST API (table qoe_profiles). */
import type { SqlAccess } from '../../db/types';
import type { CollectionProfile } from '../types';
import { profileBodySchema, profileOf } from './schema';

export interface StoredProfile {
  profile: CollectionProfile;
  updatedAt: number;
  updatedBy: string;
}

export class ProfileStore {
  constructor(readonly sql: SqlAccess) {}

  /** Every stored profile that still reads as one (a row that does not is skipped, named in `problems`). */
  async list(): Promise<{ profiles: StoredProfile[]; problems: string[] }> {
    const rows = await this.sql.autocommit((db) => db.select('SELECT name, definition, updated_at, updated_by FROM qoe_profiles ORDER BY name'));
    const profiles: StoredProfile[] = [];
    const problems: string[] = [];
    for (const r of rows) {
      const name = String(r.name);
      const parsed = profileBodySchema.safeParse(parseJson(String(r.definition)));
      if (!parsed.success) problems.push(`stored collection profile ${name} is not valid: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
      else profiles.push({ profile: profileOf(name, parsed.data), updatedAt: Number(r.updated_at), updatedBy: String(r.updated_by) });
    }
    return { profiles, problems };
  }

  /** Writes `profile` under its name (replacing one stored before); true when it was new. */
  async put(profile: CollectionProfile, by: string): Promise<boolean> {
    const { name, ...definition } = profile;
    const json = JSON.stringify(definition);
    const now = Date.now();
    return this.sql.transaction(async (db) => {
      const existing = await db.select('SELECT name FROM qoe_profiles WHERE name = ?', [name]);
      if (existing.length > 0) await db.run('UPDATE qoe_profiles SET definition = ?, updated_at = ?, updated_by = ? WHERE name = ?', [json, now, by, name]);
      else await db.run('INSERT INTO qoe_profiles (name, definition, updated_at, updated_by) VALUES (?, ?, ?, ?)', [name, json, now, by]);
      return existing.length === 0;
    });
  }

  async delete(name: string): Promise<boolean> {
    return (await this.sql.autocommit((db) => db.run('DELETE FROM qoe_profiles WHERE name = ?', [name]))).affected > 0;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
