/**
 * "Run now" end to end: a task posted with ?connection_request&timeout comes
 * back done with the CPE's answer, through the real server's connection
 * requests (HTTP to the simulator's listener, UDP through the bundled STUN
 * server), and the same through `acs task`. The connection-request routes of
 * the REST API, and what GET /devices/:id shows of the last attempt.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { runTaskCommand } from '../../src/tasks/cli';
import { connectRedis } from '../../src/infra/redis';
import { createLogger } from '../../src/log';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { freePort } from '../helpers/private-services';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

describe('tasks run now: connection requests from the REST API and acs task', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];

  before(async () => {
    t = await startTestAcs('tasks_now', { stunPort: await freePort(), stunHost: '127.0.0.1', connectionRequestIntervalMs: 0 });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  const devicePath = (key: string) => `/devices/${encodeURIComponent(key)}`;

  async function fleetOf(serialBase: string, extra: Partial<Parameters<typeof Fleet.create>[0]> = {}): Promise<{ fleet: Fleet; key: string }> {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase, ...extra });
    fleets.push(fleet);
    await fleet.connectAll();
    const key = deviceKeyOf(fleet.devices[0].deviceId());
    const creds = await t.nbi(`${devicePath(key)}/connection-request-credentials`, {
      method: 'PUT', body: JSON.stringify({ username: `cr-${serialBase}000000`, password: `crpw-${serialBase}000000` }),
    });
    assert.equal(creds.status, 204);
    return { fleet, key };
  }

  it('POST /devices/:id/tasks?connection_request&timeout: 200 with the value read in the session the request brought', async () => {
    const { key } = await fleetOf('NOW', { connectionRequests: true });
    const res = await t.nbi(`${devicePath(key)}/tasks?connection_request&timeout=15000`, {
      method: 'POST', body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber'] }),
    });
    const body = (await res.json()) as { status: string; result: { ParameterList: { Name: string; Value: string }[] }; connectionRequest: { outcome: string } };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.connectionRequest.outcome, 'ok');
    assert.equal(body.status, 'done');
    assert.deepEqual(body.result.ParameterList.map((p) => [p.Name, p.Value]), [['Device.DeviceInfo.SerialNumber', 'NOW000000']]);
    const device = (await (await t.nbi(devicePath(key))).json()) as { connectionRequest: { outcome: string; via: string } };
    assert.equal(device.connectionRequest.outcome, 'ok');
    assert.equal(device.connectionRequest.via, 'http');
  });

  it('a device reachable only by UDP (STUN binding) is asked over UDP, and its task is done', async () => {
    const stunPort = t.config.stunPort;
    const { fleet, key } = await fleetOf('UDP', { udpConnectionRequests: true, stun: { host: '127.0.0.1', port: stunPort, keepAliveMs: 200 } });
    // Its first keep-alives came before its credentials were stored: wait for a binding.
    for (let i = 0; i < 50 && !(fleet.stun?.stats.bound ?? 0); i++) await new Promise((r) => setTimeout(r, 100));
    const res = await t.nbi(`${devicePath(key)}/tasks?connection_request&timeout=15000`, { method: 'POST', body: JSON.stringify({ name: 'getRPCMethods' }) });
    const body = (await res.json()) as { status: string; result: { MethodList: string[] }; connectionRequest: { outcome: string } };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.connectionRequest.outcome, 'udp-sent');
    assert.ok(body.result.MethodList.includes('GetParameterValues'));
  });

  it('POST /devices/:id/connection-request answers the outcome; unknown device 404, bad credentials 400', async () => {
    const { key } = await fleetOf('ASK', { connectionRequests: true });
    const asked = await t.nbi(`${devicePath(key)}/connection-request`, { method: 'POST' });
    assert.equal(asked.status, 200);
    assert.equal(((await asked.json()) as { outcome: string }).outcome, 'ok');
    assert.equal((await t.nbi(`${devicePath(deviceKeyOf({ Manufacturer: 'x', OUI: '000000', ProductClass: 'p', SerialNumber: 'none' }))}/connection-request`, { method: 'POST' })).status, 404);
    const bad = await t.nbi(`${devicePath(key)}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify({ username: 7 }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /username must be a string/);
  });

  it('acs task: the same task from the command line, waiting for its result', async () => {
    const { key } = await fleetOf('CLI', { connectionRequests: true });
    const redis = await connectRedis({ url: TEST_REDIS_URL, privateFallback: false, dataDir: '' }, { retryMs: 0, log: createLogger('silent') });
    const lines: string[] = [];
    const print = console.log;
    console.log = (line: string) => void lines.push(line);
    try {
      // Without a connection request: the task waits for the device's next session, which the test brings itself.
      const run = runTaskCommand([key, 'getParameterValues', 'Device.DeviceInfo.SerialNumber', '--timeout', '15000'], {
        store: t.acs.store, redis, prefix: t.config.redisPrefix, provisionsDir: t.config.provisionsDir,
      });
      await new Promise((r) => setTimeout(r, 300));
      await fleets.at(-1)?.connectAll();
      assert.equal(await run, 0);
    } finally {
      console.log = print;
      await redis.close();
    }
    const printed = JSON.parse(lines.join('\n')) as { status: string; result: { ParameterList: { Value: string }[] } };
    assert.equal(printed.status, 'done');
    assert.equal(printed.result.ParameterList[0].Value, 'CLI000000');
  });
});
