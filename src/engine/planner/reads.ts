/**
 * The read round: what the cache must learn before the declarations can be
 * judged. Discovery (GetParameterNames) is aimed at the smallest object that
 * answers the question: a missing parameter lists its parent (NextLevel=true),
 * a missing object or an instance list that more segments run through is read
 * as a subtree (NextLevel=false), never the whole tree. Values and attributes
 * that are older than declared are read in one batch each.
 */
import type { EpochMs } from '../../db/types';
import { childrenListedAt, filtersMatch, type Node } from '../../sandbox/device-view';
import type { PathSegment } from '../../sandbox/path-pattern';
import type { Declaration } from '../../sandbox/types';
import { Collector } from './collect';
import type { PlannedRequest } from './types';

export interface Reads {
  /** Object path ("X.Y.") → NextLevel. A subtree read (false) covers a listing (true). */
  names: Collector<boolean>;
  values: Collector<true>;
  attributes: Collector<true>;
}

export function newReads(): Reads {
  return { names: new Collector(), values: new Collector(), attributes: new Collector() };
}

/** When a declaration needs its path known at all: it asks something of its matches. */
export function pathNeed(d: Declaration): EpochMs | undefined {
  if (d.timestamps.path !== undefined) return d.timestamps.path;
  const v = d.values;
  const asks = v.value !== undefined || v.notification !== undefined || v.accessList !== undefined || v.instances !== undefined;
  const t = d.timestamps;
  return asks || t.value !== undefined || t.writable !== undefined || t.object !== undefined ||
    t.notification !== undefined || t.accessList !== undefined ? 1 : undefined;
}

/**
 * Walks the pattern over the cache, asking for names where the walk cannot
 * go on; returns the nodes it fully matched (their own attributes are judged
 * by `readMatches`).
 */
export function discover(root: Node, segments: PathSegment[], need: EpochMs, channel: string, reads: Reads): Node[] {
  const matched: Node[] = [];
  walk(root, segments, 0, need, channel, reads, matched);
  return matched;
}

function walk(node: Node, segs: PathSegment[], i: number, need: EpochMs, channel: string, reads: Reads, out: Node[]): void {
  if (i === segs.length) return void out.push(node);
  const seg = segs[i];
  const last = i === segs.length - 1;
  if (seg.kind === 'name') {
    const child = node.children.get(seg.name);
    if (child && !(last && need > 1 && (child.row?.namesTime ?? 0) < need)) return walk(child, segs, i + 1, need, channel, reads, out);
    if (child === undefined && childrenListedAt(node) >= need) return; // known absent
    if (last || child !== undefined) reads.names.add(objectPath(node), channel, true);
    else reads.names.add(`${objectPath(node)}${seg.name}.`, channel, false);
    return;
  }
  if (childrenListedAt(node) < need) {
    // A list with more segments below (or filters to test) is read whole: one round instead of one per level.
    reads.names.add(objectPath(node), channel, last && seg.kind === 'any');
    return;
  }
  for (const child of node.children.values()) {
    if (seg.kind === 'alias' && !keysKnown(child, seg, need, channel, reads)) continue;
    if (seg.kind === 'any' || filtersMatch(child, seg.filters)) walk(child, segs, i + 1, need, channel, reads, out);
  }
}

/** An instance's alias keys must be known (and as fresh as the list) before it can be matched. */
function keysKnown(instance: Node, seg: Extract<PathSegment, { kind: 'alias' }>, need: EpochMs, channel: string, reads: Reads): boolean {
  let known = true;
  for (const f of seg.filters) {
    let node: Node | undefined = instance;
    for (const name of f.key) node = node?.children.get(name);
    if (node === undefined) {
      if ((instance.row?.namesTime ?? 0) >= need) continue; // the instance was listed: it has no such key
      reads.names.add(objectPath(instance), channel, false);
      known = false;
    } else if ((node.row?.valueTime ?? 0) < need && node.row?.kind === 'leaf') {
      reads.values.add(node.path, channel, true);
      known = false;
    }
  }
  return known;
}

/** What a matched node still needs read: its value, attributes, or (for a write) its writability. */
export function readMatch(node: Node, d: Declaration, valueTime: EpochMs, channel: string, reads: Reads): void {
  const row = node.row;
  const t = d.timestamps;
  const leaf = row?.kind === 'leaf';
  const namesTime = row?.namesTime ?? 0;
  const parent = parentObject(node.path);
  if ((t.writable ?? 0) > namesTime || (t.object ?? 0) > namesTime) reads.names.add(parent, channel, true);
  // Writing needs to know the parameter is writable; a device refuses a whole SetParameterValues for one that is not.
  if (leaf && d.values.value !== undefined && row.writable === null) reads.names.add(parent, channel, true);
  if (leaf && (t.value ?? 0) > valueTime) reads.values.add(node.path, channel, true);
  const attributesTime = row?.attributesTime ?? 0;
  if ((t.notification ?? 0) > attributesTime || (t.accessList ?? 0) > attributesTime) reads.attributes.add(leaf ? node.path : `${node.path}.`, channel, true);
}

export function readRequests(reads: Reads): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const subtrees = reads.names.entries().filter((e) => !e.value).map((e) => e.key);
  for (const { key, value: nextLevel, channels } of reads.names.entries()) {
    // A subtree read answers every listing and subtree below it.
    if (subtrees.some((s) => s !== key && key.startsWith(s))) continue;
    if (nextLevel && subtrees.includes(key)) continue;
    out.push({ request: { method: 'GetParameterNames', ParameterPath: key, NextLevel: nextLevel }, channels });
  }
  const values = reads.values.entries();
  if (values.length > 0) {
    out.push({ request: { method: 'GetParameterValues', ParameterNames: values.map((e) => e.key) }, channels: union(values) });
  }
  const attributes = reads.attributes.entries();
  if (attributes.length > 0) {
    out.push({ request: { method: 'GetParameterAttributes', ParameterNames: attributes.map((e) => e.key) }, channels: union(attributes) });
  }
  return out;
}

export function union(entries: { channels: string[] }[]): string[] {
  return [...new Set(entries.flatMap((e) => e.channels))];
}

function objectPath(node: Node): string {
  return node.path === '' ? '' : `${node.path}.`;
}

/** "A.B.C" → "A.B."; a top-level name's parent is "" (the whole tree: only its own listing is asked, NextLevel=true). */
export function parentObject(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot + 1);
}
