import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User+system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** A memory line of /proc/<pid>/status (VmHWM, VmRSS...) in MiB; NaN once the process is gone. */
function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** Peak resident set size of a process in MiB (VmHWM). */
export function peakRssMiB(pid: number): number {
  return statusMiB(pid, 'VmHWM');
}

/** Resident set size of a process now, in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  return statusMiB(pid, 'VmRSS');
}

/** The pid of a running program by name (first match), e.g. redis-server or mariadbd; null if none. */
export function pidOf(name: string): number | null {
  try {
    const out = execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n')[0];
    return out ? Number(out) : null;
  } catch {
    return null;
  }
}

/** CPU seconds used by several processes between start() and the returned function's call. */
export function cpuMeter(pids: Record<string, number | null>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : NaN]));
  return () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) - start[k] : NaN]));
}

/** Voluntary context switches so far of a process's threads, summed (each a sleep ended by a wakeup); NaN once it is gone. */
export function wakeupsOf(pid: number): number {
  try {
    let n = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      n += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))?.[1] ?? 0);
    }
    return n;
  } catch {
    return NaN;
  }
}
