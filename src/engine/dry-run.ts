/**
 * `acs provision`: a dry run of one preset against a simulated device, with
 * no server, Redis or database. One session is played as the CWMP front end
 * and an engine worker would play it: the session state of an Inform (from
 * the simulated device, as the simulator sends it), the worker's in-memory
 * cache (session-cache.ts), then step() → each request answered by the
 * simulator's CPE semantics (src/sim/cpe) → the answer taken as the front end
 * takes it (results.ts, provisioning.ts: cache ops, outcomes, the alias keys
 * of a new instance) → the next step, until provisioning is done.
 *
 * Only the named preset runs (its channel's other presets do not); a
 * schedule window is taken as open; stored channel faults (NBI snapshots) do
 * not hold the channel back. Scripts call the real extensions (EXT_DIR), or
 * ext() is answered from a file (dry-run-ext.ts); virtual parameters run
 * from their folder (VIRTUAL_PARAMETERS_DIR).
 *
 * Several sessions can be played in a row (`sessions`), `intervalMs` apart:
 * the cache, the simulated device, its tags and the channel's fault carry
 * from one to the next, so what a preset does on later Informs ("at most once
 * an hour") shows. Later sessions are periodic Informs ("2 PERIODIC"), or
 * "1 BOOT" + "M Reboot" after a session that rebooted the device.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { engineAnswer, takeStepOutput } from '../cwmp/session/provisioning';
import { entriesForFault, entriesForResponse } from '../cwmp/session/results';
import type { InFlightRequest, SessionState } from '../cwmp/session/state';
import type { CpeRequest, CpeResponse, DeviceIdStruct, Fault } from '../cwmp/soap/types';
import type { ChannelFault, DeviceKey, InformRecord } from '../db/types';
import type { ProvisionState } from './types';
import { formatPresetError, loadPresetFile, presetMatches } from '../presets';
import { eventsMatch } from '../presets/events';
import { isPresetFile, presetNameOf } from '../presets/load';
import { lookupFrom } from '../presets/lookup';
import type { Preset } from '../presets/types';
import { pathsOf, timesOf } from '../presets/expression';
import { SandboxPool } from '../sandbox';
import { handleRequest, informParameters, type Effect, type RpcOptions } from '../sim/cpe';
import { DryRunInputError, loadDryRunDevice, type DeviceSource, type DryRunDevice } from './dry-run-device';
import { ExtensionHost } from './ext';
import { MemoryTable } from './memory-table';
import { ScriptLibrary } from './script-library';
import { sessionFacts, step, type StepDeps, type StoredDevice } from './step';
import { newProvisionState } from './types';
import { AnsweringHost, type ExtAnswers } from './dry-run-ext';

function fail(message: string): never {
  throw new Error(message);
}

export { DryRunInputError } from './dry-run-device';

export interface DryRunOptions {
  /** CSV dump, JSON snapshot (ours or GET /devices/:id), or tr181 / tr098. */
  device: string;
  preset: string;
  /** Inform event codes; default: the events the preset requires, else "1 BOOT". */
  events?: string[];
  presetsDir: string;
  provisionsDir: string;
  /** CSV / BBF devices: start from the whole model as cache instead of an empty one. */
  cached?: boolean;
  extDir: string;
  extTimeoutMs?: number;
  scriptTimeoutMs?: number;
  scriptMemoryMb?: number;
  maxRpcs?: number;
  maxSteps?: number;
  /** The simulated CPE's behaviour switches (default: the simulator's, with fault strings that say why). */
  rpcOptions?: RpcOptions;
  /** Folder of virtual parameter scripts; absent: provisions see no virtual parameter. */
  virtualParametersDir?: string;
  /** ext() answered from a file (--ext) instead of running the extensions of extDir. */
  extAnswers?: { file: string; answers: ExtAnswers };
  /** Sessions to play in a row (default 1). */
  sessions?: number;
  /** Time between two sessions' Informs (default one hour). */
  intervalMs?: number;
  /** When the first session's Inform is (default now). */
  startTime?: number;
}

/** One RPC of the session: what the engine sent, and how the simulated CPE answered. */
export interface DryRunRpc {
  request: CpeRequest;
  /** Channels that asked for it (they share its fault). */
  channels: string[];
  /** The SetParameterValues of a new instance's alias keys, sent right after its AddObject. */
  keys?: boolean;
  /** The GetParameterValues of what a listing of the round found, sent by the front end right after it (no engine step between). */
  followUp?: boolean;
  response: CpeResponse | Fault;
  /** What the CPE would do after the session (reboot, transfers, a scheduled inform). */
  effects: Effect[];
}

