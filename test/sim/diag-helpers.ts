/**
 * What the diagnostics tests share: the models they run on, and
 * SetParameterValues requests built the way an ACS builds them (each value
 * with the parameter's own xsi:type).
 */
import { strict as assert } from 'node:assert';
import type { ParameterValueStruct, SetParameterValues } from '../../src/cwmp/soap/types';
import type { DiagnosticKind, DiagnosticObject } from '../../src/sim/diagnostics';
import { diagnosticsOf } from '../../src/sim/diagnostics';
import type { BaseModel, DeviceModel } from '../../src/sim/model';
import { eg8145v5, tr098, tr181, xx230v } from '../unit/sim/helpers';

export const MODELS: ReadonlyArray<{ label: string; base: () => BaseModel }> = [
  { label: 'generated tr181 (TR-181 2.17)', base: tr181 },
  { label: 'generated tr098 (TR-098 1.8)', base: tr098 },
  { label: 'XX230v CSV (TR-181)', base: xx230v },
  { label: 'EG8145V5 CSV (TR-098, NSLookup under DNS.Diagnostics)', base: eg8145v5 },
];

export const ALL_KINDS: readonly DiagnosticKind[] = ['IPPing', 'TraceRoute', 'Download', 'Upload', 'NSLookup'];

/** The diagnostics object of a kind on this device (the test fails if the model lacks it). */
export function objectOf(device: DeviceModel, kind: DiagnosticKind): DiagnosticObject {
  const d = diagnosticsOf(device).find((x) => x.kind === kind);
  assert.ok(d, `model has a ${kind} diagnostics object`);
  return d;
}

/** Typical inputs of each diagnostic; `files` is a file server's base URL. */
export function inputsOf(kind: DiagnosticKind, files = 'http://127.0.0.1:9'): Record<string, string> {
  switch (kind) {
    case 'IPPing':
      return { Host: 'ping-target.example.net', NumberOfRepetitions: '4', Timeout: '1000', DataBlockSize: '64', DSCP: '0' };
    case 'TraceRoute':
      return { Host: 'hops-5.example.net', MaxHopCount: '30', NumberOfTries: '3', Timeout: '5000' };
    case 'Download':
      return { DownloadURL: `${files}/speed.bin` };
    case 'Upload':
      return { UploadURL: `${files}/upload.bin`, TestFileLength: '100000' };
    case 'NSLookup':
      return { HostName: 'www.example.com', NumberOfRepetitions: '2', Timeout: '1000' };
  }
}

/** A SetParameterValues of `values` (relative to `d.path`) that the model has, typed as the model types them. */
export function spv(device: DeviceModel, d: DiagnosticObject, values: Record<string, string>, key = 'diag'): SetParameterValues {
  const list: ParameterValueStruct[] = [];
  for (const [name, value] of Object.entries(values)) {
    const ref = device.lookup(d.path + name);
    if (ref === undefined) continue;
    list.push({ Name: d.path + name, Value: value, type: device.typeOf(ref) });
  }
  return { method: 'SetParameterValues', ParameterList: list, ParameterKey: key };
}

/** Inputs plus DiagnosticsState=Requested. */
export function request(device: DeviceModel, d: DiagnosticObject, values: Record<string, string>): SetParameterValues {
  return spv(device, d, { ...values, DiagnosticsState: 'Requested' });
}
