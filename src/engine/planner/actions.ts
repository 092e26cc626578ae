/**
 * Actions as desired state. The cache keeps what the ACS did to the device
 * under synthetic paths (they are never sent to the device):
 *
 *   Reboot, FactoryReset      when the device last accepted the request (xsd:dateTime)
 *   Downloads.N.FileType / FileName / URL / Time    a Download the device accepted
 *   Uploads.N.FileType / URL / Time                 an Upload the device accepted
 *
 * `declare('Reboot', null, { value: t })` wants the device rebooted at or after
 * t: met when the last request, or the device's last boot (stored, or reported
 * by this session), is that recent. The records survive a BOOTSTRAP (see
 * model/action-records.ts), and a reset is judged by the stored last bootstrap
 * too, so an action is done once however the sessions after it go. `declare('Downloads.[FileType:...,FileName:...,URL:...]', {path: 1}, { instances: 1 })`
 * wants that file downloaded once: met when such a record exists.
 */
import type { ParameterValueStruct } from '../../cwmp/soap/types';
import type { EpochMs } from '../../db/types';
import { ACTION_ROOTS } from '../../model/action-records';
import type { Node } from '../../sandbox/device-view';
import { filtersMatch } from '../../sandbox/device-view';
import type { PathSegment } from '../../sandbox/path-pattern';
import type { Declaration } from '../../sandbox/types';
import type { PlanContext, PlannedRequest } from './types';

export { ACTION_ROOTS };

export interface ActionContext extends PlanContext {
  /** Event codes of the session's Inform. */
  events: readonly string[];
  informTime: EpochMs;
  /** The device's last boot and last bootstrap as stored (0: never seen), whatever the session's own events. */
  lastBoot?: EpochMs;
  lastBootstrap?: EpochMs;
  /** Record numbers taken by the transfers planned so far in this round, per kind. */
  slots?: Map<string, number>;
}

export function planAction(root: Node, d: Declaration, segments: PathSegment[], channel: string, ctx: ActionContext): PlannedRequest | null {
  const head = segments[0];
  if (head.kind !== 'name') return null;
  switch (head.name) {
    case 'Reboot':
      return planReboot(root, d, channel, ctx);
    case 'FactoryReset':
      return planFactoryReset(root, d, channel, ctx);
    case 'Downloads':
    case 'Uploads':
      return planTransfer(root, head.name, d, segments, channel, ctx);
    default:
      return null;
  }
}

/** The time an action is wanted since; a time still to come is not due yet (no request now could meet it). */
function wantedTime(d: Declaration): EpochMs | null {
  const v = d.values.value?.[0];
  if (v === undefined || v === false) return null;
  if (v === true) return Infinity;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) || t === Infinity ? t : null;
}

function lastTime(root: Node, name: string): EpochMs {
  const value = root.children.get(name)?.row?.value;
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function record(name: string, time: EpochMs): ParameterValueStruct[] {
  return [{ Name: name, Value: new Date(time).toISOString(), type: 'xsd:dateTime' }];
}

function planReboot(root: Node, d: Declaration, channel: string, ctx: ActionContext): PlannedRequest | null {
  const want = wantedTime(d);
  const bootedNow = ctx.events.some((e) => e === '1 BOOT' || e === 'M Reboot' || e === '0 BOOTSTRAP') ? ctx.informTime : 0;
  const booted = Math.max(bootedNow, ctx.lastBoot ?? 0, ctx.lastBootstrap ?? 0);
  // `true` means "once in this session": met by the request of this session only.
  const since = want === Infinity ? ctx.now : want;
  if (since === null || since > ctx.now || Math.max(booted, lastTime(root, 'Reboot')) >= since) return null;
  return { request: { method: 'Reboot', CommandKey: `reboot-${ctx.now}` }, channels: [channel], record: record('Reboot', ctx.now) };
}

function planFactoryReset(root: Node, d: Declaration, channel: string, ctx: ActionContext): PlannedRequest | null {
  const want = wantedTime(d);
  const since = want === Infinity ? ctx.now : want;
  const reset = Math.max(ctx.events.includes('0 BOOTSTRAP') ? ctx.informTime : 0, ctx.lastBootstrap ?? 0);
  if (since === null || since > ctx.now || Math.max(reset, lastTime(root, 'FactoryReset')) >= since) return null;
  return { request: { method: 'FactoryReset' }, channels: [channel], record: record('FactoryReset', ctx.now) };
}

/** Filter keys that are credentials: used for the transfer, never stored in its record nor matched against it. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['Username', 'Password']);

/**
 * A Download/Upload is wanted when no record with the declared keys exists and
 * `instances` asks for one. Each transfer of a round takes the next free
 * record number (`slots`, shared by the round) and its own CommandKey.
 */
function planTransfer(root: Node, kind: 'Downloads' | 'Uploads', d: Declaration, segments: PathSegment[], channel: string, ctx: ActionContext): PlannedRequest | null {
  const filter = segments[1];
  const wanted = d.values.instances;
  const min = wanted === undefined ? 0 : typeof wanted === 'number' ? wanted : wanted[0];
  if (segments.length !== 2 || filter.kind !== 'alias' || min < 1) return null;
  const records = root.children.get(kind);
  const stored = filter.filters.filter((f) => !SECRET_KEYS.has(f.key.join('.')));
  const done = records ? [...records.children.values()].filter((r) => filtersMatch(r, stored)).length : 0;
  if (done >= 1) return null;
  const keys = Object.fromEntries(filter.filters.map((f) => [f.key.join('.'), f.value]));
  const n = nextSlot(ctx, kind, records);
  const base = `${kind}.${n}.`;
  const fields = [...stored.map((f): [string, string] => [f.key.join('.'), f.value]), ['Time', new Date(ctx.now).toISOString()]];
  const rec = fields.map(([k, v]) => ({ Name: base + k, Value: v, type: k === 'Time' ? ('xsd:dateTime' as const) : ('xsd:string' as const) }));
  const commandKey = `${kind === 'Downloads' ? 'dl' : 'ul'}-${ctx.now}-${n}`;
  const fileType = keys.FileType ?? '';
  const url = keys.URL ?? '';
  const request = kind === 'Downloads'
    ? {
        method: 'Download' as const, CommandKey: commandKey, FileType: fileType, URL: url, Username: keys.Username ?? '',
        Password: keys.Password ?? '', FileSize: Number(keys.FileSize ?? 0) || 0, TargetFileName: keys.FileName ?? '',
        DelaySeconds: 0, SuccessURL: '', FailureURL: '',
      }
    : { method: 'Upload' as const, CommandKey: commandKey, FileType: fileType, URL: url, Username: keys.Username ?? '', Password: keys.Password ?? '', DelaySeconds: 0 };
  return { request, channels: [channel], record: rec };
}

/** The next record number of `kind` not used by the cache nor by a transfer planned earlier in this round. */
function nextSlot(ctx: ActionContext, kind: string, records: Node | undefined): number {
  const used = Math.max(0, ...[...(records?.children.keys() ?? [])].map(Number).filter(Number.isFinite));
  const n = Math.max(used, ctx.slots?.get(kind) ?? 0) + 1;
  ctx.slots?.set(kind, n);
  return n;
}
