/**
 * Fault 9005 (invalid parameter name) means the device lacks a path the
 * engine asked about: a parameter or object a script declared that this
 * device does not have (a vendor extension, the other root, an optional
 * object), or one the cache believed in that is gone. A GetParameterValues
 * is refused whole for one missing name, so the engine cannot tell which of
 * its names are missing: it lists, for each path concerned, the deepest
 * object above it that the cache knows to exist (a listing that cannot fault
 * for that reason), and the planner then sees what is really there and asks
 * again only for what exists. The paths refused are remembered for the
 * session (`refused`): the planner never asks for them again (reads.ts). The
 * same listing follows a SetParameterValues refused because some parameters
 * are not writable (9008 in its details): it tells which, and the planner
 * leaves them out (the device history names them: `notWritable`). Each
 * object is listed so once per session; a second fault under it is real.
 *
 * Some CPEs answer a GetParameterValues without the names they do not know
 * (an empty list) instead of 9005: names asked for and not returned are taken
 * as that 9005 ({@link omittedOutcome}).
 */
import type { GetParameterValues, ParameterValueStruct } from '../cwmp/soap/types';
import type { Node } from '../sandbox/device-view';
import type { PlannedRequest } from './planner/types';
import { isRefused } from './planner/reads';
import type { ProvisionState, RequestOutcome } from './types';

const RECOVERABLE: ReadonlySet<string> = new Set([
  'GetParameterValues', 'GetParameterNames', 'GetParameterAttributes', 'SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject',
]);

const RECOVERABLE_DETAIL: ReadonlySet<number> = new Set([9005, 9008]);

/** The listings that tell what the refused request was about, or none when the fault is the channel's (not recoverable, or already listed). */
export function recoveryFor(outcome: RequestOutcome, p: Pick<ProvisionState, 'refreshed' | 'refused' | 'notWritable'>, root: Node): PlannedRequest[] {
  const fault = outcome.fault;
  if (!fault || !RECOVERABLE.has(outcome.method)) return [];
  const detail = (fault.detail ?? []).filter((d) => RECOVERABLE_DETAIL.has(d.code));
  const paths = fault.code === 9005 ? outcome.paths : detail.map((d) => d.name);
  if (paths.length === 0 || (fault.detail && detail.length < fault.detail.length)) return [];
  p.refused.push(...(fault.code === 9005 ? paths : detail.filter((d) => d.code === 9005).map((d) => d.name)));
  const objects = new Set(paths.map((path) => knownObjectAbove(root, path, p.refused)));
  if ([...objects].some((o) => p.refreshed.includes(o))) return [];
  p.refreshed.push(...objects);
  const readOnly = detail.filter((d) => d.code === 9008).map((d) => d.name);
  if (readOnly.length > 0) (p.notWritable ??= []).push(...readOnly);
  return [...objects].map((path) => ({ request: { method: 'GetParameterNames', ParameterPath: path, NextLevel: true }, channels: outcome.channels }));
}

/** The deepest object strictly above `path` that the cache holds and the device did not refuse ("" at worst: the root is always there). */
function knownObjectAbove(root: Node, path: string, refused: readonly string[]): string {
  const names = (path.endsWith('.') ? path.slice(0, -1) : path).split('.').slice(0, -1);
  let node = root;
  let known = '';
  for (const name of names) {
    const child = node.children.get(name);
    if (child === undefined || child.row?.kind === 'leaf' || isRefused(refused, `${child.path}.`)) break;
    node = child;
    known = `${child.path}.`;
  }
  return known;
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
