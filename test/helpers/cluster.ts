/**
 * A small ACS cluster for multi-process tests: CWMP front ends and engine
 * workers, each a separate `acs start --role ...` process (spawnAcs) on one
 * MariaDB database and one Redis prefix, and a round-robin HTTP proxy in
 * front of the front ends that sends consecutive requests of one connection
 * (one CPE session) to different front ends.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readCookie, SESSION_COOKIE } from '../../src/cwmp/http/cookies';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';
import { databaseUrlFor, TEST_REDIS_URL } from './acs';
import { freshMigratedMysqlDatabase } from './db';
import { dirWith } from './files';

export { dirWith };

/** One JSON log line of an ACS process, as pino wrote it. */
export interface LogLine {
  time: number;
  level: number;
  msg: string;
  sessionId?: string;
  deviceId?: string;
  step?: number;
  [key: string]: unknown;
}

/** An ACS process of the cluster, with its log read line by line (JSON lines parsed). */
export interface ClusterProcess {
  name: string;
  role: 'cwmp' | 'worker' | 'all';
  acs: AcsProcess;
  lines: LogLine[];
  /** Lines that were not JSON (stack traces, plain errors). */
  other: string[];
  /** Log lines with this message, optionally since a time (ms). */
  count(msg: string, since?: number): number;
  killed: boolean;
  /** Resolves when the process exited and its output was read to the end. */
  closed: Promise<void>;
}


/** Reads a child's stdout and stderr line by line (spawnAcs's own `output` splits at chunk boundaries, which can fall mid-line). */
function follow(acs: AcsProcess, lines: LogLine[], other: string[]): void {
  for (const stream of [acs.child.stdout, acs.child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (!line.startsWith('{')) return void other.push(line);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        other.push(line);
      }
    });
  }
}

export interface ClusterOptions {
  /** Suffix of the MySQL database name (made again, migrated: see freshMigratedMysqlDatabase) and of the Redis prefix. */
  suite: string;
  fronts?: number;
  workers?: number;
  presets: Record<string, string>;
  provisions: Record<string, string>;
  /** More environment variables for every process (ENGINE_STEP_TIMEOUT_MS, SESSION_TIMEOUT_MS ...). */
  env?: Record<string, string>;
  /** Another Redis or database than the shared test ones (private instances a test may kill). */
  redisUrl?: string;
  databaseUrl?: string;
  /** One `--role all` process behind the proxy instead of front ends and workers. */
  allInOne?: boolean;
}

export interface Cluster {
  databaseUrl: string;
  redisPrefix: string;
  fronts: ClusterProcess[];
  workers: ClusterProcess[];
  proxy: RoundRobinProxy;
  /** The proxy's URL: what the CPEs are given as the ACS URL. */
  acsUrl: string;
  /** The cluster's database, opened by the test process (read-only use). */
  store: DeviceStore;
  /** kill -9 of one process; the proxy stops sending to a killed front end (as a health check would). */
  kill(p: ClusterProcess): Promise<void>;
  /** A new process in place of a killed one (as a supervisor would start), in the proxy's rotation again. */
  restart(p: ClusterProcess): Promise<ClusterProcess>;
  /** SIGTERM to every process; resolves once each exited and its last log lines were read. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const databaseUrl = options.databaseUrl ?? databaseUrlFor(options.suite);
  await freshMigratedMysqlDatabase(databaseUrl);
  const redisPrefix = `acs-test:${options.suite}:${randomBytes(4).toString('hex')}:`;
  const presetsDir = dirWith(options.presets);
  const provisionsDir = dirWith(options.provisions);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    PRESETS_DIR: presetsDir,
    PROVISIONS_DIR: provisionsDir,
    VIRTUAL_PARAMETERS_DIR: dirWith({}),
    EXT_DIR: dirWith({}),
    CWMP_HOST: '127.0.0.1',
    CWMP_PORT: '0',
    NBI_PORT: '0',
    FS_PORT: '0',
    STUN_PORT: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const all: ClusterProcess[] = [];
  const start = async (name: string, role: ClusterProcess['role']): Promise<ClusterProcess> => {
    // Each process in its own working directory: nothing lands in the repository (./data).
    const acs = await spawnAcs(['start', '--role', role], env, dirWith({}));
    const closed = new Promise<void>((resolve) => acs.child.once('close', () => resolve()));
    const lines: LogLine[] = [];
    const other: string[] = [];
    follow(acs, lines, other);
    const p: ClusterProcess = {
      name, role, acs, lines, other, killed: false, closed,
      count: (msg, since = 0) => lines.filter((l) => l.msg === msg && l.time >= since).length,
    };
    all.push(p);
    return p;
  };
  // All at once, as a deployment starts them: each finds the migrations applied (a named lock makes them take turns checking).
  const settled = await Promise.allSettled(
    options.allInOne
      ? [start('all-1', 'all')]
      : [
          ...Array.from({ length: options.workers ?? 2 }, (_, i) => start(`worker-${i + 1}`, 'worker')),
          ...Array.from({ length: options.fronts ?? 2 }, (_, i) => start(`front-${i + 1}`, 'cwmp')),
        ],
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((p) => p.acs.stop()));
    throw failed.reason;
  }
  const started = [...all].sort((a, b) => a.name.localeCompare(b.name));
  const workers = started.filter((p) => p.role === 'worker');
  const fronts = started.filter((p) => p.role !== 'worker');
  const proxy = new RoundRobinProxy(fronts.map((f) => ({ name: f.name, port: f.acs.cwmpPort as number })));
  const acsUrl = await proxy.listen();
  const store = await openStore(databaseUrl);
  return {
    databaseUrl, redisPrefix, fronts, workers, proxy, acsUrl, store,
    kill: async (p) => {
      p.killed = true;
      if (p.role !== 'worker') proxy.markDown(p.name);
      const child = p.acs.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    restart: async (p) => {
      const next = await start(`${p.name}'`, p.role);
      const list = p.role === 'worker' ? workers : fronts;
      list[list.indexOf(p)] = next;
      if (next.role !== 'worker') proxy.replace(p.name, { name: next.name, port: next.acs.cwmpPort as number });
      return next;
    },
    stop: async () => {
      await proxy.close();
      await Promise.all(all.map(async (p) => {
        await p.acs.stop();
        await p.closed;
      }));
      await store.close().catch(() => undefined);
    },
  };
}

export interface Backend {
  name: string;
  port: number;
  down?: boolean;
}

/** One request through the proxy. */
export interface ProxyRecord {
  /** The CWMP session (its cookie, or the one the answer set); null before an Inform is answered. */
  sid: string | null;
  backend: string;
  start: number;
  end: number;
  status: number;
  /** The CWMP method of the request and of the answer (null: empty POST / 204). */
  sent: string | null;
  answer: string | null;
  /** The SOAP bodies both ways, kept for failure messages. */
  sentText?: string;
  answerText?: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function methodOf(body: string): string | null {
  return /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1] ?? null;
}

/**
 * A plain HTTP round-robin load balancer, like the nginx of docker/: each
 * request of a client connection goes to the next live front end (so a CPE
 * session's consecutive POSTs alternate between front ends), each on a new
 * upstream connection (a pooled one could be closed by the front end's
 * keep-alive timeout just as it is reused). A refused upstream connection is
 * retried on another front end (nothing was sent); any other upstream
 * failure is a 502, as nginx does for a POST.
 */
export class RoundRobinProxy {
  readonly records: ProxyRecord[] = [];
  private readonly server: http.Server;
  private readonly turn = new WeakMap<Socket, number>();
  private connections = 0;

