import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, isSet, loadConfig } from '../config/load';
import { createLogger, type Logger } from '../log';
import type { Role, RunningAcs } from '../server';
import { planProcesses, processCounts } from '../roles/processes';

const usage = `usage: acs <command> [options]

commands:
  start [--role cwmp|worker|nbi|webhooks|all] [--processes N|auto [--workers M]]
                                run the ACS (settings from environment variables; see README)
  sim --acs URL --model FILE    simulate CPEs against an ACS (acs sim --help)
  bench [--db mysql|sqlite] [--devices N] [--duration S] [--concurrency N] [--only LETTERS]
                                run the benchmark recipes; appends to BENCHMARKS.md (acs bench --help)
  floor [--port N] [--fan-out]  the benchmark's minimal responders
  lint [--presets DIR] [--provisions DIR]
                                check presets (syntax, events, preconditions, schedules, provisions)
  task DEVICE TYPE [ARGS] [--connection-request] [--timeout MS]
                                create a task for a device, as the REST API does (acs task --help)
  token create --name NAME [--scope read|write|admin] | list | revoke NAME
                                API tokens of the REST API (acs token --help)
  user create --name NAME [--role read|write|admin] [--password-stdin] | list | password NAME | delete NAME
                                web UI users (acs user --help)
  workflow --device ID --workflow NAME [--arg K=V]
                                dry run of a workflow against a device's stored state (acs workflow --help)
  provision --device FILE --preset NAME [--event CODE] [--sessions N --interval SPAN] [--ext FILE.json] [--json]
                                dry run of a preset against a simulated device (acs provision --help)
  import genieacs (--url URL | --dir DIR) [--devices] [--out DIR] [--dry-run]
                                import a GenieACS's presets, provisions, virtual parameters, tags (acs import --help)
  help                          show this text
  --version                     print the version

acs <command> --help shows a command's options and runs nothing.`;

const startUsage = `usage: acs start [--role cwmp|worker|nbi|webhooks|all] [--processes N|auto [--workers M]]

Runs the ACS with the settings of its environment variables (README, "Configuration").
  --role all      CWMP server, engine worker and REST API in one process (default)
  --role cwmp     only the CPE-facing server (any number behind a load balancer)
  --role worker   only the provisioning engine's worker (and webhook deliveries, unless WORKER_DELIVERS_WEBHOOKS=false)
  --role nbi      only the REST API
  --role webhooks only webhook deliveries, at the idle CPU policy (WEBHOOK_SCHEDULING) or on hosts of their own
  --processes N   several processes on this machine, restarted when they die: with role all, N CWMP front ends
                  (sharing CWMP_PORT and FS_PORT), M engine workers, one REST API process and one webhooks
                  process (with workers); with role cwmp or
                  worker, N of that role. auto: one front end per core. Needs a MySQL/MariaDB DATABASE_URL
  --workers M     engine workers beside the N front ends (role all; default: N/2, at least 1; 0: workers run elsewhere)
A database or Redis that does not answer is retried for STARTUP_RETRY_MS, then the process exits non-zero.`;

const floorUsage = `usage: acs floor [--port N] [--fan-out]

The benchmark's minimal CWMP responder (no storage, no Redis): answers an Inform and an empty POST.
  --fan-out   the floor of scenario (d) instead: also a REST API taking a setParameterValues task with
              ?connection_request, which it sends in the device's session (port N + REST API on a free port)`;

/** A command: its help, and what it runs. */
interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

