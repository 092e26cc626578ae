/**
 * The ACS on a real Redis Cluster (issue 12 §3): three masters started on
 * local ports (test/helpers/redis-cluster.ts), REDIS_URL
 * `redis+cluster://…`. The engine cluster suites of cluster.test.ts (two
 * front ends, two workers, kill -9 of either) run on it unchanged, and an
 * in-process ACS runs a session, an engine step, a task brought by a
 * connection request and its webhooks over it. Every Lua script and MULTI
 * would fail with CROSSSLOT here if its keys were not in one slot. Needs a
 * current dist/ (`npm run build`).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { shardsOf, shardTag } from '../../src/infra/hash-tags';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster';
import { until } from '../helpers/wait';
import { Receiver, SECRET } from '../webhooks/receiver';
import { clusterSuites } from './cluster-suites';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

/** A provision that reads a value: each session takes engine steps. */
const FILES = { preset: 'channel: smoke\nprovisions:\n  - [smoke]\n', provision: "declare('Device.DeviceInfo.SoftwareVersion', { value: Date.now() });\n" };

describe('on a Redis Cluster of three masters', function () {
  let rc: RedisClusterHandle;
  before(async function () {
    this.timeout(60_000);
    rc = await startRedisCluster(3);
  });
  after(async () => rc?.stop());

  clusterSuites({ name: 'rcluster', url: () => rc.url, connect: () => rc.client.duplicate() as unknown as Redis });

  describe('a session, engine steps, a task run now and its webhooks', function () {
    this.timeout(90_000);
    let t: TestAcs;
    let fleet: Fleet | null = null;
    const receiver = new Receiver();

    before(async () => {
      t = await startTestAcs('rc_smoke', {
        redisUrl: rc.url, connectionRequestIntervalMs: 0, webhookRetryBaseMs: 100,
        presetsDir: dirWith({ 'smoke.yaml': FILES.preset }), provisionsDir: dirWith({ 'smoke.js': FILES.provision }),
      });
      await receiver.open();
    });
    after(async () => {
      await fleet?.close();
      await receiver.shut().catch(() => undefined);
      await t?.stop();
    });

    it('provisions a device, runs a task through a connection request, delivers the webhooks; keys spread over the masters', async () => {
      const sub = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.registered', 'device.boot', 'task.done'], secret: SECRET }) });
      assert.equal(sub.status, 201, await sub.clone().text());
      fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 8, serialBase: 'RC-', connectionRequests: true });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 8, JSON.stringify(fleet.stats));
      assert.equal(fleet.stats.violations, 0);

      const key = deviceKeyOf(fleet.devices[0].deviceId());
      const devicePath = `/devices/${encodeURIComponent(key)}`;
      const creds = { username: 'cr-RC-000000', password: 'crpw-RC-000000' };
      assert.equal((await t.nbi(`${devicePath}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify(creds) })).status, 204);
      const res = await t.nbi(`${devicePath}/tasks?connection_request&timeout=15000`, {
        method: 'POST', body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber'] }),
      });
      const body = (await res.json()) as { status: string; connectionRequest: { outcome: string } };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual([body.status, body.connectionRequest.outcome], ['done', 'ok']);

      await until('the webhooks', async () => receiver.got.filter((g) => g.event === 'task.done').length === 1 && receiver.got.filter((g) => g.event === 'device.registered').length === 8, 20_000);
      assert.equal(receiver.bad, 0);

      // Where the keys went: the 16 session shards over every master, device keys on more than one, BullMQ's under its one hash tag.
      const masterOf = async (key: string): Promise<string> => String(rc.client.slots[(await rc.client.cluster('KEYSLOT', key)) as number]?.[0]);
      const shardMasters = new Set(await Promise.all(shardsOf(rc.client).map((shard) => masterOf(shardTag(rc.client, shard)))));
      assert.equal(shardMasters.size, 3, 'the session shards spread over the three masters');
      const perMaster = await Promise.all(rc.client.nodes('master').map((n) => n.keys(`${t.config.redisPrefix}*`)));
      assert.ok(perMaster.filter((keys) => keys.length > 0).length >= 2, `keys per master: ${perMaster.map((k) => k.length)}`);
      const bull = perMaster.flat().filter((k) => k.includes('bull'));
      const tag = bullPrefix(t.config.redisPrefix, rc.client);
      assert.ok(bull.length > 0 && bull.every((k) => k.startsWith(tag)), bull.slice(0, 3).join(', '));
      console.log(`      keys per master: ${perMaster.map((k) => k.length).join(' / ')} (BullMQ: ${bull.length}, all under ${tag})`);
    });
  });
});
