/**
 * A {@link DeviceView} over an in-memory copy of a device's cached
 * parameters (rows shaped like the store's CachedParameter): the session
 * loads them once, the sandbox queries them synchronously.
 *
 * The rows become a tree of path segments, built once per view; a lookup
 * walks it, fanning out at `*` and alias filters.
 */
import type { CachedParameter, EpochMs } from '../db/types';
import { parsePattern, type AliasFilter, type PathSegment } from './path-pattern';
import { declarationMet } from './satisfy';
import type { Declaration, DeviceView, ViewEntry } from './types';
import { sameValue } from './values';

export interface Node {
  /** Path without a trailing "." ("" for the root). */
  path: string;
  /** The cached row; null for objects only implied by the rows below them. */
  row: CachedParameter | null;
  children: Map<string, Node>;
  /** Children were added since they were last sorted (see childrenOf). */
  unsorted?: boolean;
}

/** What a pattern matched, and since when the match is known to be complete. */
export interface MatchResult {
  entries: ViewEntry[];
  /**
   * The oldest of: the names time of each matched entry, and for every
   * object whose children the pattern enumerated (or in which a named child
   * was missing), when that list of children was read. 0 if never.
   */
  listedAt: EpochMs;
}

export interface MemoryViewOptions {
  /**
   * The Inform of this session: its parameters are as fresh as its time even
   * where the stored value_time is older (the store skips rewriting unchanged
   * Inform values).
   */
  inform?: { time: EpochMs; parameters: Iterable<string> };
}

export class MemoryDeviceView implements DeviceView {
  constructor(
    readonly root: Node,
    private readonly informTime: EpochMs,
    private readonly informPaths: ReadonlySet<string>,
  ) {}

  static from(rows: Iterable<CachedParameter>, options: MemoryViewOptions = {}): MemoryDeviceView {
    const inform = options.inform;
    return new MemoryDeviceView(buildTree(rows), inform?.time ?? 0, new Set(inform?.parameters ?? []));
  }

  lookup(pattern: string): ViewEntry[] {
    return this.match(pattern).entries;
  }

  match(pattern: string): MatchResult {
    const segments = parsePattern(pattern);
    const nodes: Node[] = [];
    const listed: Node[] = [];
    walk(this.root, segments, 0, nodes, listed);
    const entries = nodes.map((n) => this.entryOf(n));
    let listedAt = Infinity;
    for (const e of entries) listedAt = Math.min(listedAt, e.timestamps.path ?? 0);
    for (const n of listed) listedAt = Math.min(listedAt, childrenListedAt(n));
    return { entries, listedAt: listedAt === Infinity ? 0 : listedAt };
  }

  satisfied(declarations: readonly Declaration[]): boolean {
    return declarations.every((d) => declarationMet(d, this.match(d.path)));
  }

  private entryOf(node: Node): ViewEntry {
    const row = node.row;
    if (row === null) return { path: node.path, object: true, timestamps: {} };
    const entry: ViewEntry = { path: node.path, object: row.kind !== 'leaf', timestamps: {} };
    if (row.value !== null && row.kind === 'leaf') entry.value = row.value;
    if (row.type !== null) entry.type = row.type;
    if (row.writable !== null) entry.writable = row.writable;
    if (row.notification !== null) entry.notification = row.notification;
    if (row.accessList !== null) entry.accessList = [...row.accessList];
    const ts = entry.timestamps;
    if (row.namesTime !== null) ts.path = ts.object = ts.writable = row.namesTime;
    // An object's valueTime is when its children were listed: it has no value to be fresh.
    const valueTime = row.kind !== 'leaf' ? null : this.informPaths.has(row.path) ? Math.max(row.valueTime ?? 0, this.informTime) : row.valueTime;
    if (valueTime !== null && valueTime > 0) ts.value = valueTime;
    if (row.attributesTime !== null) ts.notification = ts.accessList = row.attributesTime;
    return entry;
  }
}

export function buildTree(rows: Iterable<CachedParameter>): Node {
  const root = newNode('');
  for (const row of rows) placeRow(root, row);
  return root;
}

export function newNode(path: string): Node {
  return { path, row: null, children: new Map() };
}

/** Puts a row in the tree, creating the nodes above it; returns its node (undefined for the root row ""). */
export function placeRow(root: Node, row: CachedParameter): Node | undefined {
  const path = row.path.endsWith('.') ? row.path.slice(0, -1) : row.path;
  if (path === '') return undefined;
  let node = root;
  for (const name of path.split('.')) {
    let child = node.children.get(name);
    if (!child) {
      child = newNode(node.path === '' ? name : `${node.path}.${name}`);
      node.children.set(name, child);
      node.unsorted = true;
    }
    node = child;
  }
  node.row = row;
  return node;
}

/**
 * A node's children in the order a person lists them: instances by number,
 * other names as text. Sorted lazily, when first listed after a change.
 */
export function childrenOf(node: Node): IterableIterator<Node> {
  if (node.unsorted) {
    node.children = new Map([...node.children.entries()].sort(([a], [b]) => compareNames(a, b)));
    node.unsorted = false;
  }
  return node.children.values();
}

function compareNames(a: string, b: string): number {
  const na = /^\d+$/.test(a), nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function walk(node: Node, segments: readonly PathSegment[], i: number, out: Node[], listed: Node[]): void {
  if (i === segments.length) {
    out.push(node);
    return;
  }
  const segment = segments[i];
  if (segment.kind === 'name') {
    const child = node.children.get(segment.name);
    if (child) walk(child, segments, i + 1, out, listed);
    else listed.push(node); // known absent only as of the parent's listing
    return;
  }
  listed.push(node);
  for (const child of childrenOf(node)) {
    if (segment.kind === 'any' || filtersMatch(child, segment.filters)) walk(child, segments, i + 1, out, listed);
  }
}

export function filtersMatch(instance: Node, filters: readonly AliasFilter[]): boolean {
  return filters.every((f) => {
    let node: Node | undefined = instance;
    for (const name of f.key) node = node?.children.get(name);
    const row = node?.row;
    return row != null && row.kind === 'leaf' && row.value !== null && sameValue(row.value, row.type ?? undefined, f.value);
  });
}

/**
 * When the list of `node`'s children was last read: the object's own stamp
 * (its valueTime, set by a listing of it, NextLevel=true, or of a subtree
 * above it); 0 if never. An object named by its parent's listing has only a
 * names time: its own children were never listed. (The children's names
 * times say nothing of the list: they may come from deeper listings, or the
 * rows may be a part of the device's model loaded for one session.)
 */
export function childrenListedAt(node: Node): EpochMs {
  return node.row && node.row.kind !== 'leaf' ? (node.row.valueTime ?? 0) : 0;
}
