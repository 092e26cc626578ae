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
import { discover, newReads, pathNeed, readMatch, readRequests, type Reads } from './reads';
import type { ChannelDeclaration, Plan, PlannedRequest } from './types';
import { newWrites, planInstances, planWrites, writeRequests, type Writes } from './writes';

/** A later declaration's values over an earlier one's, field by field (value, notification, access list). */
function mergeValues(earlier: Declaration, later: Declaration): Declaration {
  return { ...later, values: { ...earlier.values, ...later.values } };
}

/** Roots that are never data-model paths: read-only session facts, what the step or other layers handle, the root's listing stamp. */
const PASSIVE_ROOTS: ReadonlySet<string> = new Set(['DeviceID', 'Events', 'Tags', 'VirtualParameters', ROOT_LISTING]);

export interface PlanOptions extends ActionContext {
  /**
   * What the step's script runs looked at, as the device's paths (through a
   * vendor profile's aliases): the patterns they read and the declarations
   * their commits found met. Given, a read round also carries
   * the writes its reads cannot change (see readyWrites); absent (commit()'s
   * checks, tests), writes wait for the next round.
   */
  touched?: readonly string[];
  /**
   * The writes each stopped run was waiting on (its last commit, not met),
   * as the device's paths: a run whose wait no write of the round keeps up
   * goes on after the reads, and may write otherwise.
   */
  stopped?: readonly (readonly string[])[];
  /**
   * The declarations of each stopped run's unmet commit, as the device's
   * paths. A listing is read on at once (`then`) only while every stopped run
   * waits on one: a run waiting on other reads alone goes on after the round,
   * and its next reads would have gone with the listing's in one RPC.
   */
  waits?: readonly (readonly string[])[];
}

