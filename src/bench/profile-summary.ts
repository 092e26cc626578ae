/**
 * Self time of a V8 .cpuprofile (BENCH_CPU_PROF=dir writes one per ACS
 * process) by module and by function, for the analysis of a missed target:
 *
 *   node dist/bench/profile-summary.js FILE [top] [--last S] [--skip-end S]
 *
 * --last S keeps the S seconds of samples before the end (less --skip-end S),
 * e.g. a storm's, leaving out the set-up before it and the shutdown after.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalUs: number;
  byModule: [string, number][];
  byFunction: [string, number][];
}

/** node_modules/x/... → nm:x, .../dist/a/b.js → dist/a/b.js: where a frame's code comes from, shortly. */
function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:').replace(/.*\/dist\//, 'dist/');
}

function moduleOf(url: string, functionName: string): string {
  if (!url.startsWith('nm:')) return url || `(${functionName || 'native'})`;
  return url.split('/').slice(0, url.startsWith('nm:@') ? 2 : 1).join('/');
}

const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);

/** Self time (µs) per module and function of the samples between `fromUs` and `toUs` (profile clock). */
export function summarise(p: CpuProfile, window: { lastS?: number; skipEndS?: number } = {}): ProfileSummary {
  const times: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) times.push((t += d));
  const toUs = (times.at(-1) ?? t) - (window.skipEndS ?? 0) * 1e6;
  const fromUs = window.lastS === undefined ? -Infinity : toUs - window.lastS * 1e6;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const [byModule, byFunction] = [new Map<string, number>(), new Map<string, number>()];
  let totalUs = 0;
  p.samples.forEach((id, i) => {
    if (times[i] < fromUs || times[i] > toUs) return;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    const us = p.timeDeltas[i] ?? 0;
    const url = shortUrl(frame.url);
    const fn = `${frame.functionName || '(anon)'} ${url}:${frame.lineNumber + 1}`;
    const mod = moduleOf(url, frame.functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    totalUs += us;
  });
  return { totalUs, byModule: sorted(byModule), byFunction: sorted(byFunction) };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { last: { type: 'string' }, 'skip-end': { type: 'string' } } });
  const [file, top = '30'] = positionals;
  if (!file) {
    console.error('usage: profile-summary FILE [top] [--last S] [--skip-end S]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const s = summarise(profile, { lastS: values.last === undefined ? undefined : Number(values.last), skipEndS: Number(values['skip-end'] ?? 0) });
  const print = (title: string, rows: [string, number][]): void => {
    console.log(`== ${title}`);
    for (const [k, us] of rows.slice(0, Number(top))) console.log(`${((100 * us) / s.totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(`${file}: ${(s.totalUs / 1e6).toFixed(2)} s sampled`);
  print('by module', s.byModule);
  print('by function', s.byFunction);
}

if (require.main === module) main();
