/**
 * What a process opened, closed in reverse on shutdown or on a failed
 * start-up, and the periodic work it runs meanwhile.
 */
import type { Logger } from '../log';

export type Closer = () => Promise<void>;

/** Closes what was opened, last first; a failing close is logged and the rest still close. */
export async function closeAll(opened: Closer[], log: Logger): Promise<void> {
  for (const close of opened.splice(0).reverse()) await close().catch((err) => log.error({ err }, 'close failed'));
}

/** Runs `task` every `ms`, never two at once: a slow sweep is not overtaken by the next. */
export function every(ms: number, log: Logger, what: string, task: () => Promise<unknown>): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((err) => log.error({ err }, `${what} failed`))
      .finally(() => (running = false));
  }, ms);
}
