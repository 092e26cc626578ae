/**
 * The read round: what the cache must learn before the declarations can be
 * judged, as GetParameterNames, GetParameterValues and GetParameterAttributes.
 *
 * - Listings are one level (NextLevel=true), of the smallest object that
 *   answers the question: the object a wildcard (`*` or an alias filter)
 *   runs through, the parent of a missing object or instance, the parent of a
 *   parameter whose writability is asked.
 * - A subtree listing (NextLevel=false) only where two or more wildcards
 *   would fan out level after level below the object: one RPC instead of one
 *   per object below it. It stands in for every listing under it.
 * - Never a GetParameterNames on a parameter (a leaf): a CPE answers 9005
 *   (TR-069 A.3.2.3), so a `*` that matches a parameter goes no further.
 * - A missing concrete parameter is read with GetParameterValues (existence,
 *   value and type in one round; a 9005 lists the object above it instead,
 *   see engine/recovery.ts). Values and attributes older than declared are
 *   read in one batch each.
 * - A top-level name the cache lacks ("Device." on a TR-098 CPE) is found out
 *   by listing the root: the Inform's parameters put the device's own root
 *   object in the cache, so a declared one that is not there is most likely
 *   absent, and asking for a path under it would only be refused (9005).
 * - A path the device refused (9005) in this session is never asked for
 *   again: the object above it that the cache holds is listed instead.
 * - A listing whose instances will be read next, each the same way (a `*`
 *   followed by names, an alias filter's keys), says so (`then`): the front
 *   end sends that read right after the listing's answer, in the same round,
 *   instead of an engine step planning it (see followUpOf).
 */
import type { EpochMs } from '../../db/types';
import { childrenListedAt, childrenOf, filtersMatch, type Node } from '../../sandbox/device-view';
import type { PathSegment } from '../../sandbox/path-pattern';
import type { Declaration } from '../../sandbox/types';
import { Collector } from './collect';
import type { FollowUp, PlannedRequest } from './types';

export interface Reads {
  /** Object path ("X.Y.") → NextLevel. A subtree read (false) covers a listing (true). */
  names: Collector<boolean>;
  values: Collector<true>;
  attributes: Collector<true>;
  /** Object path → the read of its listed instances the next step would plan, null where it cannot be told now. */
  follow: Map<string, FollowUp | null>;
}

export function newReads(): Reads {
  return { names: new Collector(), values: new Collector(), attributes: new Collector(), follow: new Map() };
}

