/**
 * One planning round of a session: run the presets' provisions against what
 * the session knows, then plan the next RPCs. A step is a function of the
 * session (its state and log in Redis) and the stored device, so any worker
 * can take any step, and running a step twice plans the same thing.
 */
import { createHash } from 'node:crypto';
import type { ChannelFault, DeviceKey, EpochMs } from '../db/types';
import type { Logger } from '../log';
import { lookupFrom, type DeviceFacts } from '../presets/lookup';
import { presetMatches, type PresetRegistry } from '../presets/registry';
import type { Preset } from '../presets/types';
import { MemoryDeviceView, toScriptValue, type Declaration, type DeviceView } from '../sandbox';
import { placeRow, type Node } from '../sandbox/device-view';
import { pathsOf } from '../presets/expression';
import { ROOT_LISTING } from '../model/root-listing';
import type { SessionLogEntry, SessionState, QueuedRequest } from '../cwmp/session/state';
import { callsOf, taskChannel } from '../cwmp/session/task-progress';
import { channelFault, type FaultSource } from './channel-faults';
import type { MemoryTable } from './memory-table';
import { plan, planIsEmpty, type PlanOptions } from './planner/plan';
import type { ChannelDeclaration, PlannedRequest } from './planner/types';
import { prefixOf } from './prefixes';
import { recoveryFor } from './recovery';
import { runProvisions, type RunDeps, type RunsOutcome } from './run-provisions';
import type { ScriptLibrary } from './script-library';
import { computeVirtual, declaredNames, isComputed, sameValues, virtualRows, VIRTUAL_ROOT, type VirtualValue } from './virtual-parameters';
import { tagRows, tagChanges, applyTagChanges } from './tags';
import { channelFaultLabel } from '../metrics/labels';
import { metrics } from '../metrics/registry';
import { provisionStateOf, type EngineRequestMeta, type ProvisionState, type RequestOutcome } from './types';
import type { VendorAdapter } from '../vendor/adapter';
import type { VendorProfiles } from '../vendor/registry';
import { listedRoot } from '../vendor/root';

export interface StepDeps extends RunDeps {
  /** The live presets (a PresetRegistry; the dry run hands one preset). */
  presets: Pick<PresetRegistry, 'list' | 'get'>;
  limits: { maxRpcs: number; maxSteps: number };
  log: Logger;
  /** Scripts of virtual parameters (VIRTUAL_PARAMETERS_DIR). */
  virtual?: ScriptLibrary;
  /** Presets whose schedule window is open now (fired by the cluster's scheduler). */
  openSchedules?: () => Promise<Set<string>>;
  /** Vendor profiles (src/vendor): absent, every device is provisioned the default way. */
  vendor?: VendorProfiles;
}

/** What the step knows of the device beyond the session: from the store, read once per session. */
export interface StoredDevice {
  channelFaults: ChannelFault[];
  tags: string[];
  /** Last 1 BOOT / 0 BOOTSTRAP Informs and the first Inform, as stored (absent: not known). */
  lastBoot?: EpochMs | null;
  lastBootstrap?: EpochMs | null;
  firstInform?: EpochMs | null;
}

/**
 * What a precondition reads of the device in a session: the cache, its
 * DeviceID, tags and times. The Inform being answered is the last one, the
 * last boot or bootstrap if it says so, and the first if none is stored.
 */
export function sessionFacts(state: SessionState, table: MemoryTable, stored: StoredDevice): DeviceFacts {
  const t = state.inform.time;
  const has = (code: string) => state.inform.events.some((e) => e.EventCode === code);
  return {
    parameters: table.all(),
    deviceId: { ...state.inform.deviceId, ID: state.deviceKey },
    tags: stored.tags,
    lastInform: t,
    registered: stored.firstInform ?? t,
    lastBoot: has('1 BOOT') ? t : (stored.lastBoot ?? null),
    lastBootstrap: has('0 BOOTSTRAP') ? t : (stored.lastBootstrap ?? null),
  };
}

export interface StepOutput {
  provision: ProvisionState;
  requests: QueuedRequest[];
  /** Entries for the session log: cache ops of clear(), provisioning history. */
  log: SessionLogEntry[];
}