/** One planning round (engine step) and the RPCs it led to. */
export interface DryRunRound {
  step: number;
  rpcs: DryRunRpc[];
}

/** One session: its Inform, what the preset did in it. */
export interface DryRunSession {
  /** 1 for the first. */
  session: number;
  /** The Inform's time (ISO 8601): the scripts' Date.now(). */
  time: string;
  events: string[];
  /** The preset matched (events, precondition); false: `reason` says why nothing ran. */
  applied: boolean;
  reason?: string;
  rounds: DryRunRound[];
  /** log() lines of the last run of each provision ("preset/provision"). */
  logs: Record<string, string[]>;
  faults: ChannelFault[];
  /** Tags the provisions set (declare('Tags.<name>', ...)), committed with the session on the server. */
  tags: { add: string[]; remove: string[] };
}

/** The first session's fields, the device and preset, and the sessions after the first (`later`). */
export interface DryRunResult extends DryRunSession {
  device: {
    source: DeviceSource;
    deviceKey: DeviceKey;
    deviceId: DeviceIdStruct;
    /** What the cache held before the Inform: nothing, the whole model, or the snapshot. */
    cache: 'empty' | 'model' | 'snapshot';
    cachedRows: number;
  };
  preset: string;
  channel: string;
  /** Sessions 2..N (empty for one session). */
  later: DryRunSession[];
  notes: string[];
  /** Provisioning ended with no channel fault, in every session. */
  completed: boolean;
}

const SESSION_ID = 'dry-run-session';

/** The simulated CPE: the simulator's semantics, with FaultStrings that say why (a dry run is read by a person). */
const DEFAULT_RPC_OPTIONS: RpcOptions = { verboseFaults: true };

export async function dryRun(options: DryRunOptions): Promise<DryRunResult> {
  const scripts = new ScriptLibrary(options.provisionsDir);
  await scripts.refresh(true);
  const preset = loadNamedPreset(options.presetsDir, options.preset, scripts.names());
  const device = loadDryRunDevice(options.device, { cached: options.cached });
  const virtual = options.virtualParametersDir === undefined ? undefined : new ScriptLibrary(options.virtualParametersDir);
  await virtual?.refresh(true);
  return dryRunLoaded({ preset, scripts, device, ...(virtual ? { virtual } : {}) }, options);
}

/** What a dry run plays, loaded by its caller: the CLI from files, the REST API from the store. */
export interface DryRunInput {
  preset: Preset;
  /** The provisions the preset may call (refreshed). */
  scripts: ScriptLibrary;
  /** Virtual parameter scripts; absent: provisions see no virtual parameter. */
  virtual?: ScriptLibrary;
  device: DryRunDevice;
}

/** The options that are not about where the input comes from. */
export type DryRunPlayOptions = Omit<DryRunOptions, 'device' | 'preset' | 'presetsDir' | 'provisionsDir' | 'cached' | 'virtualParametersDir'>;

/** The dry run of a loaded preset against a loaded device. */
export async function dryRunLoaded(input: DryRunInput, options: DryRunPlayOptions): Promise<DryRunResult> {
  const { preset, scripts, virtual, device } = input;
  const events = options.events && options.events.length > 0 ? options.events : defaultEvents(preset);
  const notes = [...device.notes];

  const pool = new SandboxPool({
    size: 1,
    timeoutMs: options.scriptTimeoutMs,
    memoryLimitMb: options.scriptMemoryMb,
    onCatastrophicError: (message) => notes.push(`isolated-vm lost control of an isolate: ${message}`),
  });
  const answers = options.extAnswers;
  const ext = answers ? new AnsweringHost(answers.answers, answers.file) : new ExtensionHost({ dir: options.extDir, timeoutMs: options.extTimeoutMs ?? 3_000 });
  try {
    const deps: StepDeps = {
      pool,
      scripts,
      ext,
      ...(virtual ? { virtual } : {}),
      presets: { list: () => [preset], get: (name: string) => (name === preset.name ? preset : undefined) },
      limits: { maxRpcs: options.maxRpcs ?? 64, maxSteps: options.maxSteps ?? 32 },
      log: noteLogger(notes),
      // A dry run is about what the preset does: its window is open.
      openSchedules: async () => new Set([preset.name]),
    };
    if (preset.schedule) notes.push(`the preset's schedule (${preset.schedule.cron}) is taken as open`);
    return await playSessions(deps, options, preset, device, events, notes);
  } finally {
    await ext.close();
    await pool.close();
  }
}

