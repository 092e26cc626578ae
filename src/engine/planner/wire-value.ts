/**
 * A declared value as the device is sent it, judged against the type of the
 * parameter it is planned for. Scripts are written for many devices, so a
 * value is judged only here, when a declaration meets a parameter the device
 * has: a branch for a path this device lacks is never judged.
 *
 * GenieACS scripts give a number for an xsd:dateTime (`Date.now() % day`):
 * epoch milliseconds, sent as an ISO 8601 date.
 */
import type { XsdType } from '../../cwmp/soap/types';
import type { ScriptValue } from '../../sandbox/types';
import { toWire } from '../../sandbox/values';

export type WireValue = { ok: true; text: string } | { ok: false; problem: string };

const INTEGER_RANGES: Partial<Record<XsdType, [bigint, bigint]>> = {
  'xsd:int': [-(2n ** 31n), 2n ** 31n - 1n],
  'xsd:unsignedInt': [0n, 2n ** 32n - 1n],
  'xsd:long': [-(2n ** 63n), 2n ** 63n - 1n],
  'xsd:unsignedLong': [0n, 2n ** 64n - 1n],
};

const BOOLEAN_TEXTS: ReadonlySet<string> = new Set(['true', 'false', '1', '0']);

export function wireValue(value: ScriptValue, type: XsdType): WireValue {
  const text = toWire(value);
  const refuse = (): WireValue => ({ ok: false, problem: `${JSON.stringify(value)} is not an ${type}` });
  const range = INTEGER_RANGES[type];
  if (range) {
    if (typeof value === 'boolean' || !/^-?\d+$/.test(text.trim())) return refuse();
    const n = BigInt(text.trim());
    return n >= range[0] && n <= range[1] ? { ok: true, text } : refuse();
  }
  switch (type) {
    case 'xsd:boolean':
      return BOOLEAN_TEXTS.has(text.trim().toLowerCase()) ? { ok: true, text } : refuse();
    case 'xsd:dateTime':
      if (typeof value === 'number') {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? refuse() : { ok: true, text: date.toISOString() };
      }
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? { ok: true, text } : refuse();
    default:
      return { ok: true, text };
  }
}
