/**
 * Tags as parameters: `Tags.<name>` reads true when the device has the tag,
 * and `declare('Tags.<name>', null, { value: true | false })` adds or removes
 * it. Changes need no RPC; they are committed with the session.
 */
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

/** Synthetic rows for the view: one true boolean per tag, as fresh as the session. */
export function tagRows(stored: readonly string[], changes: TagChanges, now: EpochMs): CachedParameter[] {
  const rows: CachedParameter[] = [];
  for (const tag of currentTags(stored, changes)) {
    rows.push({
      path: `Tags.${tag}`, kind: 'leaf', value: 'true', type: 'xsd:boolean', writable: true, notification: null,
      accessList: null, valueTime: now, namesTime: now, attributesTime: null,
    });
  }
  return rows;
}

/** What the declarations ask of the tags that differs from the current ones. */
export function tagChanges(decls: readonly ChannelDeclaration[], stored: readonly string[], changes: TagChanges): TagChanges {
  const tags = currentTags(stored, changes);
  const out: TagChanges = { add: [], remove: [] };
  for (const { declaration: d } of decls) {
    if (!d.path.startsWith('Tags.') || d.values.value === undefined) continue;
    const name = d.path.slice(5);
    const want = truthy(d.values.value[0]);
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
