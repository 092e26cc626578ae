/**
 * `acs provision`: arguments, and the dry run's report as text or JSON.
 * Exit status: 0 provisioning completed (or the preset does not apply),
 * 1 a channel faulted, 2 bad input.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { CpeRequest, CpeResponse, Fault, ParameterValueStruct } from '../cwmp/soap/types';
import { checkEventCode } from '../presets/events';
import type { Effect } from '../sim/cpe';
import { parseDuration } from '../workflows/duration';
import { DryRunInputError, dryRun, type DryRunResult, type DryRunRpc, type DryRunSession } from './dry-run';
import { loadExtAnswers } from './dry-run-ext';

const MAX_SESSIONS = 100;

export const provisionUsage = `usage: acs provision --device FILE --preset NAME [--event CODE]... [--presets DIR] [--provisions DIR]
                     [--virtual-parameters DIR] [--ext FILE.json] [--sessions N] [--interval SPAN]
                     [--cached] [--json] [--all]

Dry run of one preset against a simulated device: prints the RPCs the ACS would send, round by
round, with the simulated CPE's answers, then the provisions' log() lines and channel faults.
No server, Redis or database; the device is the simulator's (acs sim) CPE on that data model.

  --device FILE      a GenieACS-style CSV dump (as acs sim --model; tr181 / tr098 for a BBF device),
                     or a JSON snapshot: { "deviceId": {...}, "tags": [...], "time": ...,
                     "parameters": [{ "path", "value", "type", "writable" }] } (objects end in "."),
                     or what GET /devices/:id of the REST API returns (its cache, as stored)
  --preset NAME      the preset file NAME.yaml (or .yml) in the presets folder; only it runs
                     (its schedule window is taken as open)
  --event CODE       an Inform event of the session (repeat, or separate with commas);
                     default: the events the preset requires, or "1 BOOT" if it names none.
                     With "0 BOOTSTRAP" the engine plans from an empty cache, as the server does
  --presets DIR      default PRESETS_DIR (./presets)
  --provisions DIR   default PROVISIONS_DIR (./provisions)
  --virtual-parameters DIR
                     default VIRTUAL_PARAMETERS_DIR (./virtual-parameters): VirtualParameters.<name> runs
                     <name>.js from there, as on the server
  --ext FILE.json    answer ext() from the file instead of running the extensions of EXT_DIR:
                     { "orders.lookup": { "value": {...} },
                       "billing": [ { "args": ["SN1"], "value": 42 }, { "error": "down" } ] }
                     (a case without "args" answers any call; a call it does not answer faults)
  --sessions N       play N sessions in a row (default 1; at most ${MAX_SESSIONS}) on the same device and cache:
                     the later ones are periodic Informs ("2 PERIODIC"; "1 BOOT", "M Reboot" after a reboot)
  --interval SPAN    time between the sessions' Informs: seconds, or 90s, 30m, 1h, 1d (default 1h)
  --cached           CSV / BBF devices: the ACS's cache starts with the whole model (as read at the
                     file's modification time); default: empty, as for a device never seen before
  --json             the report as one JSON document
  --all              list every path and value (default: the first ${10} of each RPC)

Scripts run in the sandbox with the SCRIPT_* limits and call the real extensions in EXT_DIR;
ENGINE_MAX_RPCS / ENGINE_MAX_STEPS bound the session as on the server.
Exit status: 0 provisioning completed (or the preset does not apply: see its reason),
1 a channel faulted, 2 bad input (file:line: problem).`;

const SHOWN = 10;

export async function runProvision(argv: string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        device: { type: 'string' },
        preset: { type: 'string' },
        event: { type: 'string', multiple: true },
        presets: { type: 'string' },
        provisions: { type: 'string' },
        'virtual-parameters': { type: 'string' },
        ext: { type: 'string' },
        sessions: { type: 'string' },
        interval: { type: 'string' },
        cached: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (values.help) return void console.log(provisionUsage);
  if (!values.device) return usageError('--device FILE is required');
  if (!values.preset) return usageError('--preset NAME is required');
  const events = (values.event ?? []).flatMap((e) => e.split(',')).map((e) => e.trim()).filter((e) => e !== '');
  for (const e of events) {
    const problem = checkEventCode(e);
    if (problem) return usageError(`--event: ${problem}`);
  }
  const sessions = values.sessions === undefined ? 1 : Number(values.sessions);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > MAX_SESSIONS) return usageError(`--sessions: expected a whole number from 1 to ${MAX_SESSIONS}, not ${values.sessions}`);
  const intervalMs = values.interval === undefined ? 3_600_000 : spanMs(values.interval);
  if (intervalMs === null) return usageError(`--interval: expected seconds or a span such as 90s, 30m, 1h, 1d, not ${values.interval}`);
  const config = loadConfig();
  const provisionsDir = values.provisions ?? config.provisionsDir;
  let result: DryRunResult;
  try {
    const extFile = values.ext;
    result = await dryRun({
      virtualParametersDir: values['virtual-parameters'] ?? config.virtualParametersDir,
      ...(extFile !== undefined ? { extAnswers: { file: extFile, answers: loadExtAnswers(extFile) } } : {}),
      sessions,
      intervalMs,
      device: values.device,
      preset: values.preset,
      events,
      presetsDir: values.presets ?? config.presetsDir,
      provisionsDir,
      cached: values.cached,
      extDir: config.extDir,
      extTimeoutMs: config.extTimeoutMs,
      scriptTimeoutMs: config.scriptTimeoutMs,
      scriptMemoryMb: config.scriptMemoryMb,
      maxRpcs: config.engineMaxRpcs,
      maxSteps: config.engineMaxSteps,
    });
  } catch (err) {
    if (!(err instanceof DryRunInputError)) throw err;
    console.error(err.message);
    process.exitCode = 2;
    return;
  }
  console.log(values.json ? JSON.stringify(result, null, 2) : formatReport(result, { all: values.all, device: values.device, provisionsDir }).join('\n'));
  process.exitCode = result.completed ? 0 : 1;
}

/** "3600" (seconds), or 90s, 30m, 1h, 1d. */
function spanMs(text: string): number | null {
  if (/^\d+$/.test(text.trim())) return Number(text) > 0 ? Number(text) * 1000 : null;
  return parseDuration(text);
}

