/**
 * Fault 9005 (invalid parameter name) on a read or write means the cache
 * believed in a path the device no longer has: list the parents of the paths
 * concerned again, so the planner sees what is really there. Each parent is
 * listed once per session; a second 9005 under it is a real fault.
 */
import type { PlannedRequest } from './planner/types';
import { parentObject } from './planner/reads';
import type { RequestOutcome } from './types';

const RECOVERABLE: ReadonlySet<string> = new Set([
  'GetParameterValues', 'GetParameterNames', 'GetParameterAttributes', 'SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject',
]);

export function recoveryFor(outcome: RequestOutcome, refreshed: string[]): PlannedRequest[] {
  if (outcome.fault?.code !== 9005 || !RECOVERABLE.has(outcome.method)) return [];
  const parents = new Set(outcome.paths.map((p) => parentObject(p.endsWith('.') ? p.slice(0, -1) : p)));
  if ([...parents].some((p) => refreshed.includes(p))) return [];
  refreshed.push(...parents);
  return [...parents].map((path) => ({ request: { method: 'GetParameterNames', ParameterPath: path, NextLevel: true }, channels: outcome.channels }));
}