/** Local changes (clears, tags) re-run the scripts in the same step; this many times at most. */
const MAX_LOCAL_ROUNDS = 4;

/**
 * The session's view of the device: a table of what the store had (possibly
 * only parts, see `ensure`) with the session's learning applied.
 */
export interface StepSource {
  table: MemoryTable;
  stored: StoredDevice;
  /** Loads the stored rows under these prefixes if missing (true: the table changed). Absent: the table is whole. */
  ensure?: (prefixes: string[], pending: readonly SessionLogEntry[]) => Promise<boolean>;
}

export async function step(deps: StepDeps, state: SessionState, source: StepSource): Promise<StepOutput> {
  const p = provisionStateOf(structuredClone(state.provision ?? fail('session has no provisioning state')));
  const log: SessionLogEntry[] = [];
  p.steps++;
  // Recovery lists the deepest object the cache knows above each refused path: the rows above them must be loaded.
  await source.ensure?.(p.outcomes.flatMap((o) => (o.fault ? o.paths : [])).map(prefixOf).filter((x): x is string => x !== null), log);
  const recovery = takeOutcomes(p, source, state.startedAt);
  if (recovery.length > 0) return finish(deps, p, state, source.stored, recovery, log);

  if (p.presets === null) await source.ensure?.(preconditionPrefixes(deps), log);
  const presets = await chosenPresets(deps, p, state, source);
  const ctx = contextOf(state, p, source.stored, await configurationKey(deps, presets), deps.vendor?.get(p.vendor) ?? null);
  const round = await runScripts(deps, state, source, p, presets, ctx, log);
  const planned = round ? planRound(round, ctx, p, source.stored, state.startedAt) : [];
  if (planned.length > 0) return finish(deps, p, state, source.stored, planned, log);

  // Nothing left to do: channels with a stored fault that ran clean get it dropped.
  const active = activePresets(presets, p, source.stored, state.startedAt);
  const ran = new Set(active.map((x) => x.channel));
  p.clearedFaults = source.stored.channelFaults.filter((f) => ran.has(f.channel)).map((f) => f.channel);
  // Every chosen preset ran to the end: the events that brought them here are done with.
  p.settled = active.length === presets.length;
  if (round?.runs.waiting) deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id }, 'a provision waits on a commit() that needs no RPC; ending');
  p.done = true;
  log.push(...historyOf(p, state));
  return finish(deps, p, state, source.stored, [], log);
}

interface Round {
  runs: RunsOutcome;
  view: MemoryDeviceView;
  /** What the runs looked at (PlanOptions.touched), what each stopped run waits on (PlanOptions.stopped, PlanOptions.waits). */
  touched: string[];
  stopped: string[][];
  waits: string[][];
}

/**
 * Runs the provisions (and the virtual parameters they declare) until what
 * needs no RPC has settled: rows they look at loaded, clear() applied, tags
 * changed, virtual parameters computed. Returns the last run and its view.
 */
async function runScripts(
  deps: StepDeps, state: SessionState, source: StepSource, p: ProvisionState, presets: Preset[], ctx: PlanOptions, log: SessionLogEntry[],
): Promise<Round | null> {
  const now = state.startedAt;
  let virtual = new Map<string, VirtualValue>();
  let round: Round | null = null;
  for (let i = 0; i < MAX_LOCAL_ROUNDS; i++) {
    const view = viewOf(source.table, source.stored, p, state, virtual, ctx.vendor);
    const held = virtual;
    const touched: string[] = [];
    const stopped: string[][] = [];
    const waits: string[][] = [];
    const planView = plannerView(view, ctx, (path) => isComputed(path, held, deps.virtual), { touched, stopped, waits });
    const runs = await runProvisions(deps, activePresets(presets, p, source.stored, now), runBase(state), planView, p.extResults);
    const computed = await withVirtual(deps, runs, state, planView, p.extResults);
    for (const [channel, fault] of runs.faults) addFault(p, channel, fault, source.stored, now);
    Object.assign(p.logs, runs.logs);
    round = { runs, view, touched, stopped, waits };

    if (await source.ensure?.(declaredPrefixes(runs.declarations, ctx.vendor), log)) continue;
    const cleared = await applyClears(p, source.table, runs.clears, state, log);
    const tags = tagChanges(runs.declarations, source.stored.tags, p.tags);
    applyTagChanges(p.tags, tags);
    const virtualChanged = computed !== null && !sameValues(computed, virtual);
    if (computed) virtual = computed;
    if (!cleared && tags.add.length + tags.remove.length === 0 && !virtualChanged) break;
  }
  return round;
}