export function plan(view: MemoryDeviceView, declared: readonly ChannelDeclaration[], ctx: PlanOptions): Plan {
  // A vendor profile plans standard paths on the device's own (aliases), and may ask for writability first.
  const decls = ctx.vendor ? ctx.vendor.declarations(declared) : declared;
  const parsed = decls.map((cd) => ({ ...cd, segments: parsePattern(cd.declaration.path) }));
  const model = parsed.filter((p) => !isRoot(p.segments, PASSIVE_ROOTS) && !isRoot(p.segments, ACTION_ROOTS));

  const reads = newReads();
  const waiting: ParsedDeclaration[] = [];
  for (const p of model) {
    const need = pathNeed(p.declaration);
    if (need === undefined) continue;
    const asked = askedSoFar(reads);
    const object = p.declaration.values.instances !== undefined;
    for (const node of discover(view.root, p.segments, need, p.channel, reads, object, ctx.refused ?? [])) {
      readMatch(node, p.declaration, valueTimeOf(view, node), p.channel, reads);
    }
    if (askedSoFar(reads) > asked) waiting.push(p);
  }
  const readRound = withoutFollowUps(readRequests(reads), ctx.waits);
  if (readRound.length > 0) return { phase: 'reads', requests: [...readRound, ...readyWrites(view, model, { requests: readRound, waiting }, ctx)] };

  const writes = writesOf(view, model, ctx);
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

type ParsedDeclaration = ChannelDeclaration & { segments: PathSegment[] };

/** Instances to add or delete, values and attributes that differ from the cache. */
function writesOf(view: MemoryDeviceView, model: readonly ParsedDeclaration[], ctx: PlanOptions): Writes {
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
  return writes;
}

/**
 * The values and attributes a read round can set after its reads, where that
 * changes nothing but the round they go in. Running the scripts again after
 * the reads (the next step) would replay the last run exactly, declare these
 * writes again and plan them next, with nothing to read in between, when:
 * - the reads miss everything the runs looked at (`touched`: the patterns
 *   they read, the declarations their commits found met);
 * - the reads are the last the declarations waiting on them need: no listing
 *   (it finds objects to look into next) unless the front end reads what it
 *   finds right after it (`then`, reads.ts followUpOf), and the waiting
 *   declarations ask only for paths and values (GetParameterValues answers
 *   both), with no alias filter (its keys are read first);
 * - the waiting declarations write nothing: the next round would then be
 *   these writes and no other (one SetParameterValues either way);
 * - the writes' declarations miss the reads and the waiting declarations,
 *   and no other declaration has a write to wait with (then these would
 *   only leave its round earlier, costing a SetParameterValues more).
 * Reads still go first on the wire. Paths are the device's (through a
 * vendor profile's aliases). Instances are added or deleted as planned today.
 * A read that faults its channel no longer holds back the channel's writes
 * of the same round (they were declared before the read, as GenieACS's
 * scripts declare them).
 */
function readyWrites(view: MemoryDeviceView, model: readonly ParsedDeclaration[], round: { requests: readonly PlannedRequest[]; waiting: readonly ParsedDeclaration[] }, ctx: PlanOptions): PlannedRequest[] {
  const { touched } = ctx;
  if (touched === undefined) return [];
  if (round.requests.some((r) => r.request.method === 'GetParameterNames' && !r.then) || !round.waiting.every(lastRead)) return [];
  // A read refused (9005) may mean its instance is gone: what is under that instance waits.
  // A listing read on (`then`) holds its whole object: its instances are read, unknown yet, and only they.
  const read = round.requests.flatMap((r) => (r.then ? [segmentsOf(pathsOf(r)[0])] : pathsOf(r).map((p) => heldBy(segmentsOf(p)))));
  const looked = [...new Set(touched)].map(dependsOn);
  if (read.some((r) => looked.some((t) => overlapping(r, t)))) return [];
  const held = [...read, ...round.waiting.map((w) => dependsOn(w.declaration.path))];
  const rest = model.filter((p) => !round.waiting.includes(p));
  const ready = rest.filter((p) => p.declaration.values.instances === undefined && !held.some((h) => overlapping(h, dependsOn(p.declaration.path))));
  if (ready.length === 0) return [];
  const writes = writesOf(view, ready, ctx);
  if (writes.invalid.length > 0) return [];
  const planned = writeRequests(writes, ctx);
  const requests = ctx.vendor ? ctx.vendor.requests(planned) : planned;
  // Some write must wait (an instance to add, a path the reads hold): the next round writes anyway, these go with it.
  if (ready.length < rest.length && JSON.stringify(writeRequests(writesOf(view, rest, ctx), ctx)) !== JSON.stringify(planned)) return [];
  // A stopped run goes on after the reads unless a write of these keeps its wait unmet: it may then write otherwise.
  const written = planned.flatMap((r) => (r.request.method === 'SetParameterValues' || r.request.method === 'SetParameterAttributes' ? r.request.ParameterList.map((x) => segmentsOf(x.Name)) : []));
  const kept = (batch: readonly string[]) => batch.some((path) => written.some((w) => overlapping(dependsOn(path), w)));
  if (!(ctx.stopped ?? []).every(kept)) return [];
  return requests;
}

/** The round's listings without `then` unless every stopped run waits on one of them (PlanOptions.waits; absent: kept). */
function withoutFollowUps(requests: PlannedRequest[], waits: PlanOptions['waits']): PlannedRequest[] {
  const objects = requests.filter((r) => r.then !== undefined).map((r) => segmentsOf(pathsOf(r)[0]));
  if (objects.length === 0 || waits === undefined) return requests;
  if (waits.every((batch) => batch.some((path) => objects.some((o) => overlapping(o, segmentsOf(path)) && segmentsOf(path).length > o.length)))) return requests;
  return requests.map((r) => {
    const { then: _dropped, ...rest } = r;
    return rest;
  });
}

/** A read's reach: the instance its path runs through (it may be gone), else the object above it; a listing is its object. */
function heldBy(segments: string[]): string[] {
  const instance = segments.findLastIndex((s) => /^\d+$/.test(s));
  if (instance >= 0) return segments.slice(0, instance + 1);
  return segments.length > 0 ? segments.slice(0, -1) : segments;
}

/** What a path or pattern depends on: through an alias filter, every instance of its table (their keys choose). */
function dependsOn(path: string): string[] {
  const segments = segmentsOf(path);
  const alias = segments.findIndex((s) => s.startsWith('['));
  return alias < 0 ? segments : [...segments.slice(0, alias), '*'];
}

/** A declaration whose reads of this round are its last and that writes nothing: a path or value asked, through names and `*` only. */
function lastRead(p: ParsedDeclaration): boolean {
  const { timestamps: t, values: v } = p.declaration;
  const others = t.writable !== undefined || t.object !== undefined || t.notification !== undefined || t.accessList !== undefined;
  const writes = v.value !== undefined || v.notification !== undefined || v.accessList !== undefined || v.instances !== undefined;
  return !others && !writes && p.segments.every((s) => s.kind !== 'alias');
}

function askedSoFar(reads: Reads): number {
  return reads.names.asked + reads.values.asked + reads.attributes.asked;
}

/** The paths a read request asks about (an object path ends in "."; "" is the whole tree). */
function pathsOf(r: PlannedRequest): string[] {
  const q = r.request;
  if (q.method === 'GetParameterNames') return [q.ParameterPath];
  return q.method === 'GetParameterValues' || q.method === 'GetParameterAttributes' ? q.ParameterNames : [''];
}

/**
 * Whether two paths or patterns can name a common parameter: one lies under
 * the other, a "*" or an alias filter matching any instance.
 */
export function overlaps(a: string, b: string): boolean {
  return overlapping(segmentsOf(a), segmentsOf(b));
}

function overlapping(x: readonly string[], y: readonly string[]): boolean {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i] && !isAnyInstance(x[i]) && !isAnyInstance(y[i])) return false;
  }
  return true;
}

/** A path's segments; an alias filter is one ("[DNSServer:9.9.9.9]" keeps its dots). */
function segmentsOf(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '.' && depth === 0) {
      out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (start < path.length) out.push(path.slice(start));
  return out;
}

function isAnyInstance(segment: string): boolean {
  return segment === '*' || segment.startsWith('[');
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
