/** The soak's result as the Markdown section it prints and appends to BENCHMARKS.md. */
import { runContext } from '../bench/run';
import type { SoakResult } from './run';
import { WARM_UP_S, type Sample } from './samples';

const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '-');
const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'too short to tell');
const counts = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';

const SERIES_NAMES: Record<string, string> = { cwmp: 'ACS front end (cwmp) RSS', worker: 'ACS worker RSS', nbi: 'ACS REST API (nbi) RSS', redis: 'Redis used_memory' };

export function soakMarkdown(r: SoakResult): string {
  const o = r.options;
  return [
    `## Soak: ${runContext()}, ${o.devices} devices, ${o.minutes} min`,
    '',
    `\`npm run soak\`: acs start --role cwmp, --role worker, --role nbi (3 processes) on MariaDB and a redis-server of its own; ${o.devices} simulated devices informing every ${o.intervalS} s (at most ${o.concurrency} sessions at once); a preset setting ${'`Device.Time.NTPServer1`'} on one device in ten (a new value every 5 min); ${o.crPerMinute} tasks/min with ?connection_request through the REST API. Memory sampled every ${o.sampleMs / 1000} s; after the first minute the samples are split in two halves, and each half's level is its low point (RSS follows V8's collections in a sawtooth minutes long; a leak raises the floor).`,
    '',
    growthTable(r),
    '',
    minuteTable(r.samples),
    '',
    summary(r),
    '',
  ].join('\n');
}

function growthTable(r: SoakResult): string {
  const rows = r.growth.map((g) => `| ${SERIES_NAMES[g.series] ?? g.series} | ${f(g.firstLowMiB, 1)} | ${f(g.secondLowMiB, 1)} | ${f(g.peakMiB, 1)} | ${pct(g.growth)} |`);
  return [`| series | low of the first half, MiB | low of the second half, MiB | peak after ${WARM_UP_S} s, MiB | growth (limit +${f(r.options.maxGrowth * 100)} %) |`, '|---|---|---|---|---|', ...rows].join('\n');
}

/** One sample per minute (the first at or after each minute mark). */
function minuteTable(samples: readonly Sample[]): string {
  const series = Object.keys(samples[0]?.mib ?? {});
  const perMinute = samples.filter((s, i) => i === 0 || Math.floor(s.t / 60) > Math.floor(samples[i - 1].t / 60));
  const rows = perMinute.map((s) => `| ${f(s.t)} | ${series.map((k) => f(s.mib[k], 1)).join(' | ')} | ${s.sessions} |`);
  return [`| t, s | ${series.map((k) => `${k} MiB`).join(' | ')} | sessions so far |`, `|---|${series.map(() => '---|').join('')}---|`, ...rows].join('\n');
}

function summary(r: SoakResult): string {
  const s = r.sessions;
  const seconds = r.options.minutes * 60;
  const lines = [
    `- Sessions: ${s.completed} completed (${f(s.completed / seconds, 1)}/s), ${s.failed} failed, ${s.refused} refused; ${s.rpcs} RPCs; round trip p50 ${f(s.p50, 2)} ms, p99 ${f(s.p99, 2)} ms.`,
    `- Provisioning: ${r.provisioned.holding}/${r.provisioned.of} devices of the preset hold its value.`,
    `- Connection-request tasks: ${r.connectionRequests.posted} posted; connection requests: ${counts(r.connectionRequests.outcomes)}; tasks: ${counts(r.connectionRequests.statuses)}.`,
    `- ACS warnings: ${counts(r.warnings)}.`,
    `- Errors: ${r.errors.length === 0 ? 'none' : r.errors.slice(0, 10).join('; ')}.`,
    `- **${r.passed ? 'PASS' : 'FAIL'}**: memory growth after the first minute within +${f(r.options.maxGrowth * 100)} % and no error.`,
  ];
  return lines.join('\n');
}
