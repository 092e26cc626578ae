/**
 * Runs every provision as the engine would, against a stand-in device
 * (stand-in-view.ts), and checks what it declares (check-declaration.ts).
 *
 * A provision runs once per preset call, with the preset's args and events;
 * one no preset calls runs once with no args. An ext() call is answered
 * with null (the extension is not run; the ACS's own acs-qoe answers from
 * the shipped collection profiles) and the run replayed, up to
 * {@link MAX_EXT_CALLS} times. GenieACS idioms that cost RPCs in every
 * session are warnings (costly.ts). Runs are traced, so each finding points at
 * the declare() call (the .ts line for TypeScript).
 */
import { parseExtName } from '../engine/ext';
import { QOE_EXTENSION, qoeStandIn } from '../qoe/ext';
import type { Preset } from '../presets';
import { SandboxPool, type Declaration, type ExtCall, type LoadedScript, type RunInput, type RunResult, type ScriptFault } from '../sandbox';
import { checkDeclaration, type CheckContext, type Severity } from './check-declaration';
import { costlyIdioms } from './costly';
import { StandInView } from './stand-in-view';

/** A problem located in a file. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
}

/** ext() calls answered with null in one run before lint gives up on the rest of it. */
export const MAX_EXT_CALLS = 32;

export interface RunOptions {
  /** Time limit of one run, ms (default 50, as SCRIPT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Memory limit of the isolate, MiB (default 32, as SCRIPT_MEMORY_MB). */
  memoryLimitMb?: number;
}

interface Call {
  script: LoadedScript;
  args: readonly unknown[];
  events: readonly string[];
}

const DEVICE_ID = { Manufacturer: 'acs-lint', OUI: '000000', ProductClass: 'acs-lint', SerialNumber: 'acs-lint' };

/** The runs to make: one per distinct preset call, one with no args for a provision no preset calls. */
export function callsOf(scripts: readonly LoadedScript[], presets: readonly Preset[]): Call[] {
  const byId = new Map(scripts.filter((s) => !s.fault).map((s) => [s.id, s]));
  const calls = new Map<string, Call>();
  const called = new Set<string>();
  for (const preset of presets) {
    for (const p of preset.provisions) {
      const script = byId.get(p.name);
      if (!script) continue;
      called.add(p.name);
      calls.set(JSON.stringify([p.name, p.args, preset.events.all]), { script, args: p.args, events: preset.events.all });
    }
  }
  for (const [id, script] of byId) if (!called.has(id)) calls.set(JSON.stringify([id]), { script, args: [], events: [] });
  return [...calls.values()];
}

/** Runs the provisions and returns what their declarations (and runs) get wrong, each problem once. */
export async function checkProvisionRuns(calls: readonly Call[], ctx: CheckContext, options: RunOptions = {}): Promise<Problem[]> {
  const pool = new SandboxPool({ size: 1, timeoutMs: options.timeoutMs, memoryLimitMb: options.memoryLimitMb });
  const view = new StandInView(ctx.models, ctx.virtualParameters);
  const seen = new Set<string>();
  const problems: Problem[] = [];
  const add = (p: Problem): void => {
    const key = `${p.file}\0${p.line}\0${p.column}\0${p.severity}\0${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };
  try {
    for (const call of calls) {
      const now = Date.now();
      const { result, extCapped } = await runCall(pool, call, view, now);
      for (const d of result.declarations) {
        let findings;
        try {
          findings = [...checkDeclaration(d, ctx), ...costlyIdioms(d, now)];
        } catch (error) {
          findings = [{ severity: 'error' as const, message: `${d.path}: ${(error as Error).message}` }];
        }
        for (const f of findings) add(at(call.script, d, f.severity, f.message));
      }
      if (result.fault) add(faultProblem(call.script, result.fault));
      if (extCapped) add({ file: call.script.file, line: 0, column: 0, severity: 'warning', message: `more than ${MAX_EXT_CALLS} ext() calls in one run: the declarations after them were not checked` });
    }
  } finally {
    await pool.close();
  }
  return problems;
}

/** One call, replayed with each ext() it makes answered by null. */
async function runCall(pool: SandboxPool, call: Call, view: StandInView, now: number): Promise<{ result: RunResult; extCapped: boolean }> {
  const extResults = new Map<string, unknown>();
  const input: RunInput = {
    deviceKey: '000000-acs-lint-acs-lint', deviceId: DEVICE_ID, events: call.events, now, args: call.args, view, extResults, trace: true,
  };
  for (;;) {
    const result = await pool.run(call.script, input);
    if (result.stop !== 'ext' || !result.pendingExt) return { result, extCapped: false };
    if (extResults.size >= MAX_EXT_CALLS) return { result, extCapped: true };
    extResults.set(result.pendingExt.key, await standInAnswer(result.pendingExt));
  }
}

function at(script: LoadedScript, d: Declaration, severity: Severity, message: string): Problem {
  return { file: script.file, line: d.line ?? 0, column: d.column ?? 0, severity, message };
}

/**
 * A run that faulted. Misuse of the script API (a malformed path, a bad
 * value) is an error whatever the data; anything else may come from the
 * stand-in data (ext() answering null, default values), so it is a warning.
 */
function faultProblem(script: LoadedScript, fault: ScriptFault): Problem {
  const misuse = fault.code === 'script.error' && /^TypeError: (declare|clear|commit|ext|log)\(\):/.test(fault.message);
  const message = misuse ? fault.message : `${fault.code}: ${fault.message} (run against a stand-in device: ext() answers null, parameters hold model defaults)`;
  return { file: script.file, line: fault.line ?? 0, column: fault.column ?? 0, severity: misuse ? 'error' : 'warning', message };
}

/** The ACS's own extensions answer as they would (from the shipped profiles); an operator's answers null. */
async function standInAnswer(call: ExtCall): Promise<unknown> {
  const parsed = parseExtName(call.name);
  if (parsed?.module !== QOE_EXTENSION) return null;
  return qoeStandIn(parsed.fn, call.args).catch(() => null);
}
