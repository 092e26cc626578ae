/**
 * A declared value as the device is sent it, judged against the type of the
 * parameter it is planned for, as a task's value is (tasks/values-check.ts).
 * Scripts are written for many devices, so a value is judged only here, when
 * a declaration meets a parameter the device has: a branch for a path this
 * device lacks is never judged.
 *
 * GenieACS scripts give a number for an xsd:dateTime (`Date.now() % day`):
 * epoch milliseconds, sent as an ISO 8601 date.
 */
import type { XsdType } from '../../cwmp/soap/types';
import type { ScriptValue } from '../../sandbox/types';
import { checkValue, type ValueCheck } from '../../tasks/values-check';

export function wireValue(value: ScriptValue, type: XsdType): ValueCheck {
  if (type !== 'xsd:dateTime' || typeof value !== 'number') return checkValue(value, type);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? { ok: false, reason: `${value} ms is outside the dates an xsd:dateTime can hold` } : { ok: true, value: date.toISOString() };
}
