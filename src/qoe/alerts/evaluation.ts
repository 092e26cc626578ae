/**
 * One evaluation of a profile's rules at a time `at`: the devices with
 * frames of the profile since the last evaluation (less an overlap, for
 * frames stored late), page by page, and the devices with an alert open
 * (so that an alert clears even when its device stopped reporting), each
 * judged by each enabled rule of the profile. A rule that begins to hold
 * raises an alert (qoe.alert "raised", the rule's workflow started); one
 * that stops holding clears it (qoe.alert "cleared").
 *
 * Idempotent: raising finds the open alert (one per rule and device, by a
 * unique index) and clearing finds none, so a run repeated, or two runs at
 * once, emit each change once. A crash between the database write and the
 * emit loses that one event (at most once), never repeats it.
 */
import { compileDeviceQuery, deviceMatches, type CompiledDeviceQuery } from '../../db/device-query';
import type { DeviceKey, EpochMs, SqlAccess } from '../../db/types';
import type { Logger } from '../../log';
import type { AcsEvent } from '../../webhooks/types';
import type { RunStart } from '../../workflows/types';
import type { SeriesReader } from '../types';
import { parseExpression } from './expression';
import { judge, readRange, type Verdict } from './evaluate';
import type { AlertStore } from './store';
import type { AlertExpression, AlertRule, AlertState } from './types';

/** Before a profile's first evaluation: look back this far for devices with frames. */
const FIRST_LOOKBACK_MS = 3_600_000;
const OPEN_ALERTS_MAX = 10_000;

export interface EvaluationDeps {
  store: AlertStore;
  series: SeriesReader;
  /** The device tables, for the rules' preconditions. */
  sql: SqlAccess;
  log: Logger;
  /** Told of raised and cleared alerts (the webhook emitter's emit). */
  emit?: (events: AcsEvent[]) => Promise<void>;
  /** Starts a rule's workflow on a device (a WorkflowRunner's start). */
  startWorkflow?: (run: RunStart) => Promise<unknown>;
  /** Devices asked of the series store at a time (default 500). */
  pageSize?: number;
  /** Frames this much older than the last evaluation are looked at again (default 5 min): stored late, or stamped by a device clock behind. */
  overlapMs?: number;
  /** Devices judged at once (default 8). */
  concurrency?: number;
}

interface CompiledRule {
  rule: AlertRule;
  expression: AlertExpression;
  precondition: CompiledDeviceQuery | null;
}

export interface EvaluationResult {
  devices: number;
  raised: number;
  cleared: number;
}

/** The rule compiled, or why it does not compile (the service checked it when stored: a later change of a language may refuse it). */
function compileRule(rule: AlertRule): CompiledRule | string {
  const e = parseExpression(rule.expression);
  if (!e.ok) return `expression: ${e.message}`;
  if (rule.precondition === null) return { rule, expression: e.expression, precondition: null };
  const q = compileDeviceQuery({ filter: rule.precondition });
  return q.ok ? { rule, expression: e.expression, precondition: q.compiled } : `precondition: ${q.message}`;
}

/** The profile's enabled rules that compile; one that does not is logged and skipped. */
async function compiledRules(d: EvaluationDeps, profile: string): Promise<CompiledRule[]> {
  const out: CompiledRule[] = [];
  for (const rule of (await d.store.rules(profile)).filter((r) => r.enabled)) {
    const c = compileRule(rule);
    if (typeof c === 'string') d.log.error({ rule: rule.name, error: c }, 'alert rule skipped: it does not compile');
    else out.push(c);
  }
  return out;
}

async function verdictOf(d: EvaluationDeps, r: CompiledRule, device: DeviceKey, at: EpochMs): Promise<Verdict> {
  if (r.precondition !== null && !(await deviceMatches(d.sql, r.precondition, device))) return { holds: false, value: null, path: null };
  const range = readRange(r.expression, at);
  const series = await d.series.series({ device, profile: r.rule.profile, paths: [r.expression.series], ...range });
  return judge(r.expression, series, at);
}

function eventOf(r: CompiledRule, device: DeviceKey, at: EpochMs, state: AlertState, v: { value: number | null; path: string | null }): AcsEvent {
  const unit = r.expression.fn === 'rate' ? `per ${r.expression.unit}` : null;
  const data = { rule: r.rule.name, ruleId: r.rule.id, profile: r.rule.profile, expression: r.rule.expression, value: v.value, unit, path: v.path, severity: r.rule.severity, state };
  return { event: 'qoe.alert', device, time: at, data };
}

/** The webhook event and the workflow of a change; their failures are logged, never the evaluation's. */
async function announce(d: EvaluationDeps, r: CompiledRule, device: DeviceKey, at: EpochMs, state: AlertState, v: { value: number | null; path: string | null }): Promise<void> {
  if (r.rule.webhook && d.emit) {
    await d.emit([eventOf(r, device, at, state, v)]).catch((err: unknown) => d.log.error({ err, rule: r.rule.name, device }, 'qoe.alert not emitted'));
  }
  if (state === 'raised' && r.rule.workflow !== null && d.startWorkflow) {
    const run: RunStart = { device, workflow: r.rule.workflow, args: r.rule.workflowArgs };
    await d.startWorkflow(run).catch((err: unknown) => d.log.error({ err, rule: r.rule.name, device, workflow: r.rule.workflow }, 'alert workflow not started'));
  }
}

/** Judges one rule on one device and records the change, if any. */
async function apply(d: EvaluationDeps, r: CompiledRule, device: DeviceKey, at: EpochMs, counts: EvaluationResult): Promise<void> {
  const v = await verdictOf(d, r, device, at);
  if (v.holds) {
    const outcome = await d.store.raise({ rule: r.rule.id, device, at, value: v.value, path: v.path, cooldownMs: r.rule.cooldownS * 1000 });
    if (outcome !== 'raised') return;
    counts.raised++;
    await announce(d, r, device, at, 'raised', v);
  } else {
    const cleared = await d.store.clear(r.rule.id, device, at);
    if (!cleared) return;
    counts.cleared++;
    await announce(d, r, device, at, 'cleared', v);
  }
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Evaluates the profile's rules at `at` and moves its mark there. */
export async function evaluateProfile(d: EvaluationDeps, profile: string, at: EpochMs): Promise<EvaluationResult> {
  const counts: EvaluationResult = { devices: 0, raised: 0, cleared: 0 };
  const rules = await compiledRules(d, profile);
  if (rules.length === 0) return counts;
  const pageSize = d.pageSize ?? 500;
  const concurrency = d.concurrency ?? 8;
  const mark = await d.store.mark(profile);
  const since = mark === null ? at - FIRST_LOOKBACK_MS : mark - (d.overlapMs ?? 300_000);
  let after: DeviceKey | undefined;
  for (;;) {
    const devices = await d.series.devicesWithFramesSince(profile, since, pageSize, after);
    counts.devices += devices.length;
    await eachLimited(devices, concurrency, async (device) => {
      for (const r of rules) await apply(d, r, device, at, counts);
    });
    if (devices.length < pageSize) break;
    after = devices[devices.length - 1];
  }
  // Open alerts, whether or not their devices sent frames (those that did are judged twice, to the same result): windows slide on.
  for (const r of rules) {
    const open = await d.store.alerts({ rule: r.rule.id, open: true, limit: OPEN_ALERTS_MAX });
    await eachLimited(open.map((a) => a.device), concurrency, (device) => apply(d, r, device, at, counts));
  }
  await d.store.setMark(profile, at);
  return counts;
}
