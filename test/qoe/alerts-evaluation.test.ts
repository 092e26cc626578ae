/**
 * Evaluating a profile's rules against the real database (MariaDB and
 * SQLite, with the device tables through the migrations) on known series
 * (the in-memory SeriesReader): an alert is raised once while its condition
 * holds, cleared when it stops, raised again after; the cool-down holds a
 * new raise back; the precondition picks devices; the webhook event and the
 * workflow start go out once per raise.
 */
import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { evaluateProfile, type EvaluationDeps } from '../../src/qoe/alerts/evaluation';
import { AlertStore } from '../../src/qoe/alerts/store';
import type { AlertRuleInput } from '../../src/qoe/alerts/types';
import type { AcsEvent } from '../../src/webhooks/types';
import type { RunStart } from '../../src/workflows/types';
import { describeEachDriver, newDeviceId, session } from '../helpers/db';
import { MemorySeries, pointsEnding } from './alerts-memory-series';

const MIN = 60_000;
const T0 = 1_790_000_000_000;
const WAN = 'Device.IP.Interface.1.Stats.ErrorsReceived';
let serial = 0;

function rule(over: Partial<AlertRuleInput> = {}): AlertRuleInput {
  serial++;
  return {
    name: `rule-${serial}`, profile: `p${serial}`, expression: 'rate(WANErrors) > 10/min for 15 min', precondition: null, severity: 'major',
    webhook: true, workflow: null, workflowArgs: {}, cooldownS: 0, enabled: true, ...over,
  };
}

