/**
 * The parameter tree of one device's cached data model: children by parent
 * path, made once per load, so expanding a node only renders its children.
 */
import type { CachedParameter } from '../../db/types';

/** What the tree shows of a cached parameter (db/types.ts); objects it implies have only a path and kind. */
export type Parameter = Pick<CachedParameter, 'path' | 'kind' | 'value' | 'type' | 'writable' | 'valueTime'>;

export interface Tree {
  roots: Parameter[];
  children: Map<string, Parameter[]>;
}

/** "Device.WiFi.SSID.1." → "Device.WiFi.SSID."; "Device.DeviceInfo.UpTime" → "Device.DeviceInfo."; a root → "". */
export function parentOf(path: string): string {
  const trimmed = path.endsWith('.') ? path.slice(0, -1) : path;
  const dot = trimmed.lastIndexOf('.');
  return dot < 0 ? '' : trimmed.slice(0, dot + 1);
}

export function nameOf(path: string): string {
  const trimmed = path.endsWith('.') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('.') + 1);
}

const objectOf = (path: string): Parameter => ({ path, kind: /\.\d+\.$/.test(path) ? 'instance' : 'object', value: null, type: null, writable: null, valueTime: null });

/** Instances in numeric order, then the rest by name. */
function compare(a: Parameter, b: Parameter): number {
  const [x, y] = [nameOf(a.path), nameOf(b.path)];
  const [nx, ny] = [Number(x), Number(y)];
  if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function buildTree(parameters: Parameter[]): Tree {
  const byPath = new Map(parameters.map((p) => [p.path, p]));
  const children = new Map<string, Parameter[]>();
  const add = (p: Parameter) => {
    const parent = parentOf(p.path);
    if (parent !== '' && !byPath.has(parent)) {
      // A leaf read without its object listed: the object is implied.
      const implied = objectOf(parent);
      byPath.set(parent, implied);
      add(implied);
    }
    const siblings = children.get(parent) ?? [];
    siblings.push(p);
    children.set(parent, siblings);
  };
  for (const p of parameters) add(p);
  for (const list of children.values()) list.sort(compare);
  return { roots: children.get('') ?? [], children };
}
