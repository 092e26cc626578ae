/**
 * Fleet statistics of a cluster: two `--role cwmp` front ends and a worker
 * (spawned from dist/: `npm run build` first) behind a round-robin proxy, so
 * a device's sessions end on either front end; the REST API of this process
 * answers the sum of both front ends' counts. Needs a current dist/.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { FleetHistory, FleetSummary } from '../../src/stats/types';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { startCluster, type Cluster } from '../helpers/cluster';
import { until } from '../helpers/wait';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = 10;
const ROUNDS = 3;

const sum = (values: number[] | undefined): number => (values ?? []).reduce((a, b) => a + b, 0);

describe('fleet statistics across a cluster', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let nbi: TestAcs;
  let fleet: Fleet;

  before(async () => {
    cluster = await startCluster({ suite: 'stats_cluster', fronts: 2, workers: 1, presets: {}, provisions: {}, env: { STATS_FLUSH_MS: '200', LOG_LEVEL: 'info' } });
    nbi = await startTestAcs('stats_cluster_nbi', { databaseUrl: cluster.databaseUrl, redisPrefix: cluster.redisPrefix }, 'nbi');
    fleet = await Fleet.create({ acsUrl: cluster.acsUrl, model: loadModel(TR181), devices: DEVICES, serialBase: 'STC' });
    await fleet.connectAll();
    for (let i = 1; i < ROUNDS; i++) await fleet.connectAll('2 PERIODIC');
  });
  after(async () => {
    await fleet?.close();
    await nbi?.stop();
    await cluster?.stop();
  });

  it('adds up the sessions every front end ended', async () => {
    // A front end logs a session's end after its last answer went out: the line may reach us a moment after the CPE is done.
    const ended = () => cluster.fronts.map((f) => f.count('session ended'));
    await until('every session\'s end logged', async () => sum(ended()) >= DEVICES * ROUNDS);
    assert.ok(ended().every((n) => n > 0), `both front ends ended sessions: ${ended().join(', ')}`);
    assert.equal(sum(ended()), DEVICES * ROUNDS);
    let h: FleetHistory | null = null;
    await until('the cluster\'s sessions counted', async () => {
      h = (await (await nbi.nbi('/stats/fleet?step=1m')).json()) as FleetHistory;
      return sum(h.informs) === DEVICES * ROUNDS;
    });
    const history = h as unknown as FleetHistory;
    assert.equal(sum(history.events['0 BOOTSTRAP']), DEVICES);
    assert.equal(sum(history.events['2 PERIODIC']), DEVICES * (ROUNDS - 1));
    const s = (await (await nbi.nbi('/stats/fleet/summary')).json()) as FleetSummary;
    assert.equal(s.devices.known, DEVICES);
    assert.equal(s.last24h.informs, DEVICES * ROUNDS);
  });
});
