/**
 * Bench (w)'s floor, run as its own process (child_process.fork): the least
 * any ACS must do per delivery, and nothing else: a signed JSON POST of a
 * delivery's size to the receiver, on the same client as the ACS's
 * (webhooks/post.ts), at a set rate. No Redis, no MariaDB, no queue, no log.
 * What it costs the sessions is what delivering at that rate costs this
 * machine whoever delivers; the ACS's own delivery path is judged against it.
 *
 * Messages: { url, rate, tickMs } starts (every tickMs, the POSTs due since
 * the last tick go out together, as a worker's job's do); 'stop' stops and answers { posted, failed }.
 */
import { randomUUID } from 'node:crypto';
import { post } from '../webhooks/post';

let timer: NodeJS.Timeout | null = null;
let [posted, failed, underWay] = [0, 0, 0];

function body(id: string, n: number): string {
  const data = { sessionId: randomUUID(), events: ['2 PERIODIC'], softwareVersion: '1.0.0' };
  return JSON.stringify({ id, event: 'device.inform', time: new Date().toISOString(), device: `00259E-XX230v-${String(n).padStart(8, '0')}`, data });
}

function start(url: string, rate: number, tickMs: number): void {
  const t0 = performance.now();
  let sent = 0;
  timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    for (; sent < due; sent++) {
      const id = randomUUID();
      underWay++;
      void post(url, id, 'device.inform', body(id, sent), 'bench-floor-secret', 10_000).then((o) => {
        underWay--;
        if (o.ok) posted++;
        else failed++;
      });
    }
  }, tickMs);
}

process.on('message', (m: { url: string; rate: number; tickMs: number } | 'stop') => {
  if (m !== 'stop') return start(m.url, m.rate, m.tickMs);
  if (timer) clearInterval(timer);
  // The POSTs under way get their answers first (each settles within its 10 s timeout).
  const answered = setInterval(() => {
    if (underWay > 0) return;
    clearInterval(answered);
    process.send?.({ posted, failed });
  }, 10);
});
process.on('disconnect', () => process.exit(0));
