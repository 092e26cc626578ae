/**
 * `acs lint` for workflows: every file of WORKFLOWS_DIR parsed and checked as
 * the engine would load it (fields, step kinds, durations, goto targets,
 * template names, conditions compiled), one file:line:column line per problem.
 */
import path from 'node:path';
import { formatWorkflowError, loadWorkflowsDir } from '../workflows/load';

export interface WorkflowLint {
  lines: string[];
  errors: number;
  workflows: number;
}

export function lintWorkflows(dir: string): WorkflowLint {
  const { workflows, errors } = loadWorkflowsDir(dir);
  const relative = (file: string): string => path.relative(process.cwd(), file) || file;
  return { lines: errors.map((e) => formatWorkflowError({ ...e, file: relative(e.file) })), errors: errors.length, workflows: workflows.length };
}
