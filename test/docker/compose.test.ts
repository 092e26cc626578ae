/**
 * docker/: Docker cannot run here, so what can be checked without it is:
 * the compose file's structure, that every command in it is one the CLI
 * accepts (asked of the CLI itself, from dist/), nginx's dynamic resolution
 * of the front ends, the Dockerfile's user and inputs, and the database
 * user's grants, applied to a private MariaDB with the ACS started as it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { parse } from 'yaml';
import { startTestAcs } from '../helpers/acs';
import { privateMariadb, type PrivateService } from '../helpers/private-services';

const ROOT = path.resolve(__dirname, '../..');
const DOCKER = path.join(ROOT, 'docker');
const read = (file: string): string => readFileSync(path.join(DOCKER, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  volumes?: string[];
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (refused when VAR is unset). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (env[name] !== undefined) return env[name];
    if (op === '?') throw new Error(`${name} must be set: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

// As `ACS_DB_PASSWORD=... docker compose up` would read it; the only variable without a default.
// merge: the `<<: *env` keys, as Compose reads them.
const compose = parse(interpolate(read('docker-compose.yml'), { ACS_DB_PASSWORD: 'secret' }), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
/** The services running the ACS image: those whose command is an `acs` command. */
const acsServices = Object.entries(services).filter(([, s]) => s.command?.[0] === 'start');