/** The sessions, one after the other, on one cache and one simulated device. */
async function playSessions(deps: StepDeps, options: DryRunPlayOptions, preset: Preset, device: DryRunDevice, events: string[], notes: string[]): Promise<DryRunResult> {
  const bootstrap = events.includes('0 BOOTSTRAP');
  // As SessionCache.load: a BOOTSTRAP empties the stored model at commit, so the engine plans from an empty one.
  if (bootstrap && device.rows.length > 0) notes.push('0 BOOTSTRAP: the engine plans from an empty cache, as the server does (the stored model is dropped)');
  if (device.channelFaults.length > 0) {
    notes.push(`stored channel faults not applied (${device.channelFaults.map((f) => f.channel).join(', ')}): the dry run runs as if they were cleared`);
  }
  const table = new MemoryTable(bootstrap ? [] : device.rows);
  const stored: StoredDevice = { channelFaults: [], tags: [...device.tags], ...device.times };
  const start = options.startTime ?? Date.now();
  const count = options.sessions ?? 1;
  const played: DryRunSession[] = [];
  for (let i = 0; i < count; i++) {
    const now = start + i * (options.intervalMs ?? 3_600_000);
    const previous = played.at(-1);
    const session = await play(deps, options, preset, device, { table, stored, number: i + 1, now, events: previous ? nextEvents(previous, notes) : events });
    played.push(session);
    stored.tags = [...new Set([...stored.tags, ...session.tags.add])].filter((t) => !session.tags.remove.includes(t));
    // The channel's fault holds it back until its retry time, as on the server; a session that ran it cleanly clears it.
    if (session.faults.length > 0 || session.applied) stored.channelFaults = session.faults;
  }
  const [first, ...later] = played;
  return {
    ...first,
    device: {
      source: device.source,
      deviceKey: device.deviceKey,
      deviceId: device.deviceId,
      cache: device.rows.length === 0 || bootstrap ? 'empty' : device.source === 'csv' || device.source === 'bbf' ? 'model' : 'snapshot',
      cachedRows: bootstrap ? 0 : device.rows.length,
    },
    preset: preset.name,
    channel: preset.channel,
    later,
    notes,
    completed: played.every((x) => x.faults.length === 0),
  };
}

/** The events of the session after `previous`: a periodic Inform, or the boot after its reboot. */
function nextEvents(previous: DryRunSession, notes: string[]): string[] {
  const effects = previous.rounds.flatMap((r) => r.rpcs.flatMap((x) => x.effects));
  const others = [...new Set(effects.map((e) => e.kind).filter((k) => k !== 'reboot'))];
  if (others.length > 0) notes.push(`session ${previous.session}: what the device does after it (${others.join(', ')}) is not played in the next session`);
  return effects.some((e) => e.kind === 'reboot') ? ['1 BOOT', 'M Reboot'] : ['2 PERIODIC'];
}

interface SessionInput {
  table: MemoryTable;
  stored: StoredDevice;
  number: number;
  /** The Inform's time. */
  now: number;
  events: string[];
}

/** One session, front end and worker in one loop. */
async function play(deps: StepDeps, options: DryRunPlayOptions, preset: Preset, device: DryRunDevice, input: SessionInput): Promise<DryRunSession> {
  const { table, stored, now, events } = input;
  const state = sessionState(device, events, now);
  await table.applyInform(state.inform);
  const rpcOptions = options.rpcOptions ?? DEFAULT_RPC_OPTIONS;
  // The session's clock: its Inform's time, then as much as the dry run took.
  const began = Date.now();
  const clock = (): number => now + (Date.now() - began);

  const rounds: DryRunRound[] = [];
  const provision = (): ProvisionState => state.provision ?? fail('the session lost its provisioning state');
  while (!provision().done) {
    takeStepOutput(state, await step(deps, state, { table, stored })); // its clear() ops are in the table already
    const round: DryRunRound = { step: provision().steps, rpcs: [] };
    for (let next = state.queue.shift(); next; next = state.queue.shift()) {
      const sent: InFlightRequest = { ...next, cwmpId: `${SESSION_ID.slice(0, 8)}-${++state.sent}`, sentAt: clock() };
      const { response, effects } = handleRequest(device.model, next.request, rpcOptions);
      const time = clock();
      // As rpc-loop.ts answer(): the response's (or fault's) log entries, then the engine's.
      const entries = response.method === 'Fault' ? entriesForFault(sent, response, time) : entriesForResponse(sent, response, state.id, time);
      entries.push(...engineAnswer(state, sent, response, time));
      for (const e of entries) if (e.t === 'op') await table.applyOp(e.op);
      const made = next.engine?.aliasKeys ? { keys: true } : next.engine?.followUp ? { followUp: true } : {};
      round.rpcs.push({ request: next.request, channels: next.engine?.channels ?? [], ...made, response, effects });
    }
    if (round.rpcs.length > 0) rounds.push(round);
  }

  const final = provision();
  const applied = (final.presets ?? []).includes(preset.name);
  const session: DryRunSession = {
    session: input.number,
    time: new Date(now).toISOString(),
    events,
    applied,
    rounds,
    logs: final.logs,
    faults: final.faults,
    tags: final.tags,
  };
  if (!applied) session.reason = whyNot(preset, events, table, state, stored);
  return session;
}

