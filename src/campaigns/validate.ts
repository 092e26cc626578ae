/**
 * A campaign body from the REST API checked and normalized into a
 * CampaignSpec. Every refusal is an ACS_ERR_BAD_REQUEST naming the field
 * ("stages[1].percent must be ..."), so an operator fixes the right thing.
 */
import { compileDeviceQuery, type DeviceQuery } from '../db/device-query';
import { AcsError } from '../errors';
import { taskSpec, type TaskLookup } from '../tasks/build';
import { parseWorkflowData, WORKFLOW_NAME } from '../workflows/load';
import { inlineWorkflow } from './action';
import type { CampaignAction, CampaignSpec, StageSpec, WindowSpec } from './types';
import { checkTimezone, parseClock } from './window';

type Obj = Record<string, unknown>;

export const DEFAULTS = {
  ratePerMinute: 60,
  maxInFlight: 100,
  failureThreshold: 0.2,
  minSample: 10,
} as const;

const MAX_STAGES = 20;
const MAX_RATE = 1_000_000;
const TOP_FIELDS = ['name', 'query', 'action', 'connectionRequest', 'stages', 'ratePerMinute', 'maxInFlight', 'failureThreshold', 'minSample', 'window', 'draft'];

function bad(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', message);
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(body: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) bad(`${where}: unknown field "${k}" (${allowed.join(', ')})`);
}

