/**
 * The root's row when a vendor profile skips the root's listing: the root
 * counts as listed at the session's start, so a top-level name the cache
 * lacks ("Device." on a TR-098 CPE whose Inform put InternetGatewayDevice in
 * the cache) is known absent without a GetParameterNames of "". Only the
 * step's view gets it: nothing is stored, so dropping the profile brings the
 * engine's own listing back.
 */
import type { CachedParameter, EpochMs } from '../db/types';

export function listedRoot(row: CachedParameter | null, now: EpochMs): CachedParameter {
  if (row && (row.valueTime ?? 0) >= now) return row;
  return { path: '', kind: 'object', value: null, type: null, writable: false, notification: null, accessList: null, valueTime: now, namesTime: now, attributesTime: null };
}