/** `acs <args>` from dist/ (npm test builds it first). */
function acs(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/acs.js'), ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('docker/docker-compose.yml', () => {
  it('runs MariaDB, Redis, the four roles and a load balancer, each with a health check', () => {
    assert.deepEqual(Object.keys(services).sort(), ['cwmp', 'lb', 'mariadb', 'nbi', 'redis', 'webhooks', 'worker']);
    for (const [name, s] of Object.entries(services)) assert.ok(s.healthcheck?.test?.length, `${name} has a health check`);
  });

  it('builds the image once; every ACS service runs that image', () => {
    const built = Object.entries(services).filter(([, s]) => s.build !== undefined);
    assert.equal(built.length, 1, 'one service has build:');
    const image = built[0][1].image;
    assert.ok(image, 'the build names its image');
    assert.deepEqual(acsServices.map(([name]) => name).sort(), ['cwmp', 'nbi', 'webhooks', 'worker']);
    for (const [name, s] of acsServices) assert.equal(s.image, image, `${name} runs the built image`);
  });

  it('delivers the webhooks in their own service at the idle CPU policy; the workers leave them to it', () => {
    assert.equal(services.worker.environment?.WORKER_DELIVERS_WEBHOOKS, 'false');
    assert.equal(services.worker.environment?.DATABASE_URL, services.cwmp.environment?.DATABASE_URL, 'the rest of the environment merged in');
    assert.ok([undefined, 'idle'].includes(services.webhooks.environment?.WEBHOOK_SCHEDULING));
    assert.ok(Object.values(services).every((s) => s.environment?.WEBHOOK_SCHEDULING !== 'normal'));
  });

  it('checks each ACS process\'s /ready on its metrics server (METRICS_PORT, the only HTTP server of a worker)', () => {
    for (const [name, s] of acsServices) {
      const port = s.environment?.METRICS_PORT;
      assert.ok(port, `${name} sets METRICS_PORT`);
      assert.match(s.healthcheck?.test?.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${port}/ready\\b`), `${name} probes /ready on ${port}`);
    }
  });

  it('needs the database password from the environment, nothing else', () => {
    assert.throws(() => interpolate(read('docker-compose.yml'), {}), /ACS_DB_PASSWORD must be set/);
  });

  it('has every command one the CLI accepts', function () {
    this.timeout(120_000);
    const commands = Object.values(services).flatMap((s) => (s.command?.[0] === 'start' ? [s.command] : []));
    const help = acs(['start', '--help']);
    assert.equal(help.status, 0, help.out);
    const roles = new Set([...help.out.matchAll(/--role (\w+)/g)].map((m) => m[1]));
    assert.ok(roles.has('worker'), `roles read from "acs start --help": ${[...roles].join(', ')}`);
    for (const command of commands) {
      assert.equal(acs([...command, '--help']).status, 0, `acs ${command.join(' ')} is a command`);
      const options = command.slice(1);
      assert.deepEqual(options.filter((_, i) => i % 2 === 0), ['--role'], `acs ${command.join(' ')}: start takes --role only`);
      assert.ok(roles.has(options[1]), `acs ${command.join(' ')}: a role of "acs start --help"`);
    }
    assert.notEqual(acs(['strat', '--help']).status, 0, 'an unknown command is refused (the check can fail)');
  });

  it('keeps Redis (append-only file) and MariaDB data in named volumes', () => {
    const redis = services.redis;
    assert.match(redis.command?.join(' ') ?? '', /--appendonly yes/);
    assert.match(redis.command?.join(' ') ?? '', /--maxmemory-policy noeviction/, 'BullMQ needs noeviction');
    const volumeAt = (s: Service, target: string): string | undefined => s.volumes?.find((v) => v.split(':')[1] === target)?.split(':')[0];
    for (const [service, target] of [['redis', '/data'], ['mariadb', '/var/lib/mysql']] as const) {
      const volume = volumeAt(services[service], target);
      assert.ok(volume && volume in compose.volumes, `${service}: a named volume at ${target}`);
    }
  });

  it('connects the ACS to the database as its own user, never root', () => {
    for (const [name, s] of acsServices) {
      const url = new URL(s.environment?.DATABASE_URL ?? '');
      assert.equal(url.username, 'acs', name);
      assert.equal(url.password, 'secret', `${name}: the password of the environment`);
      assert.doesNotMatch(JSON.stringify(s.environment), /root/i, `${name}: nothing about root in its environment`);
    }
    const db = services.mariadb.environment ?? {};
    assert.equal(db.MARIADB_USER, 'acs');
    assert.equal(db.MARIADB_PASSWORD, 'secret');
    assert.equal(db.MARIADB_ROOT_PASSWORD, undefined, 'no root password to share');
    assert.ok(services.mariadb.volumes?.some((v) => v.startsWith('./mariadb-init.sql:/docker-entrypoint-initdb.d/')), 'the grants script is mounted');
  });
});

describe('docker/nginx.conf', () => {
  const conf = read('nginx.conf').replace(/#.*$/gm, '');
  const upstreams = [...conf.matchAll(/upstream (\w+) \{([^}]*)\}/g)].map((m) => ({ name: m[1], body: m[2] }));

  it('resolves the front ends through Docker\'s DNS again and again (--scale cwmp=N without a reload)', () => {
    assert.match(conf, /resolver 127\.0\.0\.11 valid=10s/);
    assert.ok(upstreams.length > 0);
    for (const u of upstreams) {
      const servers = [...u.body.matchAll(/server ([^;]+);/g)].map((m) => m[1]);
      assert.ok(servers.length > 0 && servers.every((s) => /^cwmp:\d+ .*\bresolve\b/.test(s)), `upstream ${u.name}: every server a compose service with resolve`);
      assert.match(u.body, /\bzone \w+ \d+k;/, `upstream ${u.name}: resolve needs a zone`);
    }
    for (const m of conf.matchAll(/proxy_pass http:\/\/([\w$]+)/g)) assert.ok(upstreams.some((u) => u.name === m[1]), `proxy_pass ${m[1]} is an upstream`);
  });

  it('runs an nginx that has upstream resolve (1.27.3 and later)', () => {
    const [major, minor, patch] = (services.lb.image?.split(':')[1] ?? '').split('.').map(Number);
    assert.ok(major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3))), services.lb.image);
  });
});

describe('docker/Dockerfile', () => {
  const lines = read('Dockerfile').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const runtime = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));

  it('runs as a user that is not root', () => {
    const user = runtime.filter((l) => l.startsWith('USER ')).pop()?.split(/\s+/)[1];
    assert.ok(user && user !== 'root' && user !== '0', `USER of the final stage: ${user}`);
  });

  it('copies only files that exist and that the build context sends', () => {
    const ignored = read('Dockerfile.dockerignore').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/^\*\*\//, ''));
    const sources = lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    assert.ok(sources.includes('src') && sources.includes('package-lock.json'));
    for (const source of sources) {
      assert.ok(existsSync(path.join(ROOT, source)), `${source} exists`);
      assert.ok(!ignored.includes(source), `${source} is not left out of the build context`);
    }
  });

  it('has a lock file that npm ci accepts for this package.json (the build\'s npm ci)', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'acs-docker-npm-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(ROOT, file), path.join(dir, file));
      const r = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs at run time only packages that npm prune --omit=dev keeps', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    // src/ui is bundled by Vite at build time (dist/ui): its packages are not needed at run time.
    for (const file of tsFiles(path.join(ROOT, 'src')).filter((f) => !f.startsWith(path.join(ROOT, 'src', 'ui') + path.sep))) {
      const text = readFileSync(file, 'utf8');
      // import type ... is erased by tsc: only value imports reach dist/.
      for (const m of text.matchAll(/^import (?!type )[^'\n]*from '([^'.][^']*)'/gm)) imported.add(packageOf(m[1]));
    }
    const missing = [...imported].filter((p) => !p.startsWith('node:') && !(p in pkg.dependencies));
    assert.deepEqual(missing, []);
  });
});

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

describe('docker/mariadb-init.sql', function () {
  this.timeout(120_000);
  let mariadb: PrivateService;
  before(async () => {
    mariadb = await privateMariadb();
  });
  after(async () => {
    await mariadb?.stop();
  });

  it('leaves the acs user enough to migrate and run the ACS, and nothing beyond its database', async () => {
    const root = await mysql.createConnection({ host: '127.0.0.1', port: mariadb.port, user: 'root', multipleStatements: true });
    try {
      // What the mariadb image does first with MARIADB_DATABASE, MARIADB_USER and MARIADB_PASSWORD (anonymous users go too).
      await root.query("DROP USER IF EXISTS ''@'localhost'; CREATE DATABASE acs; CREATE USER 'acs'@'%' IDENTIFIED BY 'test-pw'; GRANT ALL ON `acs`.* TO 'acs'@'%';");
      await root.query(read('mariadb-init.sql'));
    } finally {
      await root.end();
    }
    const t = await startTestAcs('docker_grants', { databaseUrl: `mysql://acs:test-pw@127.0.0.1:${mariadb.port}/acs` });
    try {
      assert.equal((await fetch(`${t.nbiUrl}/ready`)).status, 200);
    } finally {
      await t.stop();
    }
    const user = await mysql.createConnection({ host: '127.0.0.1', port: mariadb.port, user: 'acs', password: 'test-pw' });
    try {
      const [grants] = await user.query('SHOW GRANTS FOR CURRENT_USER');
      assert.doesNotMatch(JSON.stringify(grants), /ALL PRIVILEGES/, 'narrowed from what the image grants');
      await assert.rejects(user.query('CREATE DATABASE other'), /denied/);
      await assert.rejects(user.query('SELECT * FROM mysql.user'), /denied/);
      await assert.rejects(user.query('CREATE USER x'), /denied/);
    } finally {
      await user.end();
    }
  });
});