function int(v: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${field} must be an integer from ${min} to ${max}`);
  return v;
}

function ratio(v: unknown, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) bad(`${field} must be a number above 0 and at most 1 (0.2 = 20 %)`);
  return v;
}

function time(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) bad(`${field} must be an ISO 8601 time or epoch ms`);
  return ms;
}

function query(v: unknown): DeviceQuery {
  if (v === undefined) bad('query is required: a precondition ("Tags.lab") or { filter, lastInformBefore, lastInformAfter }');
  const raw: Obj = typeof v === 'string' ? { filter: v } : isObj(v) ? v : bad('query must be a precondition text or an object');
  only(raw, ['filter', 'lastInformBefore', 'lastInformAfter'], 'query');
  if (raw.filter !== undefined && typeof raw.filter !== 'string') bad('query.filter must be a precondition text');
  const q: DeviceQuery = {
    ...(raw.filter !== undefined ? { filter: raw.filter as string } : {}),
    ...(raw.lastInformBefore !== undefined ? { lastInformBefore: time(raw.lastInformBefore, 'query.lastInformBefore') } : {}),
    ...(raw.lastInformAfter !== undefined ? { lastInformAfter: time(raw.lastInformAfter, 'query.lastInformAfter') } : {}),
  };
  const compiled = compileDeviceQuery(q);
  if (!compiled.ok) bad(`query.${compiled.field}: ${compiled.message}`);
  return q;
}

function provisionArgs(v: unknown): (string | number | boolean)[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad('action.args must be a list of texts, numbers or booleans');
  return v.map((a, i) => (['string', 'number', 'boolean'].includes(typeof a) ? (a as string | number | boolean) : bad(`action.args[${i}] must be a text, number or boolean`)));
}

function action(v: unknown, lookup: TaskLookup): CampaignAction {
  if (!isObj(v)) bad('action is required: { task: {...} }, { provision: name, args } or { workflow: name, args }');
  const kinds = ['task', 'provision', 'workflow'].filter((k) => v[k] !== undefined);
  if (kinds.length !== 1) bad(`action needs exactly one of task, provision, workflow (found ${kinds.join(', ') || 'none'})`);
  if (v.task !== undefined) {
    only(v, ['task'], 'action');
    try {
      taskSpec(v.task, lookup);
    } catch (e) {
      bad(`action.task: ${(e as Error).message}`);
    }
    return { task: v.task as Obj };
  }
  only(v, [kinds[0], 'args'], 'action');
  const name = v[kinds[0]];
  if (typeof name !== 'string' || !WORKFLOW_NAME.test(name)) bad(`action.${kinds[0]} must be a name (letters, digits, '_', '.', '-')`);
  if (v.provision !== undefined) {
    if (lookup.hasProvision && !lookup.hasProvision(name)) bad(`action.provision: unknown provision "${name}"`);
    return { provision: name, args: provisionArgs(v.args) };
  }
  if (v.args !== undefined && !isObj(v.args)) bad('action.args must be an object of workflow arguments');
  return { workflow: name, args: (v.args as Obj | undefined) ?? {} };
}

function stage(v: unknown, i: number, last: boolean): StageSpec {
  const at = `stages[${i}]`;
  if (!isObj(v)) bad(`${at} must be an object: { percent | count, waitMinutes }`);
  only(v, ['percent', 'count', 'waitMinutes'], at);
  if (v.percent !== undefined && v.count !== undefined) bad(`${at}: give percent or count, not both`);
  if (v.percent === undefined && v.count === undefined && !last) bad(`${at} needs percent or count (only the last stage may take "the rest")`);
  const out: StageSpec = { waitMinutes: int(v.waitMinutes, `${at}.waitMinutes`, 0, 60 * 24 * 30, 0) };
  if (v.percent !== undefined) {
    if (typeof v.percent !== 'number' || !(v.percent > 0 && v.percent <= 100)) bad(`${at}.percent must be a number above 0 and at most 100`);
    out.percent = v.percent;
  }
  if (v.count !== undefined) out.count = int(v.count, `${at}.count`, 1, 10_000_000);
  return out;
}

function stages(v: unknown): StageSpec[] {
  if (v === undefined) return [{ percent: 100, waitMinutes: 0 }];
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_STAGES) bad(`stages must be a list of 1 to ${MAX_STAGES} stages`);
  return v.map((s, i) => stage(s, i, i === v.length - 1));
}

function window(v: unknown): WindowSpec | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) bad('window must be { start: "HH:MM", end: "HH:MM", timezone?, deviceTimezone? }');
  only(v, ['start', 'end', 'timezone', 'deviceTimezone'], 'window');
  for (const k of ['start', 'end'] as const) if (parseClock(v[k]) === null) bad(`window.${k} must be a time of day "HH:MM" (00:00 to 23:59)`);
  if (v.start === v.end) bad('window.start and window.end must differ');
  const timezone = v.timezone ?? 'UTC';
  if (typeof timezone !== 'string' || !checkTimezone(timezone)) bad('window.timezone must be an IANA time zone ("Europe/Paris", "UTC")');
  if (v.deviceTimezone !== undefined && typeof v.deviceTimezone !== 'boolean') bad('window.deviceTimezone must be true or false');
  return { start: v.start as string, end: v.end as string, timezone, deviceTimezone: v.deviceTimezone !== false };
}

/** Checks a campaign body; `lookup` lets task checks know provisions, files and parameter types. */
export function campaignSpec(body: unknown, lookup: TaskLookup = {}): { spec: CampaignSpec; draft: boolean } {
  if (!isObj(body)) bad('the campaign must be a JSON object');
  only(body, TOP_FIELDS, 'campaign');
  if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 255) bad('name must be a non-empty text of at most 255 characters');
  if (body.connectionRequest !== undefined && typeof body.connectionRequest !== 'boolean') bad('connectionRequest must be true or false');
  if (body.draft !== undefined && typeof body.draft !== 'boolean') bad('draft must be true or false');
  const spec: CampaignSpec = {
    name: body.name,
    query: query(body.query),
    action: action(body.action, lookup),
    connectionRequest: body.connectionRequest === true,
    stages: stages(body.stages),
    ratePerMinute: int(body.ratePerMinute, 'ratePerMinute', 1, MAX_RATE, DEFAULTS.ratePerMinute),
    maxInFlight: int(body.maxInFlight, 'maxInFlight', 1, MAX_RATE, DEFAULTS.maxInFlight),
    failureThreshold: ratio(body.failureThreshold, 'failureThreshold', DEFAULTS.failureThreshold),
    minSample: int(body.minSample, 'minSample', 1, 10_000_000, DEFAULTS.minSample),
    window: window(body.window),
  };
  checkInline(spec);
  return { spec, draft: body.draft === true };
}

/** The inline workflow a task or provision becomes must load: the workflows module has the last word. */
function checkInline(spec: CampaignSpec): void {
  const inline = inlineWorkflow('check', spec);
  if (!inline) return;
  const parsed = parseWorkflowData(inline.name, inline.definition);
  if (!parsed.ok) bad(`action: ${parsed.errors.map((e) => e.message).join('; ')}`);
}