function usageError(message: string): void {
  console.error(`acs provision: ${message}\n${provisionUsage}`);
  process.exitCode = 2;
}

// ------------------------------------------------------------ the text report

export interface ReportOptions {
  /** Every path and value, not the first few of each RPC. */
  all?: boolean;
  /** The --device argument, as the user gave it. */
  device?: string;
  /** Where the provisions are, to name a script fault's file. */
  provisionsDir?: string;
}

export function formatReport(r: DryRunResult, options: ReportOptions = {}): string[] {
  const out: string[] = [];
  const limit = options.all ? Infinity : SHOWN;
  const sessions = [r, ...r.later];
  out.push(`preset ${r.preset} (channel ${r.channel}) on ${r.device.deviceKey}, events: ${r.events.join(', ')}`);
  out.push(`device: ${sourceOf(r, options.device)}; cache: ${cacheOf(r)}`);
  for (const s of sessions) {
    if (sessions.length > 1) out.push('', `=== session ${s.session} at ${s.time}, events: ${s.events.join(', ')}`);
    out.push(...formatSession(s, limit, options));
  }
  if (r.notes.length > 0) {
    out.push('', 'notes');
    for (const n of r.notes) out.push(`  ${n}`);
  }
  if (sessions.length > 1) {
    out.push('', 'sessions');
    for (const s of sessions) out.push(`  ${s.session} ${s.time}: ${summaryOf(s)}`);
    out.push('', r.completed ? `completed: ${sessions.length} sessions` : `faulted: ${sessions.filter((s) => s.faults.length > 0).length} of ${sessions.length} sessions`);
  } else {
    out.push('', summaryOf(r));
  }
  return out;
}

