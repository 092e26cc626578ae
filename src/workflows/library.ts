/**
 * The workflows of WORKFLOWS_DIR, read from disk when asked (files are small;
 * an edit applies to runs started after it: a run keeps the definition it
 * started with).
 */
import path from 'node:path';
import { AcsError } from '../errors';
import { loadWorkflowFile, loadWorkflowsDir, parseWorkflowData, WORKFLOW_NAME, formatWorkflowError } from './load';
import type { WorkflowDef } from './types';

export class WorkflowLibrary {
  constructor(readonly dir: string) {}

  list(): WorkflowDef[] {
    return loadWorkflowsDir(this.dir).workflows;
  }

  /** The named workflow; ACS_ERR_BAD_REQUEST (field "workflow") when unknown or invalid. */
  get(name: string): WorkflowDef {
    if (!WORKFLOW_NAME.test(name)) throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow: not a workflow name: ${JSON.stringify(name)}`);
    for (const ext of ['.yaml', '.yml']) {
      const r = loadWorkflowFile(path.join(this.dir, name + ext));
      if (r.ok) return r.workflow;
      if (!r.errors.every((e) => e.message.startsWith('cannot read'))) {
        throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow: ${name} is invalid: ${r.errors.map(formatWorkflowError).join('; ')}`);
      }
    }
    throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow: no workflow named ${JSON.stringify(name)} in ${this.dir}`);
  }

  /** An inline definition (same format as a file). */
  inline(name: string, definition: unknown): WorkflowDef {
    if (!WORKFLOW_NAME.test(name)) throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow.name: not a workflow name: ${JSON.stringify(name)}`);
    const r = parseWorkflowData(name, definition);
    if (!r.ok) throw new AcsError('ACS_ERR_BAD_REQUEST', `workflow.definition: ${r.errors.map((e) => e.message).join('; ')}`);
    return r.workflow;
  }
}

/** The run's args: declared ones only, required ones present, defaults filled in. */
export function checkArgs(def: WorkflowDef, given: unknown): Record<string, unknown> {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', 'args must be an object');
  }
  const args = (given ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(args)) {
    if (!Object.hasOwn(def.args, k)) throw new AcsError('ACS_ERR_BAD_REQUEST', `args.${k}: workflow ${def.name} takes no such argument (${Object.keys(def.args).join(', ') || 'none'})`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.args)) {
    if (args[k] !== undefined && args[k] !== null) out[k] = args[k];
    else if (spec.default !== undefined) out[k] = spec.default;
    else if (spec.required) throw new AcsError('ACS_ERR_BAD_REQUEST', `args.${k} is required by workflow ${def.name}`);
  }
  return out;
}
