/**
 * Nothing acknowledged is lost (issue 8 §1): once the ACS answered an Inform,
 * the CPE never reports its events again (TR-069 §3.7.1.5), so the
 * provisioning they call for must survive whatever happens to the ACS after
 * the answer. First contact of a fleet with a preset on "0 BOOTSTRAP" only,
 * and one fault injected mid-way: kill -9 of the all-in-one process, of a
 * worker, of a front end; Redis killed and restarted empty; MariaDB killed
 * and restarted. Redis and MariaDB are private instances of this suite
 * (their own ports and data folders), never the shared services. Pass: every
 * device ends with the preset applied and its BOOTSTRAP in its history.
 *
 * Needs a current dist/ (`npm test` builds it first; `npm run build` before
 * running this file alone).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import type { SimDevice } from '../../src/sim/device';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import { startCluster, type Cluster, type ClusterOptions } from '../helpers/cluster';
import { privateMariadb, privateRedis, type PrivateService } from '../helpers/private-services';
import { sleep, until } from '../helpers/wait';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = Number(process.env.TEST_DURABILITY_DEVICES ?? 500);
const CODE_PATH = 'Device.DeviceInfo.ProvisioningCode';
const WANTED = 'DURABLE-1';

/** Only a first contact (or a factory reset) asks for it: a later periodic session carries it only if it was kept. */
const FILES = {
  presets: { 'first-contact.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: first\nprovisions:\n  - [first]\n' },
  provisions: {
    // A read, then a write: two engine rounds, so faults land mid-provisioning too.
    'first.js': `
declare('${CODE_PATH}', { value: Date.now() });
commit();
declare('${CODE_PATH}', { value: 1 }, { value: '${WANTED}' });
`,
  },
};

/** Short timeouts, so that what a fault leaves behind is found and finished within the test. */
const ENV = { SESSION_TIMEOUT_MS: '4000', ENGINE_STEP_TIMEOUT_MS: '1500', SCRIPT_TIMEOUT_MS: '500', LOG_LEVEL: 'info' };

let model: BaseModel | null = null;

describe('durable events: fault injection during a first contact (private Redis and MariaDB)', function () {
  this.timeout(300_000);
  let redis: PrivateService;
  let mariadb: PrivateService;
  let cluster: Cluster | null = null;
  let fleet: Fleet | null = null;
  const reports: string[] = [];

  before(async () => {
    [redis, mariadb] = await Promise.all([privateRedis(), privateMariadb()]);
    model = loadModel(MODEL);
  });
  afterEach(async () => {
    await fleet?.close();
    fleet = null;
    await cluster?.stop();
    cluster = null;
  });
  after(async () => {
    await Promise.all([redis?.stop(), mariadb?.stop()]);
  });

  async function run(name: string, shape: Partial<ClusterOptions>, inject: (c: Cluster) => Promise<void>): Promise<void> {
    cluster = await startCluster({ suite: name, ...FILES, env: ENV, redisUrl: redis.url, databaseUrl: `${mariadb.url}/acs_durable_${name}`, ...shape });
    const c = cluster;
    fleet = await Fleet.create({ acsUrl: c.acsUrl, model: model as BaseModel, devices: DEVICES, serialBase: `${name.slice(0, 6)}-`, concurrency: 50, report: (k, m) => reports.push(`${k}: ${m}`) });
    const f = fleet;
    // Devices come back on their own: retries after failed sessions, and periodic Informs (which carry no event).
    for (const d of f.devices) d.setPeriodicInterval(6);
    const t0 = Date.now();
    const first = f.connectAll();
    await until('a third of the fleet to have informed', async () => f.stats.completed + f.stats.failed + f.stats.refused >= DEVICES / 3, 120_000);
    const injectedAt = Date.now();
    await inject(c);
    await first;
    f.startPeriodic(6);
    const missing = await waitAllDone(c.store, f.devices, 150_000);
    const doneMs = Date.now() - injectedAt;
    console.log(`      ${DEVICES} devices; fault injected ${injectedAt - t0} ms in; all provisioned ${doneMs} ms after it; sessions: ${f.stats.completed} completed, ${f.stats.refused} refused, ${f.stats.failed} failed`);
    const warnings = [...c.fronts, ...c.workers].flatMap((p) => p.lines.filter((l) => l.level >= 40).slice(-5).map((l) => `${p.name}: ${l.msg} ${JSON.stringify(l.err ?? l.error ?? '')}`.slice(0, 300)));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} devices not done:\n${missing.slice(0, 10).join('\n')}\n${reports.slice(-10).join('\n')}\n${warnings.join('\n')}`);
    assert.equal(f.stats.violations, 0, reports.filter((r) => r.includes('violation')).join('\n'));
  }

  it('kill -9 of the all-in-one process (restarted by its supervisor)', async () => {
    await run('all_in_one', { allInOne: true }, async (c) => {
      const victim = c.fronts[0];
      await c.kill(victim);
      await c.restart(victim);
    });
  });

  it('kill -9 of a worker', async () => {
    await run('worker', { fronts: 1, workers: 2 }, (c) => c.kill(c.workers[1]));
  });

  it('kill -9 of a front end: a CPE retrying with RetryCount > 0 gets its session at once, not fault 8005', async () => {
    await run('front', { fronts: 2, workers: 1 }, (c) => c.kill(c.fronts[1]));
    const c = cluster as Cluster;
    const refusedRetries = c.proxy.records.filter((r) => r.sent === 'Inform' && r.answer === 'Fault' && /<RetryCount>[1-9]/.test(r.sentText ?? ''));
    assert.deepEqual(refusedRetries.map((r) => r.answerText?.match(/<FaultString>([^<]*)/)?.[1]), []);
  });

  it('Redis killed and restarted empty', async () => {
    await run('redis', { fronts: 1, workers: 1 }, async () => {
      await redis.kill();
      await sleep(1_000);
      await redis.start();
    });
  });

  it('MariaDB killed and restarted', async () => {
    await run('mariadb', { fronts: 1, workers: 1 }, async () => {
      await mariadb.kill();
      await sleep(8_000);
      await mariadb.start();
    });
  });
});

/** Waits until every device has the preset applied, its BOOTSTRAP in its history and no event pending; returns those that did not. */
async function waitAllDone(store: DeviceStore, devices: SimDevice[], timeoutMs: number): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let missing: string[] = [];
  while (Date.now() < end) {
    missing = [];
    for (const d of devices) {
      const problem = await notDone(store, d);
      if (problem) missing.push(problem);
      if (missing.length > 20) break;
    }
    if (missing.length === 0) return [];
    await sleep(1_000);
  }
  return missing;
}

async function notDone(store: DeviceStore, d: SimDevice): Promise<string | null> {
  const value = d.model.getValue(CODE_PATH);
  if (value !== WANTED) return `${d.key}: ${CODE_PATH} is ${JSON.stringify(value)} on the device`;
  const stored = await store.getDevice(deviceKeyOf(d.deviceId())).catch(() => null);
  if (!stored) return `${d.key}: not in the database`;
  const bootstrap = stored.history.some((h) => h.kind === 'inform' && Array.isArray(h.detail) && h.detail.includes('0 BOOTSTRAP'));
  if (!bootstrap) return `${d.key}: no BOOTSTRAP in the history (${stored.history.map((h) => h.kind).join(', ')})`;
  if (stored.pendingEvents.length > 0) return `${d.key}: events still pending: ${stored.pendingEvents.map((e) => e.code).join(', ')}`;
  return null;
}