/** The session an Inform of the simulated device opens (inform.ts newState, with the engine wanted). */
function sessionState(device: DryRunDevice, events: string[], now: number): SessionState {
  const inform: InformRecord = {
    deviceId: device.deviceId,
    events: events.map((EventCode) => ({ EventCode, CommandKey: '' })),
    retryCount: 0,
    currentTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
    parameters: informParameters(device.model),
    remoteAddress: '127.0.0.1',
    cwmpVersion: '1.4',
    time: now,
  };
  return {
    id: SESSION_ID,
    deviceKey: device.deviceKey,
    namespace: 'urn:dslforum-org:cwmp-1-4',
    cwmpVersion: '1.4',
    remoteAddress: inform.remoteAddress,
    phase: 'acs-requests',
    startedAt: now,
    inform,
    queue: [],
    loadedIds: [],
    inFlight: null,
    holdRequests: false,
    sent: 0,
    logged: 0,
    informHash: '',
    facts: { version: '', credentials: null, knownHash: null },
    carried: [],
    events,
    model: 'stored',
    provision: newProvisionState(),
  };
}

/** The events a preset needs ("-" ones excluded); "1 BOOT" for a preset that names none. */
export function defaultEvents(preset: Preset): string[] {
  return preset.events.all.length > 0 ? [...preset.events.all] : ['1 BOOT'];
}

/** Why the preset was not chosen: its events, or its precondition with the values it read. */
function whyNot(preset: Preset, events: string[], table: MemoryTable, state: SessionState, stored: StoredDevice): string {
  const held = stored.channelFaults.find((f) => f.channel === preset.channel && f.nextRetry > state.startedAt);
  if (held) return `its channel ${held.channel} faulted (${held.code}); it is retried from ${new Date(held.nextRetry).toISOString()}`;
  if (!eventsMatch(preset.events, events)) {
    const want = [...preset.events.all, ...preset.events.none.map((e) => `-${e}`)].join(', ');
    return `its events (${want}) do not match the session's (${events.join(', ')})`;
  }
  if (preset.precondition) {
    const lookup = lookupFrom(sessionFacts(state, table, stored));
    if (!presetMatches({ ...preset, schedule: undefined }, { events, lookup })) {
      const read = [...pathsOf(preset.precondition), ...timesOf(preset.precondition)].map((p) => {
        const values = lookup(p);
        return `${p} = ${values.length === 0 ? 'NULL (not in the cache)' : values.map((v) => JSON.stringify(v.value)).join(', ')}`;
      });
      return `its precondition is false: ${preset.preconditionSource}${read.length > 0 ? ` (${read.join('; ')})` : ''}`;
    }
  }
  return 'it was not chosen';
}

/**
 * The preset file named NAME in the presets folder (NAME.yaml before
 * NAME.yml, as the registry has it), checked against the provisions that
 * exist. Problems are input errors with the file and line.
 */
function loadNamedPreset(dir: string, name: string, provisions: Set<string>): Preset {
  let files: string[];
  try {
    files = readdirSync(dir).filter(isPresetFile).sort();
  } catch (err) {
    throw new DryRunInputError(dir, `cannot read the presets folder: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  const file = files.find((f) => presetNameOf(f) === name);
  if (file === undefined) {
    const known = [...new Set(files.map(presetNameOf))];
    throw new DryRunInputError(dir, `unknown preset "${name}" (${known.length > 0 ? `presets here: ${known.join(', ')}` : 'no preset files here'})`);
  }
  const r = loadPresetFile(path.join(dir, file), { knownProvisions: provisions });
  if (!r.ok) {
    const [first, ...rest] = r.errors;
    const error = new DryRunInputError(first.file, first.message, first.line, first.column);
    if (rest.length > 0) error.message += rest.map((e) => `\n${formatPresetError(e)}`).join('');
    throw error;
  }
  return r.preset;
}

/** A logger whose warnings (a provision waiting on a commit() that needs no RPC ...) become notes. */
function noteLogger(notes: string[]): StepDeps['log'] {
  const sink = {
    write(line: string): void {
      try {
        const msg = (JSON.parse(line) as { msg?: unknown }).msg;
        if (typeof msg === 'string') notes.push(msg);
      } catch {
        // not a log line
      }
    },
  };
  return pino({ level: 'warn', base: null }, sink);
}
