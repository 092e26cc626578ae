/**
 * Applies the Inform's parameters and the session's CacheOps to the cached
 * data model, in order. Each step reads the rows it touches (batched), works
 * out their new content in memory and writes only the rows that changed.
 */
import type { ParameterAttributeStruct, ParameterInfoStruct, ParameterValueStruct } from '../cwmp/soap/types';
import type { CacheOp, CachedParameter, InformRecord } from './types';
import { isActionRecord } from '../model/action-records';
import { ROOT_LISTING } from '../model/root-listing';
import { ancestorsOf, directChildOf, isObjectPath, kindOfPath } from './paths';

/**
 * The rows the ops read and write: the SQL table of one device at commit
 * time (ParamTable), or an in-memory copy while an engine worker plans.
 */
export interface ParamRows {
  load(paths: string[]): Promise<Map<string, CachedParameter>>;
  loadPrefix(prefix: string): Promise<CachedParameter[]>;
  listPrefix(prefix: string): Promise<string[]>;
  write(rows: CachedParameter[]): Promise<void>;
  deletePaths(paths: string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

type Patch = (row: CachedParameter) => CachedParameter;
type SetAttributes = Extract<CacheOp, { op: 'set-attributes' }>['parameters'][number];

/**
 * What a session's commit does to the cached model: the Inform, then the ops
 * in order. The rows the Inform and the value/attribute ops name (and their
 * ancestors) are read first in one batch: each step would read its own
 * otherwise, one round trip each.
 */
export async function applySession(table: ParamRows, inform: InformRecord, ops: CacheOp[]): Promise<void> {
  await table.load(namedPaths(inform, ops));
  await applyInform(table, inform);
  for (const op of ops) await applyOp(table, op);
}

/** The paths the Inform and the value/attribute ops name, with their ancestors. */
export function namedPaths(inform: InformRecord, ops: CacheOp[]): string[] {
  const paths = new Set<string>();
  const add = (path: string) => {
    paths.add(path);
    for (const a of ancestorsOf(path)) paths.add(a);
  };
  for (const p of inform.parameters) add(p.Name);
  for (const op of ops) {
    if (op.op === 'values' || op.op === 'attributes' || op.op === 'set-attributes') for (const p of op.parameters) add(p.Name);
  }
  return [...paths];
}

/**
 * Inform parameters are written only when their value or type changed: an
 * unchanged row keeps its old value_time. The engine treats every Inform
 * parameter as fresh as of the device's last_inform instead, which spares a
 * write of (typically) a dozen rows per periodic Inform across the fleet.
 */
export async function applyInform(table: ParamRows, inform: InformRecord): Promise<void> {
  await applyPatches(table, inform.parameters.map((p) => [p.Name, informPatch(p, inform.time)]));
}

export async function applyOp(table: ParamRows, op: CacheOp): Promise<void> {
  switch (op.op) {
    case 'values':
      // Explicit reads/writes: value_time moves even when the value did not change.
      return applyPatches(table, op.parameters.map((p) => [p.Name, valuesPatch(p, op.time)]));
    case 'names':
      if (isObjectPath(op.path)) await deleteVanished(table, op.path, op.nextLevel, op.parameters);
      return applyPatches(table, [...op.parameters.map((p): [string, Patch] => [p.Name, namesPatch(p, op.time, !op.nextLevel)]), ...listedObject(op)]);
    case 'attributes':
      return applyPatches(table, op.parameters.map((p) => [p.Name, attributesPatch(p, op.time)]));
    case 'set-attributes':
      return applyPatches(table, op.parameters.map((p) => [p.Name, setAttributesPatch(p, op.time)]));
    case 'add-instance':
      return applyPatches(table, [[asObjectPath(op.path), (row) => ({ ...row, kind: 'instance' })]]);
    case 'delete-subtree':
      return table.deletePrefix(asObjectPath(op.path));
    case 'clear':
      return clearOlder(table, op.path, op.before);
  }
}

/**
 * Forgets rows under `path` last read before `before`, keeping the object
 * rows above anything that stays (every cached path has its objects above it).
 * Objects at and above `path` whose children were listed before `before` lose
 * that stamp: their list no longer says what is absent. The root is above
 * every path: its stamp (model/root-listing.ts) goes too.
 */
async function clearOlder(table: ParamRows, path: string, before: number): Promise<void> {
  const base = path.endsWith('.') ? path.slice(0, -1) : path;
  const rows = [...(await table.load([base])).values(), ...(await table.loadPrefix(`${base}.`))];
  const keep = new Set<string>();
  for (const r of rows) {
    if (Math.max(r.valueTime ?? 0, r.namesTime ?? 0, r.attributesTime ?? 0) < before) continue;
    keep.add(r.path);
    for (const a of ancestorsOf(r.path)) keep.add(a);
  }
  await table.deletePaths(rows.filter((r) => !keep.has(r.path)).map((r) => r.path));
  const objects = [...(await table.load([...ancestorsOf(base), `${base}.`, ...keep])).values()];
  const stale = objects.filter((r) => r.kind !== 'leaf' && r.valueTime !== null && r.valueTime < before);
  await table.write(stale.map((r) => ({ ...r, valueTime: null })));
  const root = (await table.load([ROOT_LISTING])).get(ROOT_LISTING);
  if (root && (root.valueTime ?? 0) < before) await table.deletePaths([ROOT_LISTING]);
}

/**
 * A listing tells when the listed object's children were last known: stamp
 * it (valueTime), so that an empty object (no instances) is known to be empty
 * rather than never listed. The root "" has no row: its stamp is a row of its
 * own (model/root-listing.ts).
 */
function listedObject(op: Extract<CacheOp, { op: 'names' }>): [string, Patch][] {
  if (op.path === '') return [[ROOT_LISTING, (row) => ({ ...row, kind: 'leaf', value: new Date(op.time).toISOString(), type: 'xsd:dateTime', valueTime: op.time })]];
  // Also when the CPE names the listed object in its answer (some do, and NextLevel=false always does).
  if (!isObjectPath(op.path)) return [];
  // Its own names time is not touched: the listing does not say whether it is writable.
  return [[op.path, (row) => ({ ...row, kind: row.kind === 'leaf' ? kindOfPath(op.path) : row.kind, valueTime: op.time })]];
}

/**
 * A names response is the complete truth about what it covers: with
 * nextLevel=false, the whole subtree under `path`; with nextLevel=true, the
 * set of `path`'s direct children. Cached rows it no longer lists vanished
 * from the device (deleted instances, older firmware's parameters).
 */
async function deleteVanished(table: ParamRows, path: string, nextLevel: boolean, listed: ParameterInfoStruct[]) {
  const names = new Set(listed.map((p) => p.Name));
  // A full listing rewrites (names_time) every row it covers anyway: read them whole, once.
  const existing = nextLevel ? await table.listPrefix(path) : (await table.loadPrefix(path)).map((r) => r.path);
  // The ACS's own records sit beside the device's top-level objects: a listing of the root does not speak of them.
  const under = existing.filter((p) => p !== path && (path !== '' || !(isActionRecord(p) || p === ROOT_LISTING)));
  const gone = nextLevel ? under.filter((p) => !names.has(directChildOf(path, p))) : under.filter((p) => !names.has(p));
  await table.deletePaths(gone);
}

/** Reads the touched rows and their ancestors, patches them, writes the ones that changed. */
async function applyPatches(table: ParamRows, patches: [string, Patch][]): Promise<void> {
  const byPath = groupByPath(patches);
  const ancestors = new Set([...byPath.keys()].flatMap(ancestorsOf));
  const existing = await table.load([...byPath.keys(), ...ancestors]);
  const changed: CachedParameter[] = [];
  for (const [path, fns] of byPath) {
    const before = existing.get(path);
    const after = fns.reduce((row, fn) => fn(row), before ?? emptyRow(path));
    if (!before || !sameRow(before, after)) changed.push(after);
  }
  // Every cached path has its object rows above it, so subtree listings need no gap-filling.
  for (const a of ancestors) if (!existing.has(a) && !byPath.has(a)) changed.push(emptyRow(a));
  await table.write(changed);
}

function groupByPath(patches: [string, Patch][]): Map<string, Patch[]> {
  const byPath = new Map<string, Patch[]>();
  for (const [path, fn] of patches) {
    const list = byPath.get(path);
    if (list) list.push(fn);
    else byPath.set(path, [fn]);
  }
  return byPath;
}

function informPatch(p: ParameterValueStruct, time: number): Patch {
  return (row) => (row.kind === 'leaf' && row.value === p.Value && row.type === p.type ? row : valuesPatch(p, time)(row));
}

function valuesPatch(p: ParameterValueStruct, time: number): Patch {
  return (row) => ({ ...row, kind: 'leaf', value: p.Value, type: p.type, valueTime: time });
}

/** `subtree`: the response lists everything below each object it names (NextLevel=false), so their children are known too. */
function namesPatch(p: ParameterInfoStruct, time: number, subtree: boolean): Patch {
  const kind = kindOfPath(p.Name);
  return (row) => {
    // An object has no value; a leaf that turned into an object (or back) drops the stale one.
    const base = kind === row.kind ? row : { ...row, value: null, type: null, valueTime: null };
    const listed = subtree && kind !== 'leaf' ? { valueTime: time } : {};
    return { ...base, kind, writable: p.Writable, namesTime: time, ...listed };
  };
}

function attributesPatch(p: ParameterAttributeStruct, time: number): Patch {
  return (row) => ({ ...row, notification: p.Notification, accessList: [...p.AccessList], attributesTime: time });
}

function setAttributesPatch(p: SetAttributes, time: number): Patch {
  return (row) => ({
    ...row,
    notification: p.Notification ?? row.notification,
    accessList: p.AccessList ? [...p.AccessList] : row.accessList,
    attributesTime: time,
  });
}

function asObjectPath(path: string): string {
  if (path === '') throw new Error('Cache op needs an object path, got ""');
  return path.endsWith('.') ? path : path + '.';
}

function emptyRow(path: string): CachedParameter {
  return {
    path, kind: kindOfPath(path), value: null, type: null, writable: null, notification: null,
    accessList: null, valueTime: null, namesTime: null, attributesTime: null,
  };
}

function sameRow(a: CachedParameter, b: CachedParameter): boolean {
  return (
    a.kind === b.kind && a.value === b.value && a.type === b.type && a.writable === b.writable &&
    a.notification === b.notification && sameList(a.accessList, b.accessList) &&
    a.valueTime === b.valueTime && a.namesTime === b.namesTime && a.attributesTime === b.attributesTime
  );
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  return a === null || b === null ? a === b : a.join(',') === b.join(',');
}
