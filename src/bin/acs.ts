import { ConfigError, loadConfig } from '../config/load';
import { createLogger } from '../log';
import { startAcs, type Role } from '../server';
import { runSim } from '../sim/cli';
import { runBench } from '../bench/run';
import { runFloor } from '../bench/floor';
import { runLint } from '../lint/cli';
import { runProvision } from '../engine/dry-run-cli';

const usage = `usage: acs <command> [options]

commands:
  start [--role cwmp|worker|nbi|all]   run the ACS (settings from environment variables; see README)
  sim --acs URL --model FILE    simulate CPEs against an ACS (acs sim --help)
  bench [--db mysql|sqlite] [--devices N] [--duration S] [--concurrency N]
                                run the benchmark recipes; appends to BENCHMARKS.md
  floor [--port N]              the benchmark's minimal CWMP responder
  lint [--presets DIR] [--provisions DIR]
                                check presets (syntax, events, preconditions, schedules, provisions)
  provision --device FILE --preset NAME [--event CODE] [--presets DIR] [--provisions DIR] [--cached] [--json]
                                dry run of a preset against a simulated device (acs provision --help)
  help                          show this text`;

function parseRole(args: string[]): Role {
  const i = args.indexOf('--role');
  const role = i >= 0 ? args[i + 1] : 'all';
  if (role !== 'cwmp' && role !== 'worker' && role !== 'nbi' && role !== 'all') throw new ConfigError(`--role ${role}: expected cwmp, worker, nbi or all`);
  return role;
}

async function start(args: string[]): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const acs = await startAcs(config, log, parseRole(args));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    acs.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') return start(rest);
  if (command === 'sim') return runSim(rest);
  if (command === 'bench') return runBench(rest);
  if (command === 'floor') return runFloor(rest);
  if (command === 'lint') return runLint(rest);
  if (command === 'provision') return runProvision(rest);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return;
  }
  console.error(`acs: unknown command "${command}"\n${usage}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`acs: ${err.message}`);
  process.exit(1);
});