/** Lists `object`; `follow`: what the next step would read under each instance found, null if not only that. */
function list(reads: Reads, object: string, channel: string, nextLevel: boolean, follow: FollowUp | null): void {
  reads.names.add(object, channel, nextLevel);
  const had = reads.follow.get(object);
  if (follow === null || had === null || !nextLevel || (had !== undefined && had.leaves !== follow.leaves)) reads.follow.set(object, null);
  else reads.follow.set(object, had === undefined ? follow : { names: [...new Set([...had.names, ...follow.names])], leaves: had.leaves });
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
 * Walks the pattern over the cache, asking for what it needs where the walk
 * cannot go on; returns the nodes it fully matched (their own attributes are
 * judged by `readMatch`).
 */
export function discover(root: Node, segments: PathSegment[], need: EpochMs, channel: string, reads: Reads, object: boolean, refused: readonly string[]): Node[] {
  const matched: Node[] = [];
  walk({ segs: segments, need, channel, reads, object, refused, out: matched }, root, 0);
  return matched;
}

interface Walk {
  segs: PathSegment[];
  need: EpochMs;
  channel: string;
  reads: Reads;
  /** The declaration is about objects (instances): its target is read by listing, not by GetParameterValues. */
  object: boolean;
  /** Paths the device answered 9005 to in this session. */
  refused: readonly string[];
  out: Node[];
}

function walk(w: Walk, node: Node, i: number): void {
  if (i === w.segs.length) return void w.out.push(node);
  // A parameter has no children: a CPE answers 9005 to a GetParameterNames of "Leaf." (TR-069 A.3.2.3).
  if (node.row?.kind === 'leaf') return;
  const seg = w.segs[i];
  if (seg.kind === 'name') {
    const child = node.children.get(seg.name);
    const last = i === w.segs.length - 1;
    if (child && !(last && w.need > 1 && existedAt(child) < w.need)) return walk(w, child, i + 1);
    if (child === undefined && childrenListedAt(node) >= w.need) return; // known absent
    askFor(w, node, i);
    return;
  }
  if (childrenListedAt(node) < w.need) {
    const object = objectPath(node);
    if (!isRefused(w.refused, object)) list(w.reads, object, w.channel, listsOneLevel(w.segs.slice(i)), node.children.size > 0 ? null : followUpOf(w, object, i));
    return;
  }
  for (const child of childrenOf(node)) {
    if (seg.kind === 'alias' && !keysKnown(w, child, seg)) continue;
    if (seg.kind === 'any' || filtersMatch(child, seg.filters)) walk(w, child, i + 1);
  }
}

/**
 * The cache lacks segment i under `node`. A concrete rest naming a parameter
 * is read with GetParameterValues at once (existence, value and type in one
 * round). Otherwise the object that holds what comes next is listed: the
 * object the first wildcard runs through (one level, or its subtree when more
 * wildcards follow: `listsOneLevel`), or the parent of the object or instance
 * a concrete path ends in (one level). Under the root, and instead of a path
 * the device refused, `node` itself is listed: it is known to exist.
 */
function askFor(w: Walk, node: Node, i: number): void {
  const here = objectPath(node);
  if (node.path === '') return list(w.reads, here, w.channel, true, null);
  const rest = w.segs.slice(i);
  const wild = rest.findIndex((s) => s.kind !== 'name');
  const names = (wild < 0 ? rest : rest.slice(0, wild)).map((s) => (s as { name: string }).name);
  const target = here + names.join('.');
  const read = wild < 0 && !w.object && !/^\d+$/.test(names[names.length - 1]);
  const asked = read ? target : wild >= 0 ? `${target}.` : parentObject(target);
  if (isRefused(w.refused, asked)) {
    if (!isRefused(w.refused, here)) list(w.reads, here, w.channel, true, null);
  } else if (read) {
    w.reads.values.add(target, w.channel, true);
  } else {
    // The cache lacks `target` (a name before it is missing): nothing under it is known either.
    list(w.reads, asked, w.channel, wild < 0 || listsOneLevel(rest.slice(wild)), wild < 0 ? null : followUpOf(w, asked, i + wild));
  }
}

/**
 * What the walk will ask under each object a listing of `object` returns,
 * when it is the same read for each and the cache knows nothing under
 * `object` (else some instance might need nothing, or other reads): the
 * wildcard at segment `i` followed by names only (a parameter under each
 * instance: one GetParameterValues of them all, as askFor plans it once the
 * instances are known), or an alias filter (its keys, under every child, as
 * keysKnown asks them). null: no such read, or not one the front end can make
 * alone (an object declared, a path the device refused under it).
 */
function followUpOf(w: Walk, object: string, i: number): FollowUp | null {
  if (w.refused.some((r) => r.startsWith(object) || object.startsWith(r))) return null;
  const seg = w.segs[i];
  if (seg.kind === 'alias') return { names: [...new Set(seg.filters.map((f) => f.key.join('.')))], leaves: true };
  const rest = w.segs.slice(i + 1);
  if (seg.kind !== 'any' || w.object || rest.length === 0 || rest.some((s) => s.kind !== 'name')) return null;
  const names = rest.map((s) => (s as { name: string }).name);
  return /^\d+$/.test(names[names.length - 1]) ? null : { names: [names.join('.')], leaves: false };
}

/** Whether the device refused `path` or an object above it in this session. */
export function isRefused(refused: readonly string[], path: string): boolean {
  return refused.some((r) => r === path || (r.endsWith('.') && path.startsWith(r)));
}

/**
 * NextLevel for listing the object the wildcard segments `rest` run through:
 * one level when a single wildcard fans out there; the whole subtree when
 * more follow, since each further level would cost one listing per object
 * (Device.*.*.* on TR-181: 1 RPC instead of 274, see
 * test/engine/discovery.test.ts).
 */
function listsOneLevel(rest: readonly PathSegment[]): boolean {
  return rest.filter((s) => s.kind !== 'name').length < 2;
}

/** When the cache last saw the path exist: listed, or read. */
function existedAt(node: Node): EpochMs {
  return Math.max(node.row?.namesTime ?? 0, node.row?.valueTime ?? 0);
}

/** An instance's alias keys must be known (and as fresh as the list) before it can be matched. */
function keysKnown(w: Walk, instance: Node, seg: Extract<PathSegment, { kind: 'alias' }>): boolean {
  let known = true;
  for (const f of seg.filters) {
    let node: Node | undefined = instance;
    for (const name of f.key) node = node?.children.get(name);
    const path = `${instance.path}.${f.key.join('.')}`;
    if (node === undefined) {
      if (childrenListedAt(instance) >= w.need) continue; // the instance's children were listed: it has no such key
      w.reads.values.add(path, w.channel, true);
      known = false;
    } else if (node.row?.kind === 'leaf' && (node.row.valueTime ?? 0) < w.need) {
      w.reads.values.add(path, w.channel, true);
      known = false;
    }
  }
  return known;
}

/** What a matched node still needs read: names (writability, object flag), value, attributes. */
export function readMatch(node: Node, d: Declaration, valueTime: EpochMs, channel: string, reads: Reads): void {
  const row = node.row;
  const t = d.timestamps;
  const leaf = row?.kind === 'leaf';
  const namesTime = row?.namesTime ?? 0;
  const parent = parentObject(node.path);
  if ((t.writable ?? 0) > namesTime || (t.object ?? 0) > namesTime) list(reads, parent, channel, true, null);
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
  withFollowUps(out, reads);
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

/**
 * Each listing gets its `then` only when every listing of the round has one
 * and no other read of the round lies under them: the next step would then
 * plan exactly the follow-ups' reads (one GetParameterValues for them all),
 * so sending them at once changes the round they go in and nothing else. A
 * listing without one would leave reads for the next step that it would
 * have sent with the follow-ups, in one GetParameterValues.
 */
function withFollowUps(listings: PlannedRequest[], reads: Reads): void {
  const follow = listings.map((r) => (r.request.method === 'GetParameterNames' ? reads.follow.get(r.request.ParameterPath) : undefined));
  if (follow.some((f) => f === null || f === undefined)) return;
  const others = [...reads.values.entries(), ...reads.attributes.entries()].map((e) => e.key);
  const objects = listings.map((r) => (r.request.method === 'GetParameterNames' ? r.request.ParameterPath : ''));
  if (others.some((k) => objects.some((o) => k.startsWith(o)))) return;
  listings.forEach((r, i) => {
    r.then = follow[i] as FollowUp;
  });
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
