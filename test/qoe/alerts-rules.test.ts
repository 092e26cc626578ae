/**
 * Alert rules through the service and the REST routes (MariaDB): bodies
 * checked with a 400 naming the field (an expression's column), defaults,
 * 409 on a taken name, replace, delete with the rule's alerts, the alerts
 * listed with their filters.
 */
import { strict as assert } from 'node:assert';
import { AcsError } from '../../src/errors';
import { AlertRuleService } from '../../src/qoe/alerts/service';
import { AlertStore } from '../../src/qoe/alerts/store';
import { qoeAlertRoutes } from '../../src/qoe/alerts/routes';
import type { Alert, AlertRule } from '../../src/qoe/alerts/types';
import { describeEachDriver } from '../helpers/db';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';

const BODY = { name: 'wan-errors', profile: 'interfaces', expression: 'rate(WANErrors) > 10/min for 15 min' };

async function refusal(p: Promise<unknown>): Promise<AcsError> {
  try {
    await p;
  } catch (err) {
    return err as AcsError;
  }
  return assert.fail('not refused');
}

describeEachDriver('qoe alerts: rules through the service and the REST API', 'qoe_alerts_rules_test', (ctx) => {
  let store: AlertStore;
  let service: AlertRuleService;
  let api: NbiServer;
  const workflows: Record<string, string[]> = { diagnose: ['host'] };

  before(async () => {
    store = new AlertStore(ctx.store.sql);
    service = new AlertRuleService({
      store,
      now: () => 1_790_000_000_000,
      // As the lead wires it: the library's get + checkArgs, which throw on an unknown workflow or a missing arg.
      checkWorkflow: (name, args) => {
        const required = workflows[name];
        if (!required) throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow: no workflow named "${name}"`);
        for (const a of required) if (!(a in args)) throw new AcsError('ACS_ERR_BAD_REQUEST', `args.${a} is required`);
      },
      profileExists: (name) => name !== 'nosuch',
    });
    api = await serveRouters(ctx.store, [qoeAlertRoutes(service)]);
  });
  after(async () => api?.close());

  describe('the service', () => {
    it('stores a rule with the defaults: severity warning, webhook on, no workflow, no cool-down, enabled', async () => {
      const r = await service.create({ ...BODY, name: 'defaults' });
      assert.deepEqual({ ...r, id: 0 }, {
        id: 0, name: 'defaults', profile: 'interfaces', expression: BODY.expression, precondition: null, severity: 'warning', webhook: true,
        workflow: null, workflowArgs: {}, cooldownS: 0, enabled: true, createdAt: 1_790_000_000_000, updatedAt: 1_790_000_000_000,
      });
      assert.deepEqual(await service.get(r.id), r);
    });

    it('refuses a bad expression with a 400 naming the column and what was expected', async () => {
      const err = await refusal(service.create({ ...BODY, name: 'bad', expression: 'rate(WANErrors) > 10/min during 15 min' }));
      assert.equal(err.code, 'ACS_ERR_BAD_REQUEST');
      assert.equal(err.message, 'expression: expected a window: "for" or "in" and a duration (for 15 min, in 1 day) at column 26, found "during"');
    });

    it('refuses a precondition that does not compile, a workflow unknown or short of args, args without workflow, an unknown profile, a bad field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ precondition: 'DeviceID.ProductClass = ' }, /^precondition: .*column/],
        [{ workflow: 'nosuch' }, /^workflow: no workflow named "nosuch"/],
        [{ workflow: 'diagnose', workflowArgs: {} }, /^args\.host is required/],
        [{ workflowArgs: { host: 'x' } }, /^workflowArgs only goes with a workflow/],
        [{ profile: 'nosuch' }, /^profile: no collection profile named "nosuch"/],
        [{ severity: 'urgent' }, /^severity must be one of critical, major, minor, warning, info/],
        [{ cooldownS: -1 }, /^cooldownS must be at least 0/],
        [{ name: 'has space' }, /^name must be the rule's name: 1 to 64 of/],
        [{ colour: 'red' }, /^colour is not a known field/],
      ];
      for (const [over, message] of cases) {
        const err = await refusal(service.create({ ...BODY, name: 'refused', ...over }));
        assert.equal(err.code, 'ACS_ERR_BAD_REQUEST', JSON.stringify(over));
        assert.match(err.message, message);
      }
      assert.equal((await service.list()).some((r) => r.name === 'refused'), false);
    });

    it('refuses a second rule of the same name (409), also when another rule is renamed to it', async () => {
      await service.create({ ...BODY, name: 'taken' });
      assert.equal((await refusal(service.create({ ...BODY, name: 'taken' }))).code, 'ACS_ERR_CONFLICT');
      const other = await service.create({ ...BODY, name: 'other' });
      assert.equal((await refusal(service.replace(other.id, { ...BODY, name: 'taken' }))).code, 'ACS_ERR_CONFLICT');
    });

    it('replaces a rule, keeps its creation time; null for an unknown id', async () => {
      const r = await service.create({ ...BODY, name: 'to-replace' });
      const next = await service.replace(r.id, { ...BODY, name: 'to-replace', expression: 'reboots > 3 in 1 day', workflow: 'diagnose', workflowArgs: { host: 'h' }, cooldownS: 600, enabled: false });
      assert.equal(next?.expression, 'reboots > 3 in 1 day');
      assert.deepEqual([next?.workflow, next?.workflowArgs, next?.cooldownS, next?.enabled], ['diagnose', { host: 'h' }, 600, false]);
      assert.equal(next?.createdAt, r.createdAt);
      assert.equal(await service.replace(999_999, BODY), null);
    });

    it('disabling a rule clears its open alerts', async () => {
      const r = await service.create({ ...BODY, name: 'to-disable' });
      await store.raise({ rule: r.id, device: 'DEV-DISABLE-1', at: 1000, value: 1, path: null, cooldownMs: 0 });
      await service.replace(r.id, { ...BODY, name: 'to-disable', enabled: true });
      assert.equal((await store.alerts({ rule: r.id, open: true })).length, 1, 'still enabled: still open');
      await service.replace(r.id, { ...BODY, name: 'to-disable', enabled: false });
      assert.deepEqual((await store.alerts({ rule: r.id })).map((a) => [a.clearedAt, a.value]), [[1_790_000_000_000, 1]]);
    });
  });

  describe('the REST API', () => {
    it('POST /qoe/alert-rules creates (201), GET lists and reads, PUT replaces, DELETE removes the rule and its alerts', async () => {
      const created = await api.call<AlertRule>('POST', '/qoe/alert-rules', { ...BODY, name: 'rest', severity: 'critical', precondition: 'Tags.lab' });
      assert.equal(created.status, 201);
      assert.equal(created.body.severity, 'critical');
      const id = created.body.id;
      assert.deepEqual((await api.call<AlertRule>('GET', `/qoe/alert-rules/${id}`)).body, created.body);
      const listed = await api.call<AlertRule[]>('GET', '/qoe/alert-rules?profile=interfaces');
      assert.ok(listed.body.some((r) => r.id === id));
      assert.deepEqual((await api.call<AlertRule[]>('GET', '/qoe/alert-rules?profile=elsewhere')).body, []);
      const put = await api.call<AlertRule>('PUT', `/qoe/alert-rules/${id}`, { ...BODY, name: 'rest', expression: 'max(CPU) > 90 for 10 min' });
      assert.equal(put.status, 200);
      assert.equal(put.body.expression, 'max(CPU) > 90 for 10 min');
      assert.equal(put.body.precondition, null);

      await store.raise({ rule: id, device: 'DEV-REST-1', at: 1000, value: 95, path: 'Device.DeviceInfo.ProcessStatus.CPUUsage', cooldownMs: 0 });
      assert.equal((await api.call('DELETE', `/qoe/alert-rules/${id}`)).status, 204);
      assert.equal((await api.call('GET', `/qoe/alert-rules/${id}`)).status, 404);
      assert.equal((await api.call('DELETE', `/qoe/alert-rules/${id}`)).status, 404);
      assert.deepEqual(await store.alerts({ rule: id }), [], 'its alerts went with it');
    });

    it('answers a bad expression with 400 naming the column, a missing field with 400 naming it', async () => {
      const bad = await api.call<{ error: string; field: string }>('POST', '/qoe/alert-rules', { ...BODY, name: 'rest-bad', expression: 'avg(Noise) > 10/min for 15 min' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /^expression: a rate unit \(\/s, \/min, \/h\) goes with rate\(\) only, at column 16/);
      assert.equal(bad.body.field, 'body.expression');
      const missing = await api.call<{ error: string; field: string }>('POST', '/qoe/alert-rules', { name: 'rest-missing', profile: 'interfaces' });
      assert.equal(missing.status, 400);
      assert.match(missing.body.error, /^expression is required/);
      assert.equal(missing.body.field, 'body.expression');
      assert.equal((await api.call('PUT', '/qoe/alert-rules/999999', BODY)).status, 404);
    });

    it('GET /qoe/alerts lists alerts newest first, by rule, device and open or cleared', async () => {
      const r = await service.create({ ...BODY, name: 'listing' });
      const dev = '00D09E-HG8245-LIST1';
      await store.raise({ rule: r.id, device: dev, at: 1000, value: 20, path: 'p', cooldownMs: 0 });
      await store.clear(r.id, dev, 2000);
      await store.raise({ rule: r.id, device: dev, at: 3000, value: 30, path: 'p', cooldownMs: 0 });
      await store.raise({ rule: r.id, device: '00D09E-HG8245-LIST2', at: 4000, value: 40, path: 'p', cooldownMs: 0 });
      const all = await api.call<Alert[]>('GET', `/qoe/alerts?rule=${r.id}`);
      assert.deepEqual(all.body.map((a) => a.raisedAt), [4000, 3000, 1000]);
      const mine = await api.call<Alert[]>('GET', `/qoe/alerts?rule=${r.id}&device=${dev}&open=true`);
      assert.deepEqual(mine.body.map((a) => [a.raisedAt, a.clearedAt, a.value]), [[3000, null, 30]]);
      const cleared = await api.call<Alert[]>('GET', `/qoe/alerts?rule=${r.id}&open=false`);
      assert.deepEqual(cleared.body.map((a) => [a.raisedAt, a.clearedAt]), [[1000, 2000]]);
      const page = await api.call<Alert[]>('GET', `/qoe/alerts?rule=${r.id}&before=4000&limit=1`);
      assert.deepEqual(page.body.map((a) => a.raisedAt), [3000]);
      assert.equal((await api.call('GET', '/qoe/alerts?open=maybe')).status, 400);
    });
  });
});
