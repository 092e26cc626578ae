/**
 * A preset and its provision written through the REST API of one process
 * take effect on the other processes of the cluster (two `--role cwmp` front
 * ends, two `--role worker` workers, spawned from dist/) without a restart,
 * within the stored scripts' poll (about a second); a stored preset that a
 * file of the cluster's folder shadows is logged once per process. Needs a
 * current dist/ (`npm run build`).
 */
import { strict as assert } from 'node:assert';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { startCluster, type Cluster } from '../helpers/cluster';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { sleep, until } from '../helpers/wait';

const PROVISION = "declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 900 });\n";

/** One session through the proxy: whether the ACS's first request after the Inform names `asked` (PeriodicInformInterval). */
async function provisioned(acsUrl: string, serial: string, asked = /PeriodicInformInterval/): Promise<boolean> {
  const cpe = new ScriptedCpe(acsUrl);
  try {
    assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).status, 200);
    const next = await cpe.post(null);
    return next.status === 200 && asked.test(next.text);
  } finally {
    cpe.close();
  }
}

describe('REST API: stored scripts across a cluster', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let nbi: TestAcs;
  before(async () => {
    cluster = await startCluster({ suite: 'scripts_cluster', fronts: 2, workers: 2, presets: { 'shadowed.yaml': 'weight: 1\n' }, provisions: {} });
    // The REST API in this process, on the cluster's database and Redis (its own folders are empty).
    nbi = await startTestAcs('scripts_cluster_nbi', { databaseUrl: cluster.databaseUrl, redisPrefix: cluster.redisPrefix }, 'nbi');
  });
  after(async () => {
    await nbi?.stop();
    await cluster?.stop();
  });

  const put = (route: string, body: string, type: string): Promise<Response> => nbi.nbi(route, { method: 'PUT', body, headers: { 'Content-Type': type } });

  it('a write on one process is running on the others within about a second, without a restart', async () => {
    assert.equal(await provisioned(cluster.acsUrl, 'SN-CLUSTER-0'), false, 'no preset yet');
    assert.equal((await put('/provisions/interval', PROVISION, 'application/javascript')).status, 201);
    assert.equal((await put('/presets/interval', 'provisions:\n  - interval\n', 'text/yaml')).status, 201);
    const written = Date.now();
    // Every front end and worker serves it: four consecutive sessions alternate front ends (the proxy's round robin)
    // and their steps go to either worker. Each process sees the write at its own poll, so the first session to run
    // it can come a poll before the last process sees it.
    let n = 0;
    const fourInARow = async () => {
      for (let i = 0; i < 4; i++) if (!(await provisioned(cluster.acsUrl, `SN-CLUSTER-${++n}`))) return false;
      return true;
    };
    await until('the stored preset to run on every process of the cluster', fourInARow, 15_000);
    const tookMs = Date.now() - written;
    assert.ok(tookMs < 5_000, `took ${tookMs} ms`);
    console.log(`      (stored preset running on every process ${tookMs} ms after its write, ${n} session(s))`);
  });

  it('a virtual parameter written on one process is computed by every other, without a restart', async () => {
    // A preset that only a virtual parameter's value lets run: before the parameter exists its precondition is NULL.
    const gated = /ProvisioningCode/;
    assert.equal((await put('/provisions/gated', "declare('Device.DeviceInfo.ProvisioningCode', { value: 1 }, { value: 'gated' });\n", 'application/javascript')).status, 201);
    assert.equal((await put('/presets/gated', 'weight: -10\nprecondition: VirtualParameters.gate = "open"\nprovisions:\n  - gated\n', 'text/yaml')).status, 201);
    await sleep(2_000);
    for (let i = 0; i < 4; i++) assert.equal(await provisioned(cluster.acsUrl, `SN-VP-${i}`, gated), false, 'no virtual parameter yet: the precondition is not true');
    assert.equal((await put('/virtual-parameters/gate', JSON.stringify({ source: 'return { value: ["open", "xsd:string"] };' }), 'application/json')).status, 201);
    let n = 10;
    const fourInARow = async () => {
      for (let i = 0; i < 4; i++) if (!(await provisioned(cluster.acsUrl, `SN-VP-${++n}`, gated))) return false;
      return true;
    };
    await until('the stored virtual parameter computed on every process of the cluster', fourInARow, 15_000);
  });

  it('a stored preset whose name a file of the folder holds is shadowed: logged once by each process', async () => {
    assert.equal((await put('/presets/shadowed', 'weight: 2\n', 'text/yaml')).status, 201, 'this process has no such file');
    const warned = (lines: { msg: string }[]) => lines.filter((l) => /preset 'shadowed': the file in .* is active; the database's version 1 is shadowed/.test(l.msg)).length;
    const all = [...cluster.fronts, ...cluster.workers];
    await until('every process to log the shadowing', async () => all.every((p) => warned(p.lines) >= 1), 10_000);
    await sleep(2_500);
    assert.deepEqual(all.map((p) => warned(p.lines)), all.map(() => 1), 'once, not at every poll');
  });
});