function formatSession(s: DryRunSession, limit: number, options: ReportOptions): string[] {
  const out: string[] = [];
  if (!s.applied) out.push('', `the preset does not apply: ${s.reason ?? 'not chosen'}`);
  for (const round of s.rounds) {
    out.push('', `round ${round.step}`);
    for (const rpc of round.rpcs) out.push(...formatRpc(rpc, limit));
  }
  const logs = Object.entries(s.logs).filter(([, lines]) => lines.length > 0);
  if (logs.length > 0) {
    out.push('', 'script logs');
    for (const [name, lines] of logs) for (const line of lines) out.push(`  ${name}: ${line}`);
  }
  if (s.tags.add.length + s.tags.remove.length > 0) {
    out.push('', `tags: ${[...s.tags.add.map((t) => `+${t}`), ...s.tags.remove.map((t) => `-${t}`)].join(' ')}`);
  }
  if (s.faults.length > 0) {
    out.push('', 'channel faults');
    for (const f of s.faults) {
      const file = f.script && options.provisionsDir !== undefined ? path.relative(process.cwd(), path.join(options.provisionsDir, f.script)) : f.script;
      const where = file ? ` (${file}${f.line !== undefined ? `:${f.line}${f.column !== undefined ? `:${f.column}` : ''}` : ''})` : '';
      out.push(`  ${f.channel}: ${f.code}: ${f.message}${where}`);
    }
  }
  return out;
}

function summaryOf(s: DryRunSession): string {
  const rpcs = s.rounds.reduce((n, x) => n + x.rpcs.length, 0);
  const size = `${s.rounds.length} round${s.rounds.length === 1 ? '' : 's'}, ${rpcs} RPC${rpcs === 1 ? '' : 's'}`;
  if (s.faults.length > 0) return `faulted: ${size}, ${s.faults.length} channel fault${s.faults.length === 1 ? '' : 's'}`;
  return `completed: ${size}${s.applied ? '' : ' (the preset did not run)'}`;
}

function sourceOf(r: DryRunResult, given: string | undefined): string {
  const name = given === undefined ? '' : ` ${path.basename(given)}`;
  switch (r.device.source) {
    case 'csv':
      return `CSV dump${name}`;
    case 'bbf':
      return `generated from the BBF data model (${given ?? ''})`;
    case 'snapshot':
      return `JSON snapshot${name}`;
    case 'nbi':
      return `REST API device${name}`;
  }
}

function cacheOf(r: DryRunResult): string {
  switch (r.device.cache) {
    case 'empty':
      return 'empty (Inform parameters only)';
    case 'model':
      return `the whole model (${r.device.cachedRows} rows, --cached)`;
    case 'snapshot':
      return `the snapshot (${r.device.cachedRows} rows)`;
  }
}

function formatRpc(rpc: DryRunRpc, limit: number): string[] {
  // The names a read asked for are in its answer; listed here only when the answer is a fault.
  const reads = rpc.request.method === 'GetParameterValues' || rpc.request.method === 'GetParameterAttributes';
  const details = reads && rpc.response.method !== 'Fault' ? [] : requestDetails(rpc.request, limit);
  const out = [`  → ${requestLine(rpc)}`, ...details.map((l) => `      ${l}`)];
  const answer = responseLines(rpc.request, rpc.response, limit);
  out.push(`    ← ${answer[0]}`, ...answer.slice(1).map((l) => `      ${l}`));
  for (const e of rpc.effects) out.push(`      after the session: ${effectLine(e)}`);
  return out;
}

function requestLine(rpc: DryRunRpc): string {
  const r = rpc.request;
  const key = 'ParameterKey' in r && r.ParameterKey !== '' ? ` ParameterKey=${r.ParameterKey}` : '';
  switch (r.method) {
    case 'GetParameterNames':
      return `GetParameterNames ${r.ParameterPath || '(root)'} NextLevel=${r.NextLevel}`;
    case 'GetParameterValues':
      return `${r.method} (${count(r.ParameterNames.length, 'name')})${rpc.followUp ? ' (under what the listing found, no engine step between)' : ''}`;
    case 'GetParameterAttributes':
      return `${r.method} (${count(r.ParameterNames.length, 'name')})`;
    case 'SetParameterValues':
      return `SetParameterValues${rpc.keys ? ' (alias keys of the new instance)' : ''}${key}`;
    case 'SetParameterAttributes':
      return `SetParameterAttributes (${count(r.ParameterList.length, 'parameter')})`;
    case 'AddObject':
    case 'DeleteObject':
      return `${r.method} ${r.ObjectName}${key}`;
    case 'Reboot':
      return `Reboot${r.CommandKey ? ` CommandKey=${r.CommandKey}` : ''}`;
    case 'Download':
      return `Download ${r.FileType} ${r.URL}${r.TargetFileName ? ` as ${r.TargetFileName}` : ''}${r.CommandKey ? ` CommandKey=${r.CommandKey}` : ''}`;
    case 'Upload':
      return `Upload ${r.FileType} to ${r.URL}${r.CommandKey ? ` CommandKey=${r.CommandKey}` : ''}`;
    case 'ScheduleInform':
      return `ScheduleInform in ${r.DelaySeconds}s${r.CommandKey ? ` CommandKey=${r.CommandKey}` : ''}`;
    default: {
      const { method, ...rest } = r as { method: string };
      return Object.keys(rest).length > 0 ? `${method} ${JSON.stringify(rest)}` : method;
    }
  }
}

