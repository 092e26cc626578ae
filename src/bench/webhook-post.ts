/**
 * Micro bench of one webhook POST's CPU in the posting process (not part of
 * `acs bench`): a receiver in a process of its own (bench (w)'s, node:http,
 * answers 204), N signed POSTs of a device.inform-sized body through a
 * client's `post()` with `inFlight` at once, CPU from process.cpuUsage()
 * around the N (after a warm-up). CPU, not wall time: the machine is shared.
 *
 *   node --import tsx src/bench/webhook-post.ts [--n 20000] [--in-flight 64] [--runs 3] variant=module.ts ...
 *
 * Each variant runs in a fresh process, the variants interleaved run after
 * run; it prints each run and the medians (µs of CPU per POST).
 * A module is a client with the signature of src/webhooks/post.ts's `post`.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';

type Post = (url: string, id: string, event: string, body: string, secret: string, timeoutMs: number) => Promise<{ ok: boolean; error?: string }>;

interface RunResult {
  variant: string;
  n: number;
  userUs: number;
  systemUs: number;
  wallMs: number;
  failed: number;
  firstError?: string;
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = fork(path.join(__dirname, 'webhook-receiver.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.on('message', (m: { port?: number }) => m.port && resolve(m.port)));
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => child.kill() };
}

function bodyOf(i: number): string {
  const id = `0f8fad5b-d9cb-469f-a165-${String(70_000_000_000 + i).padStart(12, '0')}`;
  return JSON.stringify({
    id,
    event: 'device.inform',
    time: new Date().toISOString(),
    device: `00D09E-IGD-SIM${String(i % 5000).padStart(6, '0')}`,
    data: { sessionId: `s-${i}-8c1f2d`, events: ['2 PERIODIC'], softwareVersion: 'V1.2.3-build.4567' },
  });
}

/** In the child: N POSTs through the module's post(), `inFlight` at once. */
async function runOne(variant: string, modulePath: string, url: string, n: number, inFlight: number): Promise<RunResult> {
  const { post } = (await import(path.resolve(modulePath))) as { post: Post };
  const bodies = Array.from({ length: 1000 }, (_x, i) => bodyOf(i));
  let failed = 0;
  let firstError: string | undefined;
  const many = async (count: number) => {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        const body = bodies[i % bodies.length];
        const o = await post(url, `d-${i}`, 'device.inform', body, 'a-secret-of-at-least-16', 10_000);
        if (!o.ok) {
          failed++;
          firstError ??= o.error;
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  };
  await many(Math.min(4000, n));
  failed = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await many(n);
  const c = process.cpuUsage(c0);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { variant, n, userUs: c.user, systemUs: c.system, wallMs, failed, firstError };
}

function runChild(variant: string, modulePath: string, url: string, n: number, inFlight: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=dir: a CPU profile of each run's posting process.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = fork(__filename, ['--child', variant, modulePath, url, String(n), String(inFlight)], { execArgv: ['--import', 'tsx', ...prof] });
    child.on('message', (m: RunResult) => resolve(m));
    child.on('exit', (code) => code !== 0 && reject(new Error(`variant ${variant} exited ${code}`)));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [variant, modulePath, url, n, inFlight] = process.argv.slice(3);
    const r = await runOne(variant, modulePath, url, Number(n), Number(inFlight));
    process.send?.(r);
    process.disconnect?.();
    return;
  }
  const n = arg('n', 20_000);
  const inFlight = arg('in-flight', 64);
  const runs = arg('runs', 3);
  const variants = process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]);
  if (variants.length === 0) throw new Error('name at least one variant=module.ts');
  const receiver = await startReceiver();
  const perPost = new Map<string, number[]>(variants.map(([v]) => [v, []]));
  console.log(`n=${n} in flight=${inFlight} runs=${runs} load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let run = 1; run <= runs; run++) {
    for (const [variant, modulePath] of variants) {
      const r = await runChild(variant, modulePath, receiver.url, n, inFlight);
      const us = (r.userUs + r.systemUs) / r.n;
      perPost.get(variant)?.push(us);
      const fails = r.failed ? ` FAILED ${r.failed} (${r.firstError})` : '';
      console.log(`run ${run} ${variant}: ${us.toFixed(1)} µs/POST (user ${(r.userUs / r.n).toFixed(1)}, sys ${(r.systemUs / r.n).toFixed(1)}), ${((r.n / r.wallMs) * 1000).toFixed(0)} POST/s${fails}`);
    }
  }
  receiver.stop();
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [variant, xs] of perPost) console.log(`median ${variant}: ${median(xs).toFixed(1)} µs/POST (${xs.map((x) => x.toFixed(1)).join(', ')})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
