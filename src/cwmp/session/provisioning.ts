/**
 * A session's side of provisioning: when the device's queue runs
 * dry, ask the engine for the next round; when an engine request is
 * answered, tell the engine how it went (and finish what the engine attached
 * to it: alias keys of a new instance, the read of a listing's instances,
 * records of actions).
 */
import type { AddObjectResponse, CpeResponse, Fault, ParameterInfoStruct, ParameterValueStruct } from '../soap/types';
import type { FollowUp } from '../../engine/planner/types';
import type { StepOutput } from '../../engine/step';
import { omittedOutcome } from '../../engine/recovery';
import type { RequestOutcome } from '../../engine/types';
import type { SessionDeps } from './context';
import type { InFlightRequest, QueuedRequest, SessionLogEntry, SessionState } from './state';

/**
 * Runs the next engine round into `state`: its requests join the queue, and
 * the entries it returns are the log still to save (`log` was saved first,
 * because the worker reads the session from Redis). null: the session ended
 * meanwhile. Provisioning that cannot go on is marked done.
 */
export async function nextEngineRound(deps: SessionDeps, state: SessionState, log: SessionLogEntry[]): Promise<SessionLogEntry[] | null> {
  const p = state.provision;
  if (!p || p.done) return log;
  if (!deps.provisioning) {
    p.done = true;
    return log;
  }
  if (!(await deps.sessions.save(state, log))) return null;
  const output = await deps.provisioning.step(state);
  if (!output) {
    p.done = true;
    return [{ t: 'history', entry: { time: Date.now(), kind: 'provision-interrupted', detail: { step: p.steps }, sessionId: state.id } }];
  }
  return takeStepOutput(state, output);
}

/**
 * An engine step's answer taken into the session: its requests join the
 * queue, and a step that asks for nothing ends provisioning. Returns the log
 * entries the step made (its cache ops are already in the worker's table).
 */
export function takeStepOutput(state: SessionState, output: StepOutput): SessionLogEntry[] {
  state.provision = output.provision;
  state.queue.push(...output.requests);
  if (output.requests.length === 0) state.provision.done = true;
  return output.log;
}

/**
 * Log entries and follow-up requests for an answered engine request. Only a
 * fault, or a GetParameterValues that left out names asked for, is reported
 * back to the engine (as an outcome): what a success taught is in the session
 * log already.
 */
export function engineAnswer(state: SessionState, sent: InFlightRequest, msg: CpeResponse | Fault, time: number): SessionLogEntry[] {
  const meta = sent.engine;
  if (!meta || !state.provision) return [];
  if (msg.method === 'Fault') {
    const outcome: RequestOutcome = { method: sent.request.method, channels: meta.channels, paths: pathsOf(sent) };
    if (meta.paramChannels) outcome.paramChannels = meta.paramChannels;
    if (meta.aliasKeys) outcome.aliasKeys = true;
    outcome.fault = { code: msg.FaultCode, message: msg.FaultString };
    if (msg.SetParameterValuesFault) outcome.fault.detail = msg.SetParameterValuesFault.map((f) => ({ name: f.ParameterName, code: f.FaultCode }));
    state.provision.outcomes.push(outcome);
    return [];
  }
  if (msg.method === 'GetParameterValuesResponse' && sent.request.method === 'GetParameterValues') {
    const omitted = omittedOutcome(sent.request, msg.ParameterList, meta.channels);
    if (omitted) state.provision.outcomes.push(omitted);
  }
  if (msg.method === 'AddObjectResponse' && sent.request.method === 'AddObject' && meta.keys?.length) {
    setKeys(state, sent.request.ObjectName, msg, meta.keys, meta.channels, sent.request.ParameterKey);
  }
  if (msg.method === 'GetParameterNamesResponse' && sent.request.method === 'GetParameterNames' && meta.then) {
    readListed(state, sent.request.ParameterPath, msg.ParameterList, meta.then, meta.channels);
  }
  return meta.record ? [{ t: 'op', op: { op: 'values', parameters: meta.record, time } }] : [];
}

