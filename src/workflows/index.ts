export { startWorkflowEngine, createWorkflowRunner } from './engine';
export type { EngineOptions, WorkflowOptions, RunningEngine, RunningRunner } from './engine';
export { workflowRoutes } from './routes';
export { WorkflowLibrary, checkArgs } from './library';
export { parseWorkflow, parseWorkflowData, loadWorkflowsDir, formatWorkflowError } from './load';
export type { WorkflowError } from './load';
export * from './types';
export { dryRunWorkflow, type DryRunLine } from './dry-run';
export { runWorkflowDryRun, workflowUsage } from './dry-run-cli';
