/**
 * Runs the provisions of the session's presets against the current view and
 * gathers what they declared, per channel. ext() calls are answered here
 * (outside the sandbox) and the run replayed with the answer, so a run that
 * comes back holds every answer it needed.
 */
import type { Preset } from '../presets/types';
import type { Clear, DeviceView, RunInput, RunResult, SandboxPool, ScriptSource } from '../sandbox';
import { extKey } from '../sandbox';
import type { ChannelBudget } from './channel-budget';
import type { ExtensionHost } from './ext';
import type { FaultSource } from './channel-faults';
import { fromScriptFault } from './channel-faults';
import type { ChannelDeclaration } from './planner/types';
import type { ScriptLibrary } from './script-library';
import { engineStats, timed } from './stats';
import { logKeys } from './types';

/** Replays of one run for ext() answers, at most. */
const MAX_EXT_CALLS_PER_RUN = 8;

export interface RunDeps {
  pool: SandboxPool;
  scripts: ScriptLibrary;
  ext: ExtensionHost;
  /** Sandbox time the channels' faulting runs may use (the worker's; none: unbounded, as in a dry run). */
  budget?: ChannelBudget;
}

export interface RunsOutcome {
  declarations: ChannelDeclaration[];
  clears: Clear[];
  /** log() lines per "preset/provision" (logKeys). */
  logs: Record<string, string[]>;
  /** Channels that faulted, with the first fault of each. */
  faults: Map<string, FaultSource>;
  /** Some run stopped at a commit() that is not met yet. */
  waiting: boolean;
}

export type RunBase = Omit<RunInput, 'args' | 'view' | 'extResults'>;

export async function runProvisions(
  deps: RunDeps,
  presets: readonly Preset[],
  base: RunBase,
  view: DeviceView,
  extResults: Record<string, unknown>,
): Promise<RunsOutcome> {
  const out: RunsOutcome = { declarations: [], clears: [], logs: {}, faults: new Map(), waiting: false };
  for (const preset of presets) {
    if (out.faults.has(preset.channel)) continue;
    if (deps.budget && !deps.budget.allows(preset.channel)) {
      out.faults.set(preset.channel, overBudget(preset, deps.budget));
      continue;
    }
    const keys = logKeys(preset.name, preset.provisions);
    for (const [i, call] of preset.provisions.entries()) {
      const fault = await runOne(deps, preset, call.name, keys[i], { ...base, args: call.args, view, extResults }, extResults, out);
      if (fault) {
        out.faults.set(preset.channel, fault);
        break;
      }
    }
  }
  // A faulted channel's declarations are dropped: its other presets' too, so the channel acts as one unit.
  out.declarations = out.declarations.filter((d) => !out.faults.has(d.channel));
  return out;
}

async function runOne(
  deps: RunDeps,
  preset: Preset,
  name: string,
  logKey: string,
  input: RunInput,
  extResults: Record<string, unknown>,
  out: RunsOutcome,
): Promise<FaultSource | null> {
  const script = await deps.scripts.get(name);
  if (!script) return { code: 'script.missing', message: `provision "${name}" does not exist`, preset: preset.name, script: name };
  const answered = await withExtAnswers(deps.ext, extResults, () => runScript(deps, script, input, preset.channel));
  if (!answered.ok) return { code: answered.code, message: answered.message, preset: preset.name, script: script.name };
  const result = answered.result;
  out.logs[logKey] = result.logs;
  if (result.fault?.code === 'script.budget' && deps.budget) return overBudget(preset, deps.budget);
  if (result.fault) return fromScriptFault(result.fault, preset.name);
  for (const declaration of result.declarations) out.declarations.push({ channel: preset.channel, declaration });
  out.clears.push(...result.clears);
  if (!result.done) out.waiting = true;
  return null;
}

/** A run that came back with every ext() answer it asked for, or the call that got none. */
export type Answered = { ok: true; result: RunResult } | { ok: false; code: string; message: string };

/**
 * Runs a script (provision or virtual parameter) and, while it stops at an
 * ext() call, calls the extension and runs it again with the answer in
 * `extResults` (where later replays find it too).
 */
export async function withExtAnswers(ext: Pick<ExtensionHost, 'call'>, extResults: Record<string, unknown>, run: () => Promise<RunResult>): Promise<Answered> {
  let result = await run();
  for (let i = 0; result.stop === 'ext' && result.pendingExt && !result.fault; i++) {
    const call = result.pendingExt;
    if (i >= MAX_EXT_CALLS_PER_RUN) return { ok: false, code: 'ext.limit', message: `more than ${MAX_EXT_CALLS_PER_RUN} ext() calls in one run` };
    const answer = await ext.call(call.name, call.args);
    if (!answer.ok) return { ok: false, code: answer.code, message: `ext("${call.name}"): ${answer.message}` };
    extResults[call.key ?? extKey(call.name, call.args)] = answer.value;
    result = await run();
  }
  return { ok: true, result };
}

/** One run, admitted by its channel's budget and charged to it if it faults. */
function runScript(deps: RunDeps, script: ScriptSource, input: RunInput, channel: string): Promise<RunResult> {
  engineStats.scriptRuns++;
  const budget = deps.budget;
  const gate = budget && { admit: () => budget.allows(channel), faulted: (ms: number) => budget.charge(channel, ms) };
  return timed('sandboxMs', () => deps.pool.run(script, input, gate));
}

function overBudget(preset: Preset, budget: ChannelBudget): FaultSource {
  const { channelMsPerMinute, totalMsPerMinute } = budget.rates;
  const message = `not run: faulting runs used their share of script time on this worker (${channelMsPerMinute} ms a minute for channel "${preset.channel}", ${totalMsPerMinute} ms for all channels)`;
  return { code: 'script.budget', message, preset: preset.name };
}