  constructor(private readonly backends: Backend[]) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => this.turn.set(socket, this.connections++));
  }

  listen(): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`));
    });
  }

  /** A new front end in place of `name` (restarted elsewhere). */
  replace(name: string, backend: Backend): void {
    const i = this.backends.findIndex((x) => x.name === name);
    if (i >= 0) this.backends[i] = backend;
    else this.backends.push(backend);
  }

  markDown(name: string): void {
    const b = this.backends.find((x) => x.name === name);
    if (b) b.down = true;
  }

  /** Requests each front end answered. */
  served(): Map<string, number> {
    const out = new Map(this.backends.map((b) => [b.name, 0]));
    for (const r of this.records) out.set(r.backend, (out.get(r.backend) ?? 0) + 1);
    return out;
  }

  private pick(socket: Socket): Backend | null {
    const live = this.backends.filter((b) => !b.down);
    if (live.length === 0) return null;
    const n = this.turn.get(socket) ?? 0;
    this.turn.set(socket, n + 1);
    return live[n % live.length];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.forward(req, res, Buffer.concat(chunks), Date.now()));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, start: number): void {
    const backend = this.pick(req.socket);
    if (!backend) return this.fail(res, 503, 'no live front end');
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers['content-length'] = String(body.length);
    const sent = methodOf(body.toString('utf8'));
    const upstream = http.request(
      { host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers, agent: false },
      (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('error', () => this.fail(res, 502, 'upstream response failed'));
        up.on('end', () => {
          const text = Buffer.concat(parts);
          const setCookie = up.headers['set-cookie']?.[0];
          const sid = readCookie(req.headers.cookie, SESSION_COOKIE) ?? (setCookie ? readCookie(setCookie.split(';')[0], SESSION_COOKIE) : null);
          this.records.push({ sid, backend: backend.name, start, end: Date.now(), status: up.statusCode ?? 0, sent, answer: methodOf(text.toString('utf8')), sentText: body.toString('utf8'), answerText: text.toString('utf8') });
          const out: http.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
          out['content-length'] = String(text.length);
          if (!res.headersSent) res.writeHead(up.statusCode ?? 502, out).end(text);
        });
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        backend.down = true;
        return this.forward(req, res, body, start);
      }
      this.records.push({ sid: readCookie(req.headers.cookie, SESSION_COOKIE), backend: backend.name, start, end: Date.now(), status: 502, sent, answer: null });
      this.fail(res, 502, `front end ${backend.name}: ${err.code ?? err.message}`);
    });
    upstream.end(body);
  }

  private fail(res: http.ServerResponse, status: number, reason: string): void {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`${reason}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** p-th percentile (0..100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU time (user + system) a process used so far, in ms, from /proc (NaN where there is none). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
