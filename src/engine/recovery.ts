/**
 * Fault 9005 (invalid parameter name) on a read or write means the cache
 * believed in a path the device does not have: list the parents of the paths
 * concerned again, so the planner sees what is really there. The same for a
 * SetParameterValues refused because some parameters are not writable (9008
 * in its details): the listing tells which, and the planner leaves them out.
 * Each parent is listed once per session; a second fault under it is real.
 */
import type { PlannedRequest } from './planner/types';
import { parentObject } from './planner/reads';
import type { RequestOutcome } from './types';

const RECOVERABLE: ReadonlySet<string> = new Set([
  'GetParameterValues', 'GetParameterNames', 'GetParameterAttributes', 'SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject',
]);

const RECOVERABLE_DETAIL: ReadonlySet<number> = new Set([9005, 9008]);

export function recoveryFor(outcome: RequestOutcome, refreshed: string[]): PlannedRequest[] {
  const fault = outcome.fault;
  if (!fault || !RECOVERABLE.has(outcome.method)) return [];
  const detail = (fault.detail ?? []).filter((d) => RECOVERABLE_DETAIL.has(d.code));
  const paths = fault.code === 9005 ? outcome.paths : detail.map((d) => d.name);
  if (paths.length === 0 || (fault.detail && detail.length < fault.detail.length)) return [];
  const parents = new Set(paths.map((p) => parentObject(p.endsWith('.') ? p.slice(0, -1) : p)));
  if ([...parents].some((p) => refreshed.includes(p))) return [];
  refreshed.push(...parents);
  return [...parents].map((path) => ({ request: { method: 'GetParameterNames', ParameterPath: path, NextLevel: true }, channels: outcome.channels }));
}
