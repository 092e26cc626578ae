/** What the kernel says of a process, from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** The scheduling policy of each thread of `pid` (field 41 of /proc/<pid>/task/<tid>/stat, counted after the command's parentheses). */
export function threadPolicies(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  });
}

/** The environment `pid` was started with. */
export function environOf(pid: number): Record<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}
