/**
 * The soak's own redis-server: its used_memory is the ACS's alone (the
 * machine's Redis serves other programs too). Nothing kept on disk; started
 * on a random high port, another one tried if that port is taken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';

export interface SoakRedis {
  url: string;
  pid: number;
  /** INFO memory's used_memory, in MiB. */
  usedMemoryMiB(): Promise<number>;
  stop(): Promise<void>;
}

const ATTEMPTS = 5;

export async function startSoakRedis(): Promise<SoakRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acs-soak-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
    if (await listening(child)) return handle(child, port, dir);
    if (attempt === ATTEMPTS) throw new Error(`redis-server did not start (${ATTEMPTS} ports tried)`);
  }
}

/** True once it says it accepts connections; false if it exits first (the port was taken). */
function listening(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('Ready to accept connections')) resolve(true);
    });
  });
}

function handle(child: ChildProcess, port: number, dir: string): SoakRedis {
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true });
  return {
    url,
    pid: child.pid as number,
    usedMemoryMiB: async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]) / 2 ** 20,
    stop: async () => {
      client.disconnect();
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
