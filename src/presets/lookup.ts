/**
 * Builds the `lookup` a precondition reads from what the store knows of a
 * device: cached parameters, its DeviceID, tags and virtual parameters.
 */
import type { DeviceIdStruct } from '../cwmp/soap/types';
import type { CachedParameter } from '../db/types';
import { deviceKeyOf } from '../model/device-key';
import type { DeviceTime, Lookup, LookupValue } from './expression';

export interface DeviceFacts {
  /** Cached parameters; only leaves are read. */
  parameters?: Iterable<Pick<CachedParameter, 'path' | 'kind' | 'value' | 'type'>>;
  /** DeviceID.ID is the device key unless given. */
  deviceId?: DeviceIdStruct & { ID?: string };
  tags?: Iterable<string>;
  virtualParameters?: Record<string, string | number | boolean | null>;
  /** When the device last informed (epoch ms); null or absent: never. */
  lastInform?: number | null;
  /** Its first Inform here, its last with 1 BOOT, with 0 BOOTSTRAP (epoch ms); null or absent: none. */
  registered?: number | null;
  lastBoot?: number | null;
  lastBootstrap?: number | null;
}

const FACT_OF: Record<DeviceTime, 'lastInform' | 'registered' | 'lastBoot' | 'lastBootstrap'> = {
  LastInform: 'lastInform', Registered: 'registered', LastBoot: 'lastBoot', LastBootstrap: 'lastBootstrap',
};

/** Whether a concrete path matches a pattern in which "*" stands for one segment. */
export function pathMatches(pattern: string, concrete: string): boolean {
  const p = pattern.split('.');
  const c = concrete.split('.');
  if (p.length !== c.length) return false;
  return p.every((seg, i) => seg === '*' || seg === c[i]);
}

/** A lookup over a snapshot of the device's facts; wildcard paths return every match, in path order. */
export function lookupFrom(facts: DeviceFacts): Lookup {
  const leaves = new Map<string, LookupValue>();
  for (const p of facts.parameters ?? []) {
    if (p.kind !== 'leaf') continue;
    leaves.set(p.path, p.type === null ? { value: p.value } : { value: p.value, type: p.type });
  }
  const tags = new Set(facts.tags ?? []);
  const id = facts.deviceId;
  const sortedPaths = (): string[] => [...leaves.keys()].sort();
  let sorted: string[] | null = null;

  return (path: string): LookupValue[] => {
    const dot = path.indexOf('.');
    const root = dot < 0 ? path : path.slice(0, dot);
    const rest = dot < 0 ? '' : path.slice(dot + 1);
    switch (root) {
      case 'LastInform':
      case 'Registered':
      case 'LastBoot':
      case 'LastBootstrap': {
        const t = facts[FACT_OF[root]];
        return t === undefined || t === null ? [] : [{ value: t }];
      }
      case 'Tags':
        return tags.has(rest) ? [{ value: true, type: 'xsd:boolean' }] : [];
      case 'DeviceID': {
        if (!id) return [];
        const v =
          rest === 'ID'
            ? (id.ID ?? deviceKeyOf(id))
            : rest === 'Manufacturer' || rest === 'OUI' || rest === 'ProductClass' || rest === 'SerialNumber'
              ? id[rest]
              : undefined;
        return v === undefined ? [] : [{ value: v, type: 'xsd:string' }];
      }
      case 'VirtualParameters': {
        const vp = facts.virtualParameters;
        return vp && Object.prototype.hasOwnProperty.call(vp, rest) ? [{ value: vp[rest] }] : [];
      }
      default: {
        if (!path.includes('*')) {
          const v = leaves.get(path);
          return v ? [v] : [];
        }
        sorted ??= sortedPaths();
        const out: LookupValue[] = [];
        for (const p of sorted) {
          if (pathMatches(path, p)) out.push(leaves.get(p) as LookupValue);
        }
        return out;
      }
    }
  };
}
