/**
 * Declarations + the cached data model → the next round of RPCs, or nothing
 * when the device already is as declared. Rounds come in a fixed order so
 * that every write is judged on fresh data: reads, then writes, then actions
 * (Download, Reboot, FactoryReset) that end the device's current life.
 * Tags change without an RPC: the step applies them and plans again.
 */
import { childrenOf, filtersMatch, type MemoryDeviceView, type Node } from '../../sandbox/device-view';
import { ROOT_LISTING } from '../../model/root-listing';
import { parsePattern, type PathSegment } from '../../sandbox/path-pattern';
import type { Declaration, ViewEntry } from '../../sandbox/types';
import { ACTION_ROOTS, planAction, type ActionContext } from './actions';
import { discover, newReads, pathNeed, readMatch, readRequests } from './reads';
import type { ChannelDeclaration, Plan, PlannedRequest } from './types';
import { newWrites, planInstances, planWrites, writeRequests } from './writes';

/** A later declaration's values over an earlier one's, field by field (value, notification, access list). */
function mergeValues(earlier: Declaration, later: Declaration): Declaration {
  return { ...later, values: { ...earlier.values, ...later.values } };
}

/** Roots that are never data-model paths: read-only session facts, what the step or other layers handle, the root's listing stamp. */
const PASSIVE_ROOTS: ReadonlySet<string> = new Set(['DeviceID', 'Events', 'Tags', 'VirtualParameters', ROOT_LISTING]);

export type PlanOptions = ActionContext;

export function plan(view: MemoryDeviceView, declared: readonly ChannelDeclaration[], ctx: PlanOptions): Plan {
  // A vendor profile plans standard paths on the device's own (aliases), and may ask for writability first.
  const decls = ctx.vendor ? ctx.vendor.declarations(declared) : declared;
  const parsed = decls.map((cd) => ({ ...cd, segments: parsePattern(cd.declaration.path) }));
  const model = parsed.filter((p) => !isRoot(p.segments, PASSIVE_ROOTS) && !isRoot(p.segments, ACTION_ROOTS));

  const reads = newReads();
  for (const p of model) {
    const need = pathNeed(p.declaration);
    if (need === undefined) continue;
    const object = p.declaration.values.instances !== undefined;
    for (const node of discover(view.root, p.segments, need, p.channel, reads, object, ctx.refused ?? [])) {
      readMatch(node, p.declaration, valueTimeOf(view, node), p.channel, reads);
    }
  }
  const readRound = readRequests(reads);
  if (readRound.length > 0) return { phase: 'reads', requests: readRound };

  const writes = newWrites();
  for (const p of model) {
    const wanted = p.declaration.values.instances;
    if (wanted !== undefined) planInstances(parentsOf(view, p.segments), p.segments[p.segments.length - 1], wanted, p.channel, writes);
  }
  // The last declaration of a path wins (heavier presets run later); only then is it compared with the cache.
  const last = new Map<string, { entry: ViewEntry; declaration: Declaration; channel: string }>();
  for (const p of model) {
    if (p.declaration.values.value === undefined && p.declaration.values.notification === undefined && p.declaration.values.accessList === undefined) continue;
    for (const entry of view.match(p.declaration.path).entries) {
      const prev = last.get(entry.path);
      last.set(entry.path, { entry, declaration: prev ? mergeValues(prev.declaration, p.declaration) : p.declaration, channel: p.channel });
    }
  }
  const format = ctx.vendor?.format;
  for (const { entry, declaration, channel } of last.values()) planWrites(view.root, entry, declaration, channel, writes, format);
  if (writes.invalid.length > 0) {
    // A channel with a value its parameter cannot take is left out whole; the others are planned as if it had declared nothing.
    const left = new Set(writes.invalid.map((x) => x.channel));
    const rest = plan(view, decls.filter((d) => !left.has(d.channel)), ctx);
    return { ...rest, invalid: [...writes.invalid, ...(rest.invalid ?? [])] };
  }
  const writeRound = writeRequests(writes, ctx);
  if (writeRound.length > 0) return { phase: 'writes', requests: ctx.vendor ? ctx.vendor.requests(writeRound) : writeRound };

  const actionCtx = { ...ctx, slots: new Map<string, number>() };
  const actions = parsed
    .filter((p) => isRoot(p.segments, ACTION_ROOTS))
    .map((p) => planAction(view.root, p.declaration, p.segments, p.channel, actionCtx))
    .filter((r): r is PlannedRequest => r !== null);
  return actions.length > 0 ? { phase: 'actions', requests: firstOfEach(actions) } : { phase: 'none', requests: [] };
}

function isRoot(segments: PathSegment[], roots: ReadonlySet<string>): boolean {
  const head = segments[0];
  return head.kind === 'name' && roots.has(head.name);
}

function valueTimeOf(view: MemoryDeviceView, node: Node): number {
  return view.match(node.path).entries[0]?.timestamps.value ?? 0;
}

/** The nodes the pattern without its last segment matches (where instances are counted). */
function parentsOf(view: MemoryDeviceView, segments: PathSegment[]): Node[] {
  let nodes: Node[] = [view.root];
  for (const seg of segments.slice(0, -1)) {
    nodes = nodes.flatMap((n) => {
      if (seg.kind === 'name') return n.children.has(seg.name) ? [n.children.get(seg.name) as Node] : [];
      return [...childrenOf(n)].filter((c) => seg.kind === 'any' || filtersMatch(c, seg.filters));
    });
  }
  return nodes;
}

/** One request per action kind and target: two presets wanting a reboot get one reboot. */
function firstOfEach(actions: PlannedRequest[]): PlannedRequest[] {
  const seen = new Map<string, PlannedRequest>();
  for (const a of actions) {
    const key = a.request.method === 'Download' || a.request.method === 'Upload' ? `${a.request.method}:${a.request.URL}` : a.request.method;
    const found = seen.get(key);
    if (found) found.channels = [...new Set([...found.channels, ...a.channels])];
    else seen.set(key, { ...a });
  }
  // A factory reset makes a reboot and any transfer pointless.
  const reset = seen.get('FactoryReset');
  return reset ? [reset] : [...seen.values()];
}

/** Whether the planner would send nothing for these declarations (what commit() asks). */
export function planIsEmpty(view: MemoryDeviceView, decls: readonly Declaration[], ctx: PlanOptions): boolean {
  return plan(view, decls.map((declaration) => ({ channel: '', declaration })), ctx).phase === 'none';
}
