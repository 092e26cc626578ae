/**
 * A device's cached data model held in memory while an engine worker plans a
 * session: the same rows and the same cache ops (db/cache-ops.ts) as the SQL
 * table, so the planner sees exactly what the commit will store. The rows are
 * kept as the path tree the view and the planner walk, updated in place, so a
 * step does not rebuild it from thousands of rows.
 */
import { applyInform, applyOp, type ParamRows } from '../db/cache-ops';
import type { CacheOp, CachedParameter, EpochMs, InformRecord } from '../db/types';
import { ROOT_LISTING } from '../model/root-listing';
import { newNode, placeRow, type Node } from '../sandbox/device-view';

export class MemoryTable implements ParamRows {
  private readonly rows = new Map<string, CachedParameter>();
  readonly root: Node = newNode('');

  constructor(rows: Iterable<CachedParameter> = []) {
    for (const r of rows) this.put(r);
  }

  /** Replaces every row (the tree object stays the same). */
  reset(rows: Iterable<CachedParameter>): void {
    this.rows.clear();
    this.root.children.clear();
    this.root.row = null;
    for (const r of rows) this.put(r);
  }

  all(): IterableIterator<CachedParameter> {
    return this.rows.values();
  }

  get(path: string): CachedParameter | undefined {
    return this.rows.get(path);
  }

  get size(): number {
    return this.rows.size;
  }

  applyInform(inform: InformRecord): Promise<void> {
    return applyInform(this, inform);
  }

  applyOp(op: CacheOp): Promise<void> {
    return applyOp(this, op);
  }

  async load(paths: string[]): Promise<Map<string, CachedParameter>> {
    const out = new Map<string, CachedParameter>();
    for (const p of paths) {
      const row = this.rows.get(p);
      if (row) out.set(p, row);
    }
    return out;
  }

  async loadPrefix(prefix: string): Promise<CachedParameter[]> {
    return this.under(prefix);
  }

  async listPrefix(prefix: string): Promise<string[]> {
    return this.under(prefix).map((r) => r.path);
  }

  async write(rows: CachedParameter[]): Promise<void> {
    for (const r of rows) this.put(r);
  }

  async deletePaths(paths: string[]): Promise<void> {
    for (const p of paths) {
      if (!this.rows.delete(p)) continue;
      if (p === ROOT_LISTING) this.root.row = null;
      const node = this.nodeOf(p);
      if (node) node.row = null;
      this.prune(p);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const r of this.under(prefix)) this.rows.delete(r.path);
    if (prefix === '') {
      this.root.children.clear();
      this.root.row = null;
      return;
    }
    const path = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
    const parent = this.nodeOf(parentPath(path));
    parent?.children.delete(path.slice(path.lastIndexOf('.') + 1));
    this.prune(parentPath(path));
  }

  private put(row: CachedParameter): void {
    this.rows.set(row.path, row);
    placeRow(this.root, row);
    if (row.path === ROOT_LISTING) this.root.row = rootListed(row.valueTime ?? 0);
  }

  /** Rows at and below `prefix` (an object path ending in "."; "" for all), from the tree. */
  private under(prefix: string): CachedParameter[] {
    if (prefix === '') return [...this.rows.values()];
    if (!prefix.endsWith('.')) {
      const row = this.rows.get(prefix);
      return row ? [row] : [];
    }
    const node = this.nodeOf(prefix);
    const out: CachedParameter[] = [];
    const visit = (n: Node): void => {
      if (n.row) out.push(n.row);
      for (const c of n.children.values()) visit(c);
    };
    if (node) visit(node);
    return out;
  }

  private nodeOf(path: string): Node | undefined {
    const p = path.endsWith('.') ? path.slice(0, -1) : path;
    if (p === '') return this.root;
    let node: Node | undefined = this.root;
    for (const name of p.split('.')) node = node?.children.get(name);
    return node;
  }

  /** Drops nodes left with neither a row nor children, from `path` up. */
  private prune(path: string): void {
    let p = path.endsWith('.') ? path.slice(0, -1) : path;
    while (p !== '') {
      const node = this.nodeOf(p);
      if (!node || node.row !== null || node.children.size > 0) return;
      this.nodeOf(parentPath(p))?.children.delete(p.slice(p.lastIndexOf('.') + 1));
      p = parentPath(p);
    }
  }
}

/**
 * The root's own row in the tree, from its listing stamp (model/root-listing.ts):
 * the planner reads when an object's children were listed from its row, and
 * the store keeps no row for "".
 */
function rootListed(time: EpochMs): CachedParameter {
  return { path: '', kind: 'object', value: null, type: null, writable: false, notification: null, accessList: null, valueTime: time, namesTime: time, attributesTime: null };
}

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}
