/**
 * Fault 9005 (invalid parameter name) on a read or write means the cache
 * believed in a path the device does not have: list the parents of the paths
 * concerned again, so the planner sees what is really there. The same for a
 * SetParameterValues refused because some parameters are not writable (9008
 * in its details): the listing tells which, and the planner leaves them out.
 * Each parent is listed once per session; a second fault under it is real.
 *
 * Some CPEs answer a GetParameterValues without the names they do not know
 * (an empty list) instead of 9005: names asked for and not returned are taken
 * as that 9005 ({@link omittedOutcome}), so their parents are listed once and
 * the names are then known absent rather than asked again every round.
 */
import type { GetParameterValues, ParameterValueStruct } from '../cwmp/soap/types';
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

/**
 * The outcome of a GetParameterValues that left out some of the parameters
 * asked for, as the 9005 a compliant CPE would have sent; null when every one
 * was answered. Objects asked for ("X.") are not judged: they may be empty.
 */
export function omittedOutcome(request: GetParameterValues, returned: readonly ParameterValueStruct[], channels: string[]): RequestOutcome | null {
  const names = new Set(returned.map((p) => p.Name));
  const omitted = request.ParameterNames.filter((n) => n !== '' && !n.endsWith('.') && !names.has(n));
  if (omitted.length === 0) return null;
  const message = `names asked for and not returned (taken as 9005): ${omitted.slice(0, 5).join(', ')}${omitted.length > 5 ? ', …' : ''}`;
  return { method: 'GetParameterValues', channels, paths: omitted, fault: { code: 9005, message } };
}
