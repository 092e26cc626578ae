/**
 * Redis Cluster hash tags. A Lua script or a MULTI may only touch keys of
 * one hash slot, and only the part of a key between its first `{` and the
 * next `}` decides the slot. So on a cluster the keys coordinated with one
 * device (its lock, its session and log, its connection-request marks) and
 * the sorted sets they are moved in and out of (session deadlines, claims,
 * touches) carry the tag of one of CLUSTER_SHARDS shards, `{s0}` … `{s15}`:
 * a device always maps to the same shard, and the shards spread the load
 * over the cluster's masters. The sets become one per shard, which the
 * sweepers read in turn.
 *
 * On a single Redis there are no tags and one shard: key names are the ones
 * of before cluster support, so a running deployment's keys (sessions in
 * flight, touches, claims) stay valid across an upgrade.
 */

/** What decides the key layout: the connection (ioredis sets `isCluster` on a Cluster). */
export interface KeyLayout {
  readonly isCluster: boolean;
}

/** Shards on a cluster: enough to spread over a few masters, few enough for a sweep to read each set every second. */
export const CLUSTER_SHARDS = 16;

/** The shards of `layout`: [0] on a single Redis. */
export function shardsOf(layout: KeyLayout): number[] {
  return layout.isCluster ? Array.from({ length: CLUSTER_SHARDS }, (_, i) => i) : [0];
}

/** The shard of a device (FNV-1a of its key): the same in every process. */
export function shardOfDevice(layout: KeyLayout, deviceKey: string): number {
  if (!layout.isCluster) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceKey.length; i++) h = Math.imul(h ^ deviceKey.charCodeAt(i), 0x01000193);
  return (h >>> 0) % CLUSTER_SHARDS;
}

/** The hash tag of a shard: '' on a single Redis. */
export function shardTag(layout: KeyLayout, shard: number): string {
  return layout.isCluster ? `{s${shard}}` : '';
}

/** The hash tag of a device's keys. */
export function deviceTag(layout: KeyLayout, deviceKey: string): string {
  return shardTag(layout, shardOfDevice(layout, deviceKey));
}