function requestDetails(r: CpeRequest, limit: number): string[] {
  switch (r.method) {
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return capped(r.ParameterNames, limit);
    case 'SetParameterValues':
      return capped(r.ParameterList.map(valueLine), limit);
    case 'SetParameterAttributes':
      return capped(
        r.ParameterList.map((p) => `${p.Name}${p.NotificationChange ? ` Notification=${p.Notification}` : ''}${p.AccessListChange ? ` AccessList=[${p.AccessList.join(',')}]` : ''}`),
        limit,
      );
    default:
      return [];
  }
}

function responseLines(request: CpeRequest, m: CpeResponse | Fault, limit: number): string[] {
  switch (m.method) {
    case 'Fault': {
      const details = (m.SetParameterValuesFault ?? []).map((f) => `${f.ParameterName}: ${f.FaultCode} ${f.FaultString}`);
      return [`Fault ${m.FaultCode} ${m.FaultString}`, ...capped(details, limit)];
    }
    case 'GetParameterNamesResponse': {
      const objects = m.ParameterList.filter((p) => p.Name.endsWith('.')).length;
      return [`${count(m.ParameterList.length, 'name')} (${count(objects, 'object')})`];
    }
    case 'GetParameterValuesResponse':
      return [count(m.ParameterList.length, 'value'), ...capped(m.ParameterList.map(valueLine), limit)];
    case 'GetParameterAttributesResponse':
      return [
        count(m.ParameterList.length, 'attribute'),
        ...capped(m.ParameterList.map((p) => `${p.Name} Notification=${p.Notification} AccessList=[${p.AccessList.join(',')}]`), limit),
      ];
    case 'SetParameterValuesResponse':
    case 'AddObjectResponse':
    case 'DeleteObjectResponse': {
      const status = m.Status === 1 ? 'Status 1 (applied at the next reboot)' : 'Status 0';
      return [m.method === 'AddObjectResponse' ? `instance ${m.InstanceNumber} (${request.method === 'AddObject' ? `${request.ObjectName}${m.InstanceNumber}.` : ''}), ${status}` : status];
    }
    default: {
      const { method, ...rest } = m as { method: string };
      return [Object.keys(rest).length > 0 ? `${method} ${JSON.stringify(rest)}` : method];
    }
  }
}

function effectLine(e: Effect): string {
  switch (e.kind) {
    case 'reboot':
      return 'reboot';
    case 'factoryReset':
      return 'factory reset';
    case 'download':
    case 'upload':
    case 'scheduleDownload':
      return `${e.kind} ${e.request.URL} (transfer ${e.transferId})`;
    case 'scheduleInform':
      return `inform in ${e.DelaySeconds}s`;
    case 'changeDUState':
      return 'change deployment units';
    case 'cancelTransfer':
      return `cancel transfers ${e.transferIds.join(', ')}`;
    case 'diagnostic':
      return `${e.test} diagnostic at ${e.path}`;
    case 'cancelDiagnostic':
      return `diagnostic at ${e.path} stopped`;
  }
}

function valueLine(p: ParameterValueStruct): string {
  return `${p.Name} = ${JSON.stringify(p.Value)} (${p.type})`;
}

function capped(lines: string[], limit: number): string[] {
  if (lines.length <= limit) return lines;
  return [...lines.slice(0, limit), `… ${lines.length - limit} more (--all or --json lists every one)`];
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