/**
 * A new instance's alias keys are set right after the round's AddObjects, in
 * one SetParameterValues for all the instances of the round (two keyed
 * instances cost three RPCs, not four). It stays apart from the round's other
 * values: if one of those is refused, the new instances still get their keys
 * and are found next time rather than added again.
 */
function setKeys(state: SessionState, object: string, response: AddObjectResponse, keys: ParameterValueStruct[], channels: string[], parameterKey: string): void {
  const base = `${object}${response.InstanceNumber}.`;
  const list = keys.map((k) => ({ ...k, Name: base + k.Name }));
  const pending = state.queue.find((q) => q.engine?.aliasKeys && q.request.method === 'SetParameterValues');
  const owners = Object.fromEntries(list.map((k) => [k.Name, channels]));
  if (pending?.engine && pending.request.method === 'SetParameterValues') {
    pending.request = { ...pending.request, ParameterList: [...pending.request.ParameterList, ...list] };
    pending.engine.channels = [...new Set([...pending.engine.channels, ...channels])];
    pending.engine.paramChannels = { ...pending.engine.paramChannels, ...owners };
    return;
  }
  const lastAdd = state.queue.findLastIndex((q) => q.engine !== undefined && q.request.method === 'AddObject');
  const request: QueuedRequest = {
    id: null,
    request: { method: 'SetParameterValues', ParameterList: list, ParameterKey: parameterKey },
    engine: { channels, aliasKeys: true, paramChannels: owners },
  };
  // Counted within the session's RPC budget when the AddObjects were planned (engine/step.ts rpcsOf).
  state.queue.splice(lastAdd + 1, 0, request);
}

/**
 * The read the engine attached to a listing (`then`): the names under each
 * object it returned, in one GetParameterValues for every listing of the
 * round, sent after the last of them. It is the read the next engine step
 * would have planned (planner/reads.ts followUpOf), made without that step;
 * the device's answer (or fault) is taken as that step's read's would be.
 */
function readListed(state: SessionState, object: string, listed: readonly ParameterInfoStruct[], then: FollowUp, channels: string[]): void {
  const bases = listedChildren(object, listed, then.leaves);
  const names = then.names.flatMap((name) => bases.map((base) => `${base}.${name}`));
  if (names.length === 0) return;
  const pending = state.queue.find((q) => q.engine?.followUp && q.request.method === 'GetParameterValues');
  if (pending?.engine && pending.request.method === 'GetParameterValues') {
    pending.request = { ...pending.request, ParameterNames: [...new Set([...pending.request.ParameterNames, ...names])] };
    pending.engine.channels = [...new Set([...pending.engine.channels, ...channels])];
    return;
  }
  const lastListing = state.queue.findLastIndex((q) => q.engine?.then !== undefined && q.request.method === 'GetParameterNames');
  const request: QueuedRequest = { id: null, request: { method: 'GetParameterValues', ParameterNames: names }, engine: { channels, followUp: true } };
  state.queue.splice(lastListing + 1, 0, request);
  if (state.provision) state.provision.rpcs++; // within the session's RPC budget like the engine's own
}

/** The paths of the objects (and, with `leaves`, parameters) right under `object` in a listing's answer, as the cache orders them. */
function listedChildren(object: string, listed: readonly ParameterInfoStruct[], leaves: boolean): string[] {
  const out = new Set<string>();
  for (const { Name } of listed) {
    if (!Name.startsWith(object)) continue;
    const rest = Name.slice(object.length);
    const isObject = rest.endsWith('.');
    const name = isObject ? rest.slice(0, -1) : rest;
    if (name === '' || name.includes('.') || (!isObject && !leaves)) continue;
    out.add(name);
  }
  return [...out].sort(compareNames).map((name) => object + name);
}

/** Instance numbers in numeric order first, then names (as the cache's tree lists children). */
function compareNames(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function pathsOf(sent: InFlightRequest): string[] {
  const r = sent.request;
  switch (r.method) {
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return r.ParameterNames;
    case 'GetParameterNames':
      return [r.ParameterPath];
    case 'SetParameterValues':
    case 'SetParameterAttributes':
      return r.ParameterList.map((x) => x.Name);
    case 'AddObject':
    case 'DeleteObject':
      return [r.ObjectName];
    default:
      return [];
  }
}

export type { CpeResponse };
