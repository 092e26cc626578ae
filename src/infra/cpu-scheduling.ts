/**
 * Linux's idle scheduling policy (SCHED_IDLE) for a process whose work can
 * wait: the kernel gives it only CPU time no other process wants, and a
 * process of the normal policy that wakes (a CWMP front end with a request)
 * takes the core from it at once, where a process at the same policy would
 * often finish its slice first. Node has no binding for sched_setscheduler(2),
 * so chrt(1) (util-linux) sets it on every thread of the process; threads
 * started later inherit it. Any process may lower itself to it (no privilege).
 */
import { execFile } from 'node:child_process';

/** Puts every thread of `pid` in SCHED_IDLE: null once done, else why not (no chrt, not Linux). */
export function scheduleWhenIdle(pid = process.pid): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('chrt', ['--idle', '--all-tasks', '--pid', '0', String(pid)], { timeout: 5000 }, (err, _stdout, stderr) => {
      resolve(err ? stderr.trim() || err.message : null);
    });
  });
}