describeEachDriver('qoe alerts: evaluating rules on the database', 'qoe_alerts_test', (ctx) => {
  let store: AlertStore;
  let events: AcsEvent[];
  let runs: RunStart[];
  let m: MemorySeries;
  const log = createLogger('silent');
  const deps = (over: Partial<EvaluationDeps> = {}): EvaluationDeps => ({
    store, series: m, sql: ctx.store.sql, log,
    emit: async (e) => void events.push(...e),
    startWorkflow: async (run) => void runs.push(run),
    ...over,
  });
  /** A device known to the device tables (for preconditions). */
  const device = async (productClass = 'HG8245') => {
    const id = { ...newDeviceId('QA'), ProductClass: productClass };
    await ctx.store.commitSession(session({ deviceId: id }));
    return deviceKeyOf(id);
  };
  /** The device's WANErrors rate every 5 min up to `end`. */
  const wan = (dev: string, profile: string, end: number, perSecond: number[]) => m.add(dev, profile, WAN, 'counter', pointsEnding(end, 5 * MIN, perSecond), 'WANErrors');

  before(() => {
    store = new AlertStore(ctx.store.sql);
  });
  beforeEach(() => {
    events = [];
    runs = [];
    m = new MemorySeries();
  });

  it('raises once while the condition holds, emitting one qoe.alert and starting the workflow once; clears once; raises again after', async () => {
    const r = await store.createRule(rule({ workflow: 'diagnose', workflowArgs: { host: 'example.net' } }), T0);
    const dev = await device();
    wan(dev, r.profile, T0, [0.2, 0.2, 0.2, 0.2]);
    assert.deepEqual(await evaluateProfile(deps(), r.profile, T0), { devices: 1, raised: 1, cleared: 0 });
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e.event, 'qoe.alert');
    assert.equal(e.device, dev);
    assert.equal(e.time, T0);
    assert.deepEqual({ ...e.data, value: Math.round(e.data.value as number) }, {
      rule: r.name, ruleId: r.id, profile: r.profile, expression: r.expression, value: 12, unit: 'per min', path: WAN, severity: 'major', state: 'raised',
    });
    assert.deepEqual(runs, [{ device: dev, workflow: 'diagnose', args: { host: 'example.net' } }]);

    // Still holding, evaluated again and again (and the same time twice): nothing more.
    wan(dev, r.profile, T0 + 5 * MIN, [0.3]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 5 * MIN)).raised, 0);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 5 * MIN)).raised, 0);
    assert.equal(events.length, 1);
    assert.equal(runs.length, 1);
    const [open] = await store.alerts({ rule: r.id });
    assert.equal(open.clearedAt, null);
    assert.equal(open.raisedAt, T0);

    // The rate drops: cleared once.
    wan(dev, r.profile, T0 + 10 * MIN, [0.01]);
    assert.deepEqual(await evaluateProfile(deps(), r.profile, T0 + 10 * MIN), { devices: 1, raised: 0, cleared: 1 });
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 11 * MIN)).cleared, 0);
    assert.equal(events.length, 2);
    assert.equal(events[1].data.state, 'cleared');
    assert.equal(runs.length, 1, 'clearing starts no workflow');
    assert.equal((await store.alerts({ rule: r.id }))[0].clearedAt, T0 + 10 * MIN);

    // High again for 15 minutes: a second alert.
    wan(dev, r.profile, T0 + 30 * MIN, [0.2, 0.2, 0.2, 0.2]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 30 * MIN)).raised, 1);
    assert.deepEqual(events.map((x) => x.data.state), ['raised', 'cleared', 'raised']);
    assert.equal(runs.length, 2);
    const all = await store.alerts({ rule: r.id });
    assert.deepEqual(all.map((a) => a.clearedAt === null), [true, false], 'newest first: one open, one cleared');
  });

  it('holds a new raise back for the cool-down after a clear, then raises', async () => {
    const r = await store.createRule(rule({ expression: 'rate(WANErrors) > 10/min in 10 min', cooldownS: 3600 }), T0);
    const dev = await device();
    wan(dev, r.profile, T0, [0.2]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0)).raised, 1);
    wan(dev, r.profile, T0 + 10 * MIN, [0]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 12 * MIN)).cleared, 1);
    wan(dev, r.profile, T0 + 30 * MIN, [0.2]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 30 * MIN)).raised, 0, '18 min after the clear');
    wan(dev, r.profile, T0 + 71 * MIN, [0.2]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 71 * MIN)).raised, 0, '59 min after the clear');
    wan(dev, r.profile, T0 + 73 * MIN, [0.2]);
    assert.equal((await evaluateProfile(deps(), r.profile, T0 + 73 * MIN)).raised, 1, '61 min after the clear');
    assert.deepEqual(events.map((e) => e.data.state), ['raised', 'cleared', 'raised']);
  });

  it('evaluates only the devices the precondition matches', async () => {
    const r = await store.createRule(rule({ precondition: 'DeviceID.ProductClass = "HG8245"' }), T0);
    const [a, b] = [await device('HG8245'), await device('XX230v')];
    const unknown = '00D09E-HG8245-NOTINDB';
    for (const dev of [a, b, unknown]) wan(dev, r.profile, T0, [0.2, 0.2, 0.2, 0.2]);
    assert.deepEqual(await evaluateProfile(deps(), r.profile, T0), { devices: 3, raised: 1, cleared: 0 });
    assert.deepEqual(events.map((e) => e.device), [a]);
    assert.deepEqual((await store.alerts({ rule: r.id })).map((x) => x.device), [a]);
  });

  it('a rule without webhook raises and clears silently; a disabled rule is not evaluated', async () => {
    const quiet = await store.createRule(rule({ webhook: false, workflow: 'diagnose' }), T0);
    const off = await store.createRule(rule({ profile: quiet.profile, enabled: false }), T0);
    const dev = await device();
    wan(dev, quiet.profile, T0, [0.2, 0.2, 0.2, 0.2]);
    assert.equal((await evaluateProfile(deps(), quiet.profile, T0)).raised, 1);
    assert.deepEqual(events, []);
    assert.equal(runs.length, 1, 'the workflow still starts');
    assert.equal((await store.alerts({ rule: quiet.id, open: true })).length, 1);
    assert.equal((await store.alerts({ rule: off.id })).length, 0);
  });

  it('asks for the devices with frames since the last evaluation (less the overlap), page by page', async () => {
    const r = await store.createRule(rule({ expression: 'last(WANErrors) > 100 in 1 h' }), T0);
    const devs = ['D1', 'D2', 'D3', 'D4', 'D5'].map((s) => `00D09E-HG8245-${s}${serial}`);
    for (const dev of devs) wan(dev, r.profile, T0, [200]);
    const d = deps({ pageSize: 2, overlapMs: 60_000 });
    assert.deepEqual(await evaluateProfile(d, r.profile, T0), { devices: 5, raised: 5, cleared: 0 });
    assert.deepEqual(m.sinceAsked, [T0 - 3_600_000, T0 - 3_600_000, T0 - 3_600_000], 'first time: the last hour, in 3 pages of 2');
    m.sinceAsked.length = 0;
    // The frames at T0 are within the overlap of the mark (T0): judged again, to the same result.
    assert.deepEqual(await evaluateProfile(d, r.profile, T0 + 10 * MIN), { devices: 5, raised: 0, cleared: 0 });
    assert.deepEqual(m.sinceAsked, [T0 - 60_000, T0 - 60_000, T0 - 60_000]);
    m.sinceAsked.length = 0;
    assert.deepEqual(await evaluateProfile(d, r.profile, T0 + 20 * MIN), { devices: 0, raised: 0, cleared: 0 });
    assert.deepEqual(m.sinceAsked, [T0 + 9 * MIN]);
    assert.equal(await store.mark(r.profile), T0 + 20 * MIN);
    await store.setMark(r.profile, T0);
    assert.equal(await store.mark(r.profile), T0 + 20 * MIN, 'a mark never moves back');
    assert.equal(events.length, 5);
  });

  it('clears an open alert of a device that stopped reporting once its window slid past the points', async () => {
    const r = await store.createRule(rule({ expression: 'max(WANErrors) > 100 in 30 min' }), T0);
    const dev = await device();
    wan(dev, r.profile, T0 - MIN, [200]);
    const d = deps({ overlapMs: 0 });
    assert.equal((await evaluateProfile(d, r.profile, T0)).raised, 1);
    assert.deepEqual(await evaluateProfile(d, r.profile, T0 + 10 * MIN), { devices: 0, raised: 0, cleared: 0 }, 'still within its 30 min');
    // No frame since: the device is not among those with new frames, but its open alert is judged.
    const later = await evaluateProfile(d, r.profile, T0 + 2 * 3_600_000);
    assert.deepEqual(later, { devices: 0, raised: 0, cleared: 1 });
    assert.equal(events[1].data.state, 'cleared');
  });

  it('skips a stored rule that does not compile (written around the service) and evaluates the others', async () => {
    const good = await store.createRule(rule(), T0);
    await store.createRule(rule({ profile: good.profile, expression: 'rate(WANErrors) >> 1 in 1 h' }), T0);
    await store.createRule(rule({ profile: good.profile, precondition: 'DeviceID.ProductClass = ' }), T0);
    const dev = await device();
    wan(dev, good.profile, T0, [0.2, 0.2, 0.2, 0.2]);
    assert.deepEqual(await evaluateProfile(deps(), good.profile, T0), { devices: 1, raised: 1, cleared: 0 });
    assert.deepEqual(events.map((e) => e.data.rule), [good.name]);
  });

  it('two evaluations racing raise one alert: the open alert\'s unique index', async () => {
    const r = await store.createRule(rule(), T0);
    const raise = () => store.raise({ rule: r.id, device: 'RACE', at: T0, value: 1, path: WAN, cooldownMs: 0 });
    const outcomes = await Promise.all([raise(), raise(), raise()]);
    assert.deepEqual(outcomes.filter((o) => o === 'raised').length, 1, outcomes.join());
    assert.equal((await store.alerts({ rule: r.id })).length, 1);
  });

  it('raises nothing for a rule deleted or disabled while it was being evaluated', async () => {
    const gone = await store.createRule(rule(), T0);
    await store.removeRule(gone.id);
    assert.notEqual(await store.raise({ rule: gone.id, device: 'LATE', at: T0, value: 1, path: WAN, cooldownMs: 0 }), 'raised');
    const off = await store.createRule({ ...rule(), name: 'off', enabled: false }, T0);
    assert.notEqual(await store.raise({ rule: off.id, device: 'LATE', at: T0, value: 1, path: WAN, cooldownMs: 0 }), 'raised');
    assert.equal((await store.alerts({ device: 'LATE' })).length, 0);
  });

  it('a workflow that cannot start, or an emit that fails, is logged: the alert stays raised and the evaluation goes on', async () => {
    const r = await store.createRule(rule({ workflow: 'missing' }), T0);
    const [a, b] = [await device(), await device()];
    for (const dev of [a, b]) wan(dev, r.profile, T0, [0.2, 0.2, 0.2, 0.2]);
    const failing = deps({ startWorkflow: async () => Promise.reject(new Error('no workflow named "missing"')), emit: async () => Promise.reject(new Error('redis away')) });
    assert.equal((await evaluateProfile(failing, r.profile, T0)).raised, 2);
    assert.equal((await store.alerts({ rule: r.id, open: true })).length, 2);
  });
});
