/**
 * `acs workflow`: dry run of a workflow against a device of the database.
 * Exit status: 0 the plan ends done, 1 it ends failed, 2 bad input.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { openStore } from '../db';
import { dryRunWorkflow } from './dry-run';
import { checkArgs, WorkflowLibrary } from './library';

export const workflowUsage = `usage: acs workflow --device ID --workflow NAME [--arg NAME=VALUE]... [--workflows DIR] [--json]

Dry run of a workflow against a device as the database (DATABASE_URL) knows it: prints each step
as the engine would carry it out now — tasks with their bodies rendered (not created), waits
(taken as satisfied), switches decided on the stored parameters, outputs — and how the run would
end. Writes nothing.

  --device ID        the device id (as GET /devices lists it)
  --workflow NAME    NAME.yaml in the workflows folder (default WORKFLOWS_DIR, ./workflows)
  --arg NAME=VALUE   an argument (repeat); VALUE is taken as JSON when it parses, else as text
  --json             the steps as JSON`;

function parseArg(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--arg ${text}: expected NAME=VALUE`);
  const raw = text.slice(eq + 1);
  try {
    return [text.slice(0, eq), JSON.parse(raw) as unknown];
  } catch {
    return [text.slice(0, eq), raw];
  }
}

export async function runWorkflowDryRun(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      workflow: { type: 'string' },
      arg: { type: 'string', multiple: true },
      workflows: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.device || !values.workflow) {
    console.error(workflowUsage);
    return void (process.exitCode = 2);
  }
  const config = loadConfig();
  const dir = values.workflows ?? (config as Readonly<Partial<Record<'workflowsDir', string>>>).workflowsDir ?? './workflows';
  let def, args;
  try {
    def = new WorkflowLibrary(dir).get(values.workflow);
    args = checkArgs(def, Object.fromEntries((values.arg ?? []).map(parseArg)));
  } catch (err) {
    console.error(`acs workflow: ${(err as Error).message}`);
    return void (process.exitCode = 2);
  }
  const store = await openStore(config.databaseUrl);
  try {
    const lines = await dryRunWorkflow(def, store, values.device, args);
    if (values.json) console.log(JSON.stringify(lines, null, 2));
    else for (const l of lines) console.log(l.kind === 'end' ? `=> ${l.text}` : `${l.step} [${l.kind}] ${l.text}`);
    process.exitCode = lines[lines.length - 1].text === 'done' ? 0 : 1;
  } finally {
    await store.close();
  }
}
