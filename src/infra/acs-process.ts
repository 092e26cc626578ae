import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const BIN = path.resolve(__dirname, '../../bin/acs.js');

export interface AcsProcess {
  child: ChildProcess;
  pid: number;
  cwmpPort: number | null;
  nbiPort: number | null;
  /** Every line the process printed so far (JSON log lines and plain errors). */
  output: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `acs <args>` as a separate process, as an operator would, and resolves
 * once it logged "acs started" (with its ports); rejects with everything it
 * printed if it exits first. Used by the benchmark and the multi-process tests.
 */
export function spawnAcs(args: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<AcsProcess> {
  // The flag isolated-vm needs (see bin/acs.js), given here so the pid is the ACS itself, not a wrapper.
  // BENCH_CPU_PROF=dir: the process writes a .cpuprofile there when it stops (profiling a missed target; Node refuses --cpu-prof in NODE_OPTIONS).
  const profile = env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF}`] : [];
  const node = [process.execPath, '--no-node-snapshot', ...profile, BIN, ...args];
  // BENCH_NICE=n: under `nice -n n` (which execs node: the pid stays the ACS's), as an operator would run a process below the others' CPU priority.
  const command = env.BENCH_NICE ? ['nice', '-n', env.BENCH_NICE, ...node] : node;
  const child = spawn(command[0], command.slice(1), { cwd, env });
  const output: string[] = [];
  const stop = (): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      output.push(line);
      if (!line.includes('"acs started"')) return;
      const entry = JSON.parse(line) as { cwmpPort: number | null; nbiPort: number | null };
      resolve({ child, pid: child.pid as number, cwmpPort: entry.cwmpPort, nbiPort: entry.nbiPort, output, stop });
    };
    // Lines may arrive split across chunks: read whole lines.
    createInterface({ input: child.stdout }).on('line', (l) => l && onLine(l));
    createInterface({ input: child.stderr }).on('line', (l) => l && onLine(l));
    child.on('exit', (code) => reject(new Error(`acs exited with ${code}: ${output.join('\n')}`)));
  });
}
