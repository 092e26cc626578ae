/**
 * REDIS_URL's three forms, and a connection to each:
 * - `redis://…`, `rediss://…`: one Redis (ioredis parses the URL itself);
 * - `redis+cluster://[user:pass@]host1:port1,host2:port2`: a Redis Cluster,
 *   found from any of the listed nodes;
 * - `redis+sentinel://[user:pass@]host1:port1,host2:port2/master-name[/db]`:
 *   the master that Sentinel names (followed across a failover).
 * A Cluster is handed out typed as `Redis`: it answers every command, script
 * and transaction the ACS sends (their keys share a hash tag in cluster mode,
 * see hash-tags.ts), and callers that care tell it by `isCluster`.
 */
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redact } from '../db/url';
import { clusterRetry } from './redis-disconnect';

interface HostPort {
  host: string;
  port: number;
}

export type RedisEndpoint =
  | { kind: 'url'; url: string }
  | { kind: 'socket'; path: string }
  | { kind: 'cluster'; nodes: HostPort[]; auth: RedisOptions }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; db: number; auth: RedisOptions };

const MULTI_HOST = /^redis\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/]+)(?:\/(.*))?$/;

/** The endpoint a REDIS_URL names; throws, naming the setting, on a list of hosts it cannot read. */
export function parseRedisUrl(url: string): RedisEndpoint {
  const m = MULTI_HOST.exec(url);
  if (!m) return { kind: 'url', url };
  const [, kind, userinfo, hosts, rest = ''] = m;
  const auth = authOf(userinfo);
  const nodes = hosts.split(',').map((h) => hostPort(h, url));
  if (kind === 'cluster') return { kind, nodes, auth };
  const [name, db = '0'] = rest.split('/');
  if (!name || !/^\d+$/.test(db)) throw new Error(`REDIS_URL ${redact(url)}: a Sentinel URL ends with /<master name>[/<db>]`);
  return { kind: 'sentinel', sentinels: nodes, name: decodeURIComponent(name), db: Number(db), auth };
}

function authOf(userinfo: string | undefined): RedisOptions {
  if (!userinfo) return {};
  const [user, password] = userinfo.split(':', 2).map(decodeURIComponent);
  return password === undefined ? { password: user } : { ...(user ? { username: user } : {}), password };
}

function hostPort(text: string, url: string): HostPort {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`REDIS_URL ${redact(url)}: "${text}" is not host:port`);
  return { host: m[1], port: Number(m[2]) };
}

/**
 * A connection to `endpoint` with `extra` options. For a Cluster the options
 * go to each node's connection (BullMQ reads maxRetriesPerRequest there), but
 * auto-pipelining is the Cluster's own (it groups commands per node).
 */
export function connectTo(endpoint: RedisEndpoint, extra: RedisOptions & Pick<ClusterOptions, 'clusterRetryStrategy'> = {}): Redis {
  switch (endpoint.kind) {
    case 'url':
      return new Redis(endpoint.url, extra);
    case 'socket':
      return new Redis({ path: endpoint.path, ...extra });
    case 'sentinel':
      return new Redis({ sentinels: endpoint.sentinels, name: endpoint.name, db: endpoint.db, ...endpoint.auth, ...extra });
    case 'cluster': {
      const { enableAutoPipelining, lazyConnect, clusterRetryStrategy, ...node } = extra;
      const options: ClusterOptions = { enableAutoPipelining, lazyConnect, clusterRetryStrategy: clusterRetryStrategy ?? clusterRetry, redisOptions: { ...endpoint.auth, ...node } };
      return new Cluster(endpoint.nodes, options) as unknown as Redis;
    }
  }
}