// Each command's modules are loaded when it is asked for: loading all of them (the server, TypeORM, BullMQ,
// the simulator...) took ~0.9 s of every `acs` invocation, `acs --help` included. `require` rather than
// import(): the tests run these sources through tsx's CommonJS hook.
const commands: Record<string, () => Command> = {
  start: () => ({ usage: startUsage, run: start }),
  sim: () => {
    const m = require('../sim/cli') as typeof import('../sim/cli');
    return { usage: m.simUsage, run: m.runSim };
  },
  bench: () => {
    const m = require('../bench/run') as typeof import('../bench/run');
    return { usage: m.benchUsage, run: m.runBench };
  },
  floor: () => ({ usage: floorUsage, run: (args) => (require('../bench/floor') as typeof import('../bench/floor')).runFloor(args) }),
  lint: () => {
    const m = require('../lint/cli') as typeof import('../lint/cli');
    return { usage: m.lintUsage, run: m.runLint };
  },
  provision: () => {
    const m = require('../engine/dry-run-cli') as typeof import('../engine/dry-run-cli');
    return { usage: m.provisionUsage, run: m.runProvision };
  },
  import: () => {
    const m = require('../import/cli') as typeof import('../import/cli');
    return { usage: m.importUsage, run: m.runImportCommand };
  },
  task: () => {
    const m = require('../tasks/cli') as typeof import('../tasks/cli');
    return { usage: m.taskUsage, run: m.runTask };
  },
  token: () => {
    const m = require('../nbi/auth/cli') as typeof import('../nbi/auth/cli');
    return { usage: m.tokenUsage, run: m.runToken };
  },
  user: () => {
    const m = require('../nbi/auth/user-cli') as typeof import('../nbi/auth/user-cli');
    return { usage: m.userUsage, run: m.runUser };
  },
  workflow: () => {
    const m = require('../workflows') as typeof import('../workflows');
    return { usage: m.workflowUsage, run: m.runWorkflowDryRun };
  },
};

function version(): string {
  // dist/bin/acs.js and src/bin/acs.ts are both two levels below the package root.
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

interface StartArgs {
  role: Role;
  /** --processes and --workers; null: one process. */
  counts: ReturnType<typeof processCounts>;
}

function parseStart(args: string[]): StartArgs {
  let values: { role?: string; processes?: string; workers?: string };
  try {
    ({ values } = parseArgs({ args, options: { role: { type: 'string' }, processes: { type: 'string' }, workers: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw new ConfigError(`start: ${(err as Error).message} (acs start --help)`);
  }
  const role = values.role ?? 'all';
  if (role !== 'cwmp' && role !== 'worker' && role !== 'nbi' && role !== 'webhooks' && role !== 'all') throw new ConfigError(`--role ${role}: expected cwmp, worker, nbi, webhooks or all`);
  return { role, counts: processCounts(values.processes, values.workers) };
}

/** Anything thrown outside a request (a bug) ends the process with one JSON log line, never a bare stack trace. */
function logFatal(log: Logger): void {
  const die = (err: unknown): void => {
    log.fatal({ err }, 'unexpected error: stopping');
    process.exit(1);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

function closeAndExit(acs: RunningAcs, log: Logger): void {
  acs.close().then(
    () => process.exit(0),
    (err) => {
      log.error({ err }, 'stop failed');
      process.exit(1);
    },
  );
}

/** Signals are handled from the first moment: a stop during start-up ends its retries and closes what was opened. */
function stopOnSignals(log: Logger, stop: () => void): AbortSignal {
  const starting = new AbortController();
  const onSignal = (signal: string): void => {
    if (starting.signal.aborted) return;
    log.info({ signal }, 'stopping');
    starting.abort();
    stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return starting.signal;
}

async function start(args: string[]): Promise<void> {
  const { role, counts } = parseStart(args);
  const config = loadConfig();
  // A child of `--processes` says which role it runs on every line (pino adds the pid).
  const member = cluster.isWorker;
  const log = member ? createLogger(config.logLevel).child({ role }) : createLogger(config.logLevel);
  logFatal(log);
  const redisUrlIsDefault = !isSet('redisUrl');
  if (counts) {
    const { runPrimary } = require('../roles/cluster') as typeof import('../roles/cluster');
    const plan = planProcesses(role, counts);
    // The primary forwards the signal to its children and returns once they all exited.
    const signal = stopOnSignals(log, () => undefined);
    await runPrimary(plan, role, config, log, { redisUrlIsDefault, signal });
    process.exit(0);
  }
  let acs: RunningAcs | null = null;
  const signal = stopOnSignals(log, () => acs && closeAndExit(acs, log));
  const { startAcs } = require('../server') as typeof import('../server');
  const { reportStarted } = require('../roles/cluster') as typeof import('../roles/cluster');
  acs = await startAcs(config, log, role, { redisUrlIsDefault, signal, member });
  // Asked to stop while a start-up step that does not wait (migrations, listening) was running.
  if (signal.aborted) return closeAndExit(acs, log);
  reportStarted(acs);
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') return void console.log(version());
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return void console.log(usage);
  const command = Object.hasOwn(commands, name) ? commands[name]() : undefined;
  if (!command) {
    console.error(`acs: unknown command "${name}"\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) return void console.log(command.usage);
  return command.run(rest);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`acs: ${err.message}`);
  process.exit(1);
});
