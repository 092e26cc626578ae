/**
 * A real Redis Cluster for tests: `masters` redis-servers in cluster mode on
 * free local ports (each with its cluster bus port, +10000, free too), their
 * node files in a temporary folder, joined by `redis-cli --cluster create`.
 * Nothing is kept on disk; stop() kills the servers it started and removes
 * the folder. Never touches the shared Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { stopChild } from '../../src/infra/redis';
import { freePort, pingRedis } from './private-services';
import { until } from './wait';

export interface RedisClusterHandle {
  /** REDIS_URL of the cluster: `redis+cluster://127.0.0.1:<port>,…`. */
  url: string;
  ports: number[];
  /** A client of the whole cluster (closed by stop). */
  client: Cluster;
  /** SIGTERM to every server (SIGKILL after 5 s), then the folder goes. */
  stop(): Promise<void>;
}

/** Whether something listens on `port`: the bus port of a free port may be taken. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && !ports.includes(port) && !(await listening(port + 10_000))) ports.push(port);
  }
  return ports;
}

function startNode(port: number, dir: string): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`];
  return spawn('redis-server', [...args, '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

/** Every node answers "cluster_state:ok" (slots assigned and agreed). */
async function clusterOk(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ?? '';
    if (!info.includes('cluster_state:ok')) return false;
  }
  return true;
}

/** Starts a cluster of `masters` masters (no replicas) and waits until it serves every slot. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-redis-cluster-'));
  const ports = await clusterPorts(masters);
  const nodes = ports.map((port) => startNode(port, dir));
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await until(`redis cluster node on port ${port}`, () => pingRedis(port), 10_000);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await until('the redis cluster to serve every slot', async () => clusterOk(ports), 20_000);
  } catch (err) {
    await stopAll();
    throw err;
  }
  const client = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    client,
    stop: async () => {
      client.disconnect();
      await stopAll();
    },
  };
}
