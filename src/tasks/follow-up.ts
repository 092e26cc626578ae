/**
 * What a task does after each answer of the CPE: most tasks are one RPC and
 * are done with its response; two take a second one.
 * - refreshObject: GetParameterNames (NextLevel false) → GetParameterValues of
 *   the leaves found (names not ending in "."); no leaves, done.
 * - addObject with parameterValues: AddObject → SetParameterValues on the new
 *   instance, "<objectName><InstanceNumber>.<relative name>".
 * Pure: no I/O, no clock. Faults are the session's business, not this file's.
 */
import type { AddObjectResponse, CpeRequest, CpeResponse, SetParameterValues } from '../cwmp/soap/types';
import { AcsError } from '../errors';
import { valueStructs, type Triple } from './paths';
import type { TaskRef } from './types';

/**
 * The task's next request with the answers its result will need (carried by
 * the session and kept with the task at each commit: only what is needed, a
 * GetParameterNames listing is not), or the task's result.
 */
export type FollowUp = { next: CpeRequest; earlier: CpeResponse[] } | { result: unknown };

/** addObject's result: the AddObjectResponse, and with parameterValues the SetParameterValuesResponse's Status. */
export interface AddObjectResult {
  InstanceNumber: number;
  /** AddObject's Status (1: the object is created but applied only after a reboot). */
  Status: 0 | 1;
  setStatus?: 0 | 1;
}

/**
 * The next request of `task` after the CPE answered `sent` with `response`,
 * or the task's result. `earlier` holds the previous responses the task kept
 * (only addObject with parameterValues keeps one: its result's Status is
 * AddObject's; without it, that Status is the SetParameterValues one).
 * Throws ACS_ERR_INTERNAL when `response` does not answer `sent` (a caller's bug).
 */
export function followUp(task: TaskRef, sent: CpeRequest, response: CpeResponse, earlier: readonly CpeResponse[] = []): FollowUp {
  if (response.method !== `${sent.method}Response`) {
    throw new AcsError('ACS_ERR_INTERNAL', `task ${task.id}: ${response.method} does not answer ${sent.method}`);
  }
  if (task.name === 'refreshObject' && response.method === 'GetParameterNamesResponse') {
    const leaves = response.ParameterList.map((p) => p.Name).filter((n) => !n.endsWith('.'));
    return leaves.length === 0 ? { result: { ParameterList: [] } } : { next: { method: 'GetParameterValues', ParameterNames: leaves }, earlier: [] };
  }
  if (task.name === 'addObject' && response.method === 'AddObjectResponse') return afterAddObject(task, response);
  if (task.name === 'addObject' && response.method === 'SetParameterValuesResponse' && sent.method === 'SetParameterValues') {
    const added = earlier.find((r): r is AddObjectResponse => r.method === 'AddObjectResponse');
    const result: AddObjectResult = {
      InstanceNumber: instanceOf(task, sent),
      Status: added?.Status ?? response.Status,
      setStatus: response.Status,
    };
    return { result };
  }
  const { method: _method, ...result } = response;
  return { result };
}

function afterAddObject(task: TaskRef, response: AddObjectResponse): FollowUp {
  const values = task.args.parameterValues as Triple[] | undefined;
  if (values === undefined || values.length === 0) {
    const result: AddObjectResult = { InstanceNumber: response.InstanceNumber, Status: response.Status };
    return { result };
  }
  const prefix = `${String(task.args.objectName)}${response.InstanceNumber}.`;
  const next: SetParameterValues = {
    method: 'SetParameterValues',
    ParameterList: valueStructs(values, prefix),
    ParameterKey: String(task.args.parameterKey ?? ''),
  };
  return { next, earlier: [response] };
}

/** The instance the SetParameterValues went to: the segment after objectName in its first name. */
function instanceOf(task: TaskRef, sent: SetParameterValues): number {
  const objectName = String(task.args.objectName);
  const first = sent.ParameterList[0]?.Name ?? '';
  return Number(first.slice(objectName.length).split('.')[0]);
}
