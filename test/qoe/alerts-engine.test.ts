/**
 * The alert evaluation as BullMQ jobs on real Redis (a key prefix of its
 * own) and MariaDB: the scheduler's sweeps evaluate the rules again and
 * again, with two workers at once, and each raise emits exactly one
 * qoe.alert and starts the rule's workflow once with the device and args;
 * the clear emits one more.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { startAlertEngine, type AlertEngine } from '../../src/qoe/alerts/engine';
import { AlertStore } from '../../src/qoe/alerts/store';
import type { AcsEvent } from '../../src/webhooks/types';
import type { RunStart } from '../../src/workflows/types';
import { TEST_REDIS_URL } from '../helpers/acs';
import { dropMysqlDatabase, mysqlUrl } from '../helpers/db';
import { sleep, until } from '../helpers/wait';
import { MemorySeries, pointsEnding } from './alerts-memory-series';

const MIN = 60_000;
const WAN = 'Device.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.Stats.EthernetErrorsReceived';

describe('qoe alerts: evaluation as BullMQ jobs (Redis, MariaDB)', function () {
  this.timeout(60_000);
  const url = mysqlUrl('qoe_alerts_engine_test');
  const redisPrefix = `qoe-alerts-test:${randomBytes(4).toString('hex')}:`;
  const connections: IORedis[] = [];
  const connect = () => {
    const r = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(r);
    return r;
  };
  const engines: AlertEngine[] = [];
  const events: AcsEvent[] = [];
  const runs: RunStart[] = [];
  const series = new MemorySeries();
  let store: DeviceStore;

  before(async () => {
    await dropMysqlDatabase(url);
    store = await openStore(url);
    await store.migrate();
  });
  after(async () => {
    for (const e of engines) await e.close();
    const redis = connect();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    for (const r of connections) r.disconnect();
    await store?.close();
  });

  const start = async () => {
    const engine = await startAlertEngine({
      redisPrefix, connect, sql: store.sql, series, log: createLogger('silent'), everyMs: 150,
      emit: async (e) => void events.push(...e),
      startWorkflow: async (run) => void runs.push(run),
    });
    engines.push(engine);
    return engine;
  };

  it('raises once across repeated sweeps and two workers: one qoe.alert, one workflow start; then one clear', async () => {
    const alerts = new AlertStore(store.sql);
    const rule = await alerts.createRule({
      name: 'wan-errors', profile: 'tr098-wan', expression: 'rate(WANErrors) > 10/min for 15 min', precondition: null, severity: 'critical',
      webhook: true, workflow: 'reboot-and-check', workflowArgs: { delay: 5 }, cooldownS: 0, enabled: true,
    }, Date.now());
    // Another profile's rule, whose device stays quiet.
    await alerts.createRule({ ...rule, name: 'cpu', profile: 'cpu', expression: 'max(CPU) > 90 in 10 min', workflow: null, workflowArgs: {} }, Date.now());
    const dev = '00D09E-HG8245-ENGINE1';
    series.add(dev, 'tr098-wan', WAN, 'counter', pointsEnding(Date.now(), 5 * MIN, [0.25, 0.25, 0.25, 0.25]), 'WANErrors');
    series.add(dev, 'cpu', 'Device.DeviceInfo.ProcessStatus.CPUUsage', 'gauge', pointsEnding(Date.now(), 5 * MIN, [20, 30]), 'CPU');
    await start();
    await start();

    await until('the alert raised', async () => events.length >= 1);
    // Several sweeps more (150 ms each), on both workers.
    const asked = series.sinceAsked.length;
    await sleep(1500);
    assert.ok(series.sinceAsked.length >= asked + 4, `evaluated again (${series.sinceAsked.length - asked} more)`);
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e.event, 'qoe.alert');
    assert.equal(e.device, dev);
    assert.equal(e.data.rule, 'wan-errors');
    assert.equal(e.data.state, 'raised');
    assert.equal(e.data.severity, 'critical');
    assert.equal(e.data.expression, 'rate(WANErrors) > 10/min for 15 min');
    assert.equal(e.data.value, 15);
    assert.deepEqual(runs, [{ device: dev, workflow: 'reboot-and-check', args: { delay: 5 } }]);
    assert.equal((await alerts.alerts({ rule: rule.id, open: true })).length, 1);

    // The errors stop: one clear, whichever worker sees it first.
    series.add(dev, 'tr098-wan', WAN, 'counter', [{ time: Date.now(), value: 0 }]);
    await until('the alert cleared', async () => events.length >= 2);
    await sleep(800);
    assert.deepEqual(events.map((x) => x.data.state), ['raised', 'cleared']);
    assert.equal(runs.length, 1);
    assert.deepEqual(await alerts.alerts({ rule: rule.id, open: true }), []);
  });

  it('evaluateNow runs every active profile in the process and answers what changed', async () => {
    const r = await engines[0].evaluateNow();
    assert.deepEqual(Object.keys(r).sort(), ['cpu', 'tr098-wan']);
    assert.deepEqual(r['tr098-wan'], { devices: 1, raised: 0, cleared: 0 });
  });
});
