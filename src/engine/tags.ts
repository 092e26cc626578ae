/**
 * Tags as parameters: `Tags.<name>` reads true when the device has the tag,
 * and `declare('Tags.<name>', null, { value: true | false })` adds or removes
 * it. Changes need no RPC; they are committed with the session.
 */
import type { XsdType } from '../cwmp/soap/types';
import type { CachedParameter, EpochMs } from '../db/types';
import type { ChannelDeclaration } from './planner/types';

export interface TagChanges {
  add: string[];
  remove: string[];
}

/** The device's tags as it stands in this session (stored, then this session's changes). */
export function currentTags(stored: readonly string[], changes: TagChanges): Set<string> {
  const tags = new Set(stored);
  for (const t of changes.remove) tags.delete(t);
  for (const t of changes.add) tags.add(t);
  return tags;
}

/**
 * Synthetic rows for the view: one true boolean per tag, as fresh as the
 * session, under a `Tags.` object whose list is complete (an absent tag is
 * known absent).
 */
export function tagRows(stored: readonly string[], changes: TagChanges, now: EpochMs): CachedParameter[] {
  const rows = [syntheticRow('Tags.', null, null, now)];
  for (const tag of currentTags(stored, changes)) rows.push(syntheticRow(`Tags.${tag}`, 'true', 'xsd:boolean', now));
  return rows;
}

/** A row the session makes up (tags, virtual parameters): read and listed at `now`, writable. */
export function syntheticRow(path: string, value: string | null, type: XsdType | null, now: EpochMs): CachedParameter {
  const kind = path.endsWith('.') ? 'object' : 'leaf';
  return { path, kind, value, type, writable: true, notification: null, accessList: null, valueTime: now, namesTime: now, attributesTime: null };
}

/** What the declarations ask of the tags that differs from the current ones; the last declaration of a tag wins. */
export function tagChanges(decls: readonly ChannelDeclaration[], stored: readonly string[], changes: TagChanges): TagChanges {
  const tags = currentTags(stored, changes);
  const wanted = new Map<string, boolean>();
  for (const { declaration: d } of decls) {
    if (d.path.startsWith('Tags.') && d.values.value !== undefined) wanted.set(d.path.slice(5), truthy(d.values.value[0]));
  }
  const out: TagChanges = { add: [], remove: [] };
  for (const [name, want] of wanted) {
    if (want && !tags.has(name)) out.add.push(name);
    if (!want && tags.has(name)) out.remove.push(name);
  }
  return out;
}

function truthy(v: string | number | boolean): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

export function applyTagChanges(into: TagChanges, changes: TagChanges): void {
  for (const t of changes.add) {
    into.remove = into.remove.filter((x) => x !== t);
    if (!into.add.includes(t)) into.add.push(t);
  }
  for (const t of changes.remove) {
    into.add = into.add.filter((x) => x !== t);
    if (!into.remove.includes(t)) into.remove.push(t);
  }
}
