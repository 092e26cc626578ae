/**
 * Which stored rows a path needs loaded: a session loads only the parts of
 * the device's cached model its presets and provisions look at (a periodic
 * refresh of ten parameters reads tens of rows, not the thousands a device
 * has).
 */
import { parsePattern } from '../sandbox/path-pattern';

/** Roots that are never stored rows. */
const UNSTORED: ReadonlySet<string> = new Set(['DeviceID', 'Events', 'Tags', 'VirtualParameters']);

/**
 * The prefix to load for a path pattern: the object holding a concrete path
 * ("A.B.C" → "A.B."), the object a wildcard or alias filter lists
 * ("A.B.*.C" → "A.B."), the row itself for a one-segment path ("Reboot"),
 * "" (everything) for a pattern starting with a wildcard; null for paths
 * that are not stored (DeviceID.*, Tags.* ...) or do not parse.
 */
export function prefixOf(pattern: string): string | null {
  let segments;
  try {
    segments = parsePattern(pattern);
  } catch {
    return null;
  }
  const first = segments[0];
  if (first.kind === 'name' && UNSTORED.has(first.name)) return null;
  const wild = segments.findIndex((s) => s.kind !== 'name');
  const names = (wild < 0 ? segments : segments.slice(0, wild)).map((s) => (s as { name: string }).name);
  if (wild < 0) return names.length === 1 ? names[0] : `${names.slice(0, -1).join('.')}.`;
  return names.length === 0 ? '' : `${names.join('.')}.`;
}

/** Whether rows under `prefix` are loaded when `loaded` were. */
export function covered(loaded: readonly string[], prefix: string): boolean {
  return loaded.some((l) => l === '' || l === prefix || (l.endsWith('.') && prefix.startsWith(l)));
}
