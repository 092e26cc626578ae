/**
 * `npm run soak [-- --minutes N --devices N ...]`: the soak (run.ts), its
 * result printed and appended to BENCHMARKS.md; exit code 1 when it fails.
 * Never part of `npm test`: it loads the machine for its whole length.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL } from '../bench/run';
import { soakMarkdown } from './report';
import { runSoak, type SoakOptions } from './run';

const REPO = path.resolve(__dirname, '../..');

const usage = `usage: npm run soak -- [--minutes N] [--devices N] [--interval S] [--cr-per-minute N] [--concurrency N] [--model FILE] [--no-write]

Runs an ACS (3 processes, MariaDB on 127.0.0.1:3306 as root, database acs_soak; a redis-server of its own)
under a simulated fleet and samples its memory every 10 s. Passes when, after the first minute, no ACS
process's RSS nor Redis's used_memory grows more than 10 %, and nothing failed.
  --minutes N         length (default 10; at least 3)
  --devices N         simulated devices (default 5000)
  --interval S        PeriodicInformInterval of every device (default 60)
  --cr-per-minute N   tasks with a connection request per minute (default 10)
  --concurrency N     sessions the simulator runs at once at most (default 200)
  --no-write          print the result without appending it to BENCHMARKS.md`;

const options = {
  minutes: { type: 'string', default: '10' },
  devices: { type: 'string', default: '5000' },
  interval: { type: 'string', default: '60' },
  'cr-per-minute': { type: 'string', default: '10' },
  concurrency: { type: 'string', default: '200' },
  model: { type: 'string', default: DEFAULT_MODEL },
  'no-write': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

function whole(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name}: a whole number of at least ${min}, not "${text}"`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options, strict: true });
  if (values.help) return void console.log(usage);
  const o: SoakOptions = {
    minutes: whole('minutes', values.minutes, 3),
    devices: whole('devices', values.devices, 10),
    intervalS: whole('interval', values.interval, 10),
    crPerMinute: whole('cr-per-minute', values['cr-per-minute'], 0),
    concurrency: whole('concurrency', values.concurrency, 1),
    model: values.model,
    sampleMs: 10_000,
    maxGrowth: 0.1,
  };
  const result = await runSoak(o);
  const out = soakMarkdown(result);
  console.log(out);
  if (!values['no-write']) appendFileSync(path.join(REPO, 'BENCHMARKS.md'), `\n${out}`);
  process.exitCode = result.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  () => process.exit(),
  (err: Error) => {
    console.error(`soak: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