/**
 * The RPCs the last run's declarations need. A channel that declared a value
 * its parameter cannot take faults; a planner error faults the channels
 * rather than loop.
 */
function planRound(round: Round, ctx: PlanOptions, p: ProvisionState, stored: StoredDevice, now: number): PlannedRequest[] {
  try {
    const next = plan(round.view, round.runs.declarations, { ...ctx, touched: round.touched, stopped: round.stopped, waits: round.waits });
    for (const x of next.invalid ?? []) addFault(p, x.channel, { code: 'engine.value', message: x.message }, stored, now);
    return next.requests;
  } catch (error) {
    for (const channel of new Set(round.runs.declarations.map((d) => d.channel))) addFault(p, channel, { code: 'engine.error', message: String(error) }, stored, now);
    return [];
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function contextOf(state: SessionState, p: ProvisionState, stored: StoredDevice, parameterKey: string, vendor: VendorAdapter | null): PlanOptions {
  return {
    vendor,
    now: state.startedAt,
    parameterKey,
    refused: p.refused,
    events: state.inform.events.map((e) => e.EventCode),
    informTime: state.inform.time,
    lastBoot: stored.lastBoot ?? 0,
    lastBootstrap: stored.lastBootstrap ?? 0,
  };
}

/**
 * The ParameterKey of the engine's writes: names the configuration being
 * applied (the presets, their arguments and their provisions' code), so a
 * device's Inform shows which one it has. At most 32 characters (TR-069).
 */
async function configurationKey(deps: StepDeps, presets: readonly Preset[]): Promise<string> {
  const hash = createHash('sha1');
  for (const preset of presets) {
    hash.update(JSON.stringify([preset.name, preset.channel, preset.provisions]));
    for (const call of preset.provisions) hash.update((await deps.scripts.get(call.name))?.source ?? '');
  }
  return `cfg-${hash.digest('hex').slice(0, 20)}`;
}

function runBase(state: SessionState) {
  return {
    deviceKey: state.deviceKey as DeviceKey,
    deviceId: state.inform.deviceId,
    events: state.events,
    now: state.startedAt,
  };
}

/** The presets of the session, chosen once at its first step (events, schedule, precondition on the cache). */
async function chosenPresets(deps: StepDeps, p: ProvisionState, state: SessionState, source: StepSource): Promise<Preset[]> {
  const { table, stored } = source;
  if (p.presets === null) {
    const virtualParameters = await preconditionVirtuals(deps, state, source, p);
    const lookup = lookupFrom({ ...sessionFacts(state, table, stored), virtualParameters });
    const open = deps.openSchedules ? await deps.openSchedules() : null;
    const events = state.events;
    const chosen = deps.presets
      .list()
      .filter((preset) => (preset.schedule && open ? open.has(preset.name) && presetMatches({ ...preset, schedule: undefined }, { events, lookup }) : presetMatches(preset, { events, lookup, now: state.startedAt })))
      .map((preset) => preset.name);
    p.presets = [...(state.taskProvisions ?? []).map((t) => taskChannel(t.id)), ...chosen];
    if (deps.vendor) p.vendor = deps.vendor.match(lookup)?.name ?? null;
  }
  return p.presets.map((name) => taskPreset(state, name) ?? deps.presets.get(name)).filter((x): x is Preset => x !== undefined);
}

/** A provision task as a preset of its own: its own channel, no condition, before every preset. */
function taskPreset(state: SessionState, name: string): Preset | undefined {
  const task = state.taskProvisions?.find((t) => taskChannel(t.id) === name);
  if (!task) return undefined;
  const events = { all: [], none: [] };
  return { name, file: '', events, precondition: null, preconditionSource: null, weight: -Infinity, channel: name, provisions: callsOf(task) };
}

function preconditionPrefixes(deps: StepDeps): string[] {
  const paths = [...deps.presets.list().flatMap((x) => (x.precondition ? pathsOf(x.precondition) : [])), ...(deps.vendor?.paths ?? [])];
  return paths.map(prefixOf).filter((x): x is string => x !== null);
}

/** The rows the declarations look at (through the vendor profile's aliases), and the root's listing stamp (which top-level names are absent). */
function declaredPrefixes(decls: readonly ChannelDeclaration[], vendor?: VendorAdapter | null): string[] {
  const prefixes = decls.map((d) => prefixOf(vendor ? vendor.path(d.declaration.path) : d.declaration.path)).filter((x): x is string => x !== null);
  return prefixes.length > 0 ? [ROOT_LISTING, ...prefixes] : [];
}

/** The virtual parameters preconditions read, computed from the cache as it is (no RPC for them). */
async function preconditionVirtuals(deps: StepDeps, state: SessionState, source: StepSource, p: ProvisionState): Promise<Record<string, string | number | boolean | null>> {
  if (!deps.virtual) return {};
  const names = new Set(deps.presets.list().flatMap((x) => (x.precondition ? pathsOf(x.precondition) : [])).filter((x) => x.startsWith(VIRTUAL_ROOT)));
  if (names.size === 0) return {};
  const asked = new Map([...names].map((path) => [path.slice(VIRTUAL_ROOT.length), [{ channel: '', declaration: { path, timestamps: {}, values: {} } }]]));
  for (let round = 0; ; round++) {
    const view = viewOf(source.table, source.stored, p, state, new Map());
    const out = await computeVirtual(deps, deps.virtual, asked, runBase(state), view, p.extResults);
    // The scripts' reads need their rows: load them and compute again.
    if (round < MAX_LOCAL_ROUNDS && source.ensure && (await source.ensure(declaredPrefixes(out.declarations), []))) continue;
    return Object.fromEntries([...out.values].map(([name, v]) => [name, toScriptValue(v.value, v.type)]));
  }
}

/** Presets whose channel is neither faulted in this session nor waiting out a stored fault's backoff. */
function activePresets(presets: Preset[], p: ProvisionState, stored: StoredDevice, now: number): Preset[] {
  const faulted = new Set(p.faults.map((f) => f.channel));
  const backingOff = new Set(stored.channelFaults.filter((f) => f.nextRetry > now).map((f) => f.channel));
  return presets.filter((preset) => !faulted.has(preset.channel) && !backingOff.has(preset.channel));
}

/**
 * The view the scripts and the planner see: the table's tree, plus the
 * session's tags and virtual parameters. A vendor profile that skips the
 * root's listing has the root count as listed now: a top-level name the
 * cache lacks is absent.
 */
function viewOf(table: MemoryTable, stored: StoredDevice, p: ProvisionState, state: SessionState, virtual: Map<string, VirtualValue>, vendor?: VendorAdapter | null): MemoryDeviceView {
  const rootRow = vendor?.skipRootListing ? listedRoot(table.root.row, state.startedAt) : table.root.row;
  const root: Node = { ...table.root, row: rootRow, children: new Map(table.root.children) };
  for (const row of [...tagRows(stored.tags, p.tags, state.startedAt), ...virtualRows(virtual, state.startedAt)]) placeRow(root, row);
  const informPaths = new Set(state.inform.parameters.map((x) => x.Name));
  return new MemoryDeviceView(root, state.inform.time, informPaths);
}

/**
 * commit() asks: would the planner send nothing for these? Tags and virtual
 * parameters need no RPC: they are met when the view holds them as declared,
 * a virtual parameter only once the step computed it (`computed`). What the
 * scripts read and the declarations found met go to `looked.touched`; the
 * writes of a commit not met (its run stops there) to `looked.stopped`, all
 * its declarations to `looked.waits`.
 */
function plannerView(view: MemoryDeviceView, ctx: PlanOptions, computed: (path: string) => boolean, looked: { touched: string[]; stopped: string[][]; waits: string[][] }): DeviceView {
  const lookup = (pattern: string) => {
    looked.touched.push(pattern);
    return view.lookup(pattern);
  };
  const devicePath = (d: Declaration) => (ctx.vendor ? ctx.vendor.path(d.path) : d.path);
  return {
    lookup: ctx.vendor ? ctx.vendor.lookup(lookup) : lookup,
    satisfied: (decls: readonly Declaration[]) => {
      const own = decls.filter((d) => isStepPath(d.path));
      const met = own.every((d) => !d.path.startsWith(VIRTUAL_ROOT) || computed(d.path)) &&
        view.satisfied(own) && planIsEmpty(view, decls.filter((d) => !isStepPath(d.path)), ctx);
      if (met) looked.touched.push(...decls.map(devicePath));
      else {
        looked.stopped.push(decls.filter(isWrite).map(devicePath));
        looked.waits.push(decls.map(devicePath));
      }
      return met;
    },
  };
}

function isWrite(d: Declaration): boolean {
  return d.values.value !== undefined || d.values.notification !== undefined || d.values.accessList !== undefined;
}

/** Paths the step answers itself, from the session (tags) or the scripts (virtual parameters). */
function isStepPath(path: string): boolean {
  return path.startsWith('Tags.') || path.startsWith(VIRTUAL_ROOT);
}

/**
 * Computes the virtual parameters the runs declared; their scripts'
 * declarations join the runs' (under the declaring channels). Returns the
 * values, or null when no virtual parameter was declared.
 */
async function withVirtual(deps: StepDeps, runs: RunsOutcome, state: SessionState, view: DeviceView, extResults: Record<string, unknown>): Promise<Map<string, VirtualValue> | null> {
  if (!deps.virtual) return null;
  const asked = declaredNames(runs.declarations, deps.virtual);
  if (asked.size === 0) return null;
  const out = await computeVirtual(deps, deps.virtual, asked, runBase(state), view, extResults);
  for (const [channel, fault] of out.faults) if (!runs.faults.has(channel)) runs.faults.set(channel, fault);
  runs.declarations = [...runs.declarations, ...out.declarations].filter((d) => !runs.faults.has(d.channel));
  return out.values;
}

async function applyClears(p: ProvisionState, table: MemoryTable, clears: { path: string; timestamp: number }[], state: SessionState, log: SessionLogEntry[]): Promise<boolean> {
  let applied = false;
  for (const c of clears) {
    const key = `${c.path}@${c.timestamp}`;
    if (p.cleared.includes(key)) continue;
    p.cleared.push(key);
    const time = Date.now();
    const ops = [
      { op: 'clear' as const, path: c.path, before: c.timestamp, time },
      // The Inform's parameters are as fresh as the Inform, whatever their stored times say.
      { op: 'values' as const, parameters: state.inform.parameters, time: state.inform.time },
    ];
    for (const op of ops) {
      await table.applyOp(op);
      log.push({ t: 'op', op });
    }
    applied = true;
  }
  return applied;
}

/** Outcomes of the last round's RPCs: faults go to their channels; a path the device lacks lists the object above it (once). */
function takeOutcomes(p: ProvisionState, { stored, table }: StepSource, now: number): PlannedRequest[] {
  const recovery: PlannedRequest[] = [];
  for (const outcome of p.outcomes) {
    if (!outcome.fault) continue;
    const retry = outcome.aliasKeys ? [] : recoveryFor(outcome, p, table.root);
    if (retry.length > 0) {
      recovery.push(...retry);
      continue;
    }
    const source = { code: `cwmp.${outcome.fault.code}`, message: `${outcome.method}: ${outcome.fault.message}${detailText(outcome)}` };
    for (const channel of blamed(outcome)) addFault(p, channel, source, stored, now);
  }
  p.outcomes = [];
  return recovery;
}

/** The channels a refused RPC faults: for a SetParameterValues with details, those of the refused parameters only. */
function blamed(outcome: RequestOutcome): string[] {
  const detail = outcome.fault?.detail;
  if (!detail || detail.length === 0 || !outcome.paramChannels) return outcome.channels;
  const channels = new Set(detail.flatMap((d) => outcome.paramChannels?.[d.name] ?? []));
  return channels.size > 0 ? [...channels] : outcome.channels;
}

function detailText(outcome: RequestOutcome): string {
  const detail = outcome.fault?.detail ?? [];
  return detail.length === 0 ? '' : ` (${detail.map((d) => `${d.name}: ${d.code}`).join(', ')})`;
}

function addFault(p: ProvisionState, channel: string, source: FaultSource, stored: StoredDevice, now: number): void {
  if (p.faults.some((f) => f.channel === channel)) return;
  p.faults.push(channelFault(channel, source, stored.channelFaults.find((f) => f.channel === channel), now));
  metrics.channelFaults.inc({ code: channelFaultLabel(source.code) });
}

/**
 * Hands the planned RPCs to the front end within the session's limits. Past
 * the planning rounds, every channel still wanting RPCs gets an engine.limit
 * fault and provisioning ends for this session. Past the RPC budget, the
 * channels wanting the most RPCs get the fault, one by one, until the rest
 * fits; the others go on (a request they shared is planned again without the
 * faulted channel). Channels that are finished or backing off are never blamed.
 */
function finish(deps: StepDeps, p: ProvisionState, state: SessionState, stored: StoredDevice, planned: PlannedRequest[], log: SessionLogEntry[]): StepOutput {
  const { maxSteps, maxRpcs } = deps.limits;
  const limit = (what: string) => ({ code: 'engine.limit', message: `provisioning needed more than ${what} in one session` });
  let requests = planned;
  if (requests.length > 0 && p.steps > maxSteps) {
    for (const channel of new Set(requests.flatMap((r) => r.channels))) addFault(p, channel, limit(`${maxSteps} planning rounds`), stored, state.startedAt);
    requests = [];
  }
  while (p.rpcs + rpcsOf(requests) > maxRpcs) {
    const channel = greediest(requests);
    if (channel === undefined) {
      requests = [];
      break;
    }
    addFault(p, channel, limit(`${maxRpcs} RPCs`), stored, state.startedAt);
    requests = requests.filter((r) => !r.channels.includes(channel));
  }
  if (requests.length === 0 && planned.length > 0) {
    p.done = true;
    log.push(...historyOf(p, state));
  }
  p.rpcs += rpcsOf(requests);
  // The read a listing's answer brings (`then`, one more RPC for the round's listings) only within the budget; else the next step plans it, and is held to it.
  const followUps = p.rpcs < maxRpcs;
  return { provision: p, requests: requests.map((r): QueuedRequest => ({ id: null, request: r.request, engine: metaOf(r, followUps) })), log };
}

/**
 * The RPCs these requests make: one each, and one more for the new instances'
 * alias keys if any AddObject has some (the front end sets them all in one
 * SetParameterValues after the round's last AddObject, provisioning.ts
 * setKeys). An instance added without its keys would be added again next time.
 */
function rpcsOf(requests: PlannedRequest[]): number {
  return requests.length + (requests.some((r) => r.request.method === 'AddObject' && r.keys && r.keys.length > 0) ? 1 : 0);
}

/** The channel that wants the most of these requests. */
function greediest(requests: PlannedRequest[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of requests) for (const c of r.channels) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function metaOf(r: PlannedRequest, followUp: boolean): EngineRequestMeta {
  const meta: EngineRequestMeta = { channels: r.channels };
  if (r.keys && r.keys.length > 0) meta.keys = r.keys;
  if (r.record) meta.record = r.record;
  if (r.paramChannels) meta.paramChannels = r.paramChannels;
  if (r.then && followUp) meta.then = r.then;
  return meta;
}

/**
 * What the provisions logged, and the faults, kept in the device history once
 * the session's provisioning ends. Logs are kept only from sessions that sent
 * RPCs or faulted: a script that logs on every periodic Inform must not cost
 * every quiet session a database write.
 */
function historyOf(p: ProvisionState, state: SessionState): SessionLogEntry[] {
  const out: SessionLogEntry[] = [];
  const time = Date.now();
  const lines = Object.entries(p.logs).filter(([, l]) => l.length > 0);
  if (lines.length > 0 && (p.rpcs > 0 || p.faults.length > 0)) out.push({ t: 'history', entry: { time, kind: 'provision-log', detail: Object.fromEntries(lines), sessionId: state.id } });
  if (p.faults.length > 0) out.push({ t: 'history', entry: { time, kind: 'provision-fault', detail: p.faults.map((f) => ({ channel: f.channel, code: f.code, message: f.message })), sessionId: state.id } });
  if (p.notWritable?.length) out.push({ t: 'history', entry: { time, kind: 'provision-not-writable', detail: { parameters: p.notWritable }, sessionId: state.id } });
  return out;
}
