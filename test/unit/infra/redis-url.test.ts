import { strict as assert } from 'node:assert';
import { parseRedisUrl } from '../../../src/infra/redis-url';
import { deviceTag, shardOfDevice, shardsOf, CLUSTER_SHARDS } from '../../../src/infra/hash-tags';
import { SessionKeys } from '../../../src/cwmp/session/session-keys';

/** The credentials a redis+cluster:// URL gives each node's connection. */
function clusterAuth(url: string): unknown {
  const e = parseRedisUrl(url);
  return e.kind === 'cluster' ? e.auth : null;
}

describe('REDIS_URL forms', () => {
  it('a redis:// or rediss:// URL is left to ioredis', () => {
    assert.deepEqual(parseRedisUrl('redis://:pw@h:6379/2'), { kind: 'url', url: 'redis://:pw@h:6379/2' });
    assert.deepEqual(parseRedisUrl('rediss://h:6380'), { kind: 'url', url: 'rediss://h:6380' });
  });

  it('redis+cluster:// lists the nodes to start from, with optional credentials', () => {
    assert.deepEqual(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001'), {
      kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], auth: {},
    });
    assert.deepEqual(clusterAuth('redis+cluster://acs:p%40ss@a:1,[::1]:2'), { username: 'acs', password: 'p@ss' });
    assert.deepEqual(parseRedisUrl('redis+cluster://[::1]:2'), { kind: 'cluster', nodes: [{ host: '::1', port: 2 }], auth: {} });
    assert.deepEqual(clusterAuth('redis+cluster://:secret@a:1'), { password: 'secret' });
  });

  it('redis+sentinel:// lists the sentinels and names the master (and a database)', () => {
    assert.deepEqual(parseRedisUrl('redis+sentinel://s1:26379,s2:26379/mymaster/3'), {
      kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'mymaster', db: 3, auth: {},
    });
    assert.deepEqual(parseRedisUrl('redis+sentinel://s1:26379/mymaster'), { kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', db: 0, auth: {} });
  });

  it('a host without a port or a Sentinel URL without a master is refused, the password masked', () => {
    assert.throws(() => parseRedisUrl('redis+cluster://u:secret@a:1,b'), (e: Error) => /"b" is not host:port/.test(e.message) && !e.message.includes('secret'));
    assert.throws(() => parseRedisUrl('redis+sentinel://s1:26379'), /ends with \/<master name>/);
  });
});

describe('hash tags', () => {
  it('a single Redis has no tags and one shard: the key names of before', () => {
    const single = { isCluster: false };
    assert.deepEqual(shardsOf(single), [0]);
    assert.equal(deviceTag(single, 'D-1'), '');
    const k = new SessionKeys('acs:', single);
    assert.deepEqual([k.lock('D-1'), k.session('ab'), k.log('ab'), k.deadlines(0), k.ending(0), k.touched(0), k.asked('D-1')],
      ['acs:lock:D-1', 'acs:session:ab', 'acs:session:ab:log', 'acs:deadlines', 'acs:ending', 'acs:touched', 'acs:cr:asked:D-1']);
    assert.match(k.newSessionId('D-1'), /^[0-9a-f]{32}$/);
  });

  it('on a cluster a session id names its device\'s shard, and all of a session\'s keys share that tag', () => {
    const cluster = { isCluster: true };
    const k = new SessionKeys('acs:', cluster);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const device = `OUI-Class-SN${i}`;
      const sid = k.newSessionId(device);
      const shard = shardOfDevice(cluster, device);
      seen.add(shard);
      const tag = `{s${shard}}`;
      assert.equal(k.shardOfSession(sid), shard);
      for (const key of [k.lock(device), k.asked(device), k.session(sid), k.log(sid), k.deadlines(k.shardOfSession(sid)), k.ending(shard), k.touched(shard)]) {
        assert.ok(key.startsWith(`acs:${tag}`), key);
      }
    }
    assert.equal(seen.size, CLUSTER_SHARDS, 'devices spread over every shard');
    assert.equal(k.shardOfSession('not-hex'), 0);
  });
});
