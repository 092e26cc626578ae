/**
 * Whether a declaration is already met by what the cache holds: the default
 * rule behind `commit()`. The engine's planner decides the same question
 * when it works out RPCs; a view backed by the planner can answer with it.
 *
 * A declaration is met when
 * - the path's listing is as fresh as `timestamps.path` (wildcards: the
 *   instance lists they enumerate);
 * - the number of matches fits `values.instances`;
 * - every matched entry has each attribute read at or after its timestamp
 *   (values only for leaves) and equals each declared value, notification
 *   and access list;
 * - when nothing matches but something was asked of the matches, the
 *   absence is known (the path's parent was listed at least once).
 */
import type { MatchResult } from './device-view';
import type { Declaration, DeclarationTimestamps, ViewEntry } from './types';
import { sameValue } from './values';

const ATTRIBUTES = ['object', 'writable', 'value', 'notification', 'accessList'] as const;

export function declarationMet(d: Declaration, match: MatchResult): boolean {
  const { timestamps: t, values: v } = d;
  if (t.path !== undefined && match.listedAt < t.path) return false;
  if (v.instances !== undefined && !countFits(match.entries.length, v.instances)) return false;
  if (match.entries.length === 0) return !asksOfEntries(d) || match.listedAt > 0;
  return match.entries.every((e) => entryMet(e, d));
}

function countFits(count: number, wanted: number | [number, number]): boolean {
  return typeof wanted === 'number' ? count === wanted : count >= wanted[0] && count <= wanted[1];
}

function asksOfEntries(d: Declaration): boolean {
  const { value, notification, accessList } = d.values;
  return value !== undefined || notification !== undefined || accessList !== undefined ||
    ATTRIBUTES.some((a) => d.timestamps[a] !== undefined);
}

function entryMet(e: ViewEntry, d: Declaration): boolean {
  return freshEnough(e, d.timestamps) && valuesMet(e, d);
}

function freshEnough(e: ViewEntry, t: DeclarationTimestamps): boolean {
  for (const a of ATTRIBUTES) {
    const wanted = t[a];
    if (wanted === undefined || (a === 'value' && e.object)) continue;
    if ((e.timestamps[a] ?? 0) < wanted) return false;
  }
  return true;
}

function valuesMet(e: ViewEntry, d: Declaration): boolean {
  const { value, notification, accessList } = d.values;
  if (value !== undefined && !e.object) {
    if (e.value === undefined) return false;
    if (value[1] !== undefined && e.type !== undefined && value[1] !== e.type) return false;
    if (!sameValue(e.value, e.type ?? value[1], value[0])) return false;
  }
  if (notification !== undefined && e.notification !== notification) return false;
  if (accessList !== undefined && !sameSet(e.accessList, accessList)) return false;
  return true;
}

function sameSet(current: readonly string[] | undefined, wanted: readonly string[]): boolean {
  if (current === undefined) return false;
  const a = new Set(current), b = new Set(wanted);
  return a.size === b.size && [...a].every((x) => b.has(x));
}
