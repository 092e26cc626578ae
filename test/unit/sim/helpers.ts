/**
 * Shared fixtures of the simulator data-model tests: the real device dumps in
 * ../shared/samples/device-models (read in place, never copied) and the
 * generated BBF models, each loaded once per process, plus per-model facts
 * the RPC tests rely on.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CpeRequest, CpeResponse, Fault } from '../../../src/cwmp/soap/types';
import { handleRequest, type RpcOptions, type RpcResult } from '../../../src/sim/cpe';
import { createDevice, generateBbfModel, loadCsvModel, type BaseModel, type DeviceIdentity, type DeviceModel } from '../../../src/sim/model';

export const DEVICE_MODELS = resolve(__dirname, '../../../../shared/samples/device-models');
export const XX230V_CSV = 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv';
export const EG8145V5_CSV = 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv';

export function readModelCsv(file: string): string {
  return readFileSync(resolve(DEVICE_MODELS, file), 'utf8');
}

/** Load/generate times measured on first load, for the report. */
export const loadTimes = new Map<string, number>();

const bases = new Map<string, BaseModel>();

function once(label: string, make: () => BaseModel): BaseModel {
  let m = bases.get(label);
  if (!m) {
    const t0 = performance.now();
    m = make();
    loadTimes.set(label, performance.now() - t0);
    bases.set(label, m);
  }
  return m;
}

export const xx230v = (): BaseModel => once('XX230v (CSV)', () => loadCsvModel(readModelCsv(XX230V_CSV)));
export const eg8145v5 = (): BaseModel => once('EG8145V5 (CSV)', () => loadCsvModel(readModelCsv(EG8145V5_CSV)));
export const tr181 = (): BaseModel => once('tr181 (BBF)', () => generateBbfModel('tr181'));
export const tr098 = (): BaseModel => once('tr098 (BBF)', () => generateBbfModel('tr098'));

/** What the RPC tests need to know about a model. */
export interface Fixture {
  readonly label: string;
  readonly base: () => BaseModel;
  readonly root: string;
  /** Writable parameters by type. */
  readonly string: string;
  readonly unsignedInt: string;
  readonly boolean: string;
  readonly dateTime: string;
  /** A read-only parameter. */
  readonly readOnly: string;
  /** A table the ACS may add instances to, and an existing deletable instance of it (if the model has one). */
  readonly table: string;
  readonly instance?: string;
  /** A counter under ".Stats." (canDeny), if the model has one. */
  readonly counter?: string;
}

export const FIXTURES: readonly Fixture[] = [
  {
    label: 'XX230v CSV (TR-181)',
    base: xx230v,
    root: 'Device.',
    string: 'Device.WiFi.SSID.1.SSID',
    unsignedInt: 'Device.ManagementServer.PeriodicInformInterval',
    boolean: 'Device.ManagementServer.PeriodicInformEnable',
    dateTime: 'Device.ManagementServer.PeriodicInformTime',
    readOnly: 'Device.DeviceInfo.UpTime',
    table: 'Device.WiFi.SSID.',
    instance: 'Device.WiFi.SSID.1.',
    counter: 'Device.WiFi.SSID.1.Stats.BytesSent',
  },
  {
    label: 'EG8145V5 CSV (TR-098)',
    base: eg8145v5,
    root: 'InternetGatewayDevice.',
    string: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID',
    unsignedInt: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval',
    boolean: 'InternetGatewayDevice.ManagementServer.PeriodicInformEnable',
    dateTime: 'InternetGatewayDevice.ManagementServer.PeriodicInformTime',
    readOnly: 'InternetGatewayDevice.DeviceInfo.UpTime',
    table: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.',
    instance: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.',
    counter: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Stats.ErrorsSent',
  },
  {
    label: 'generated tr181',
    base: tr181,
    root: 'Device.',
    string: 'Device.WiFi.SSID.1.SSID',
    unsignedInt: 'Device.ManagementServer.PeriodicInformInterval',
    boolean: 'Device.ManagementServer.PeriodicInformEnable',
    dateTime: 'Device.ManagementServer.PeriodicInformTime',
    readOnly: 'Device.DeviceInfo.UpTime',
    table: 'Device.WiFi.SSID.',
    instance: 'Device.WiFi.SSID.2.',
    counter: 'Device.WiFi.SSID.1.Stats.BytesSent',
  },
  {
    label: 'generated tr098',
    base: tr098,
    root: 'InternetGatewayDevice.',
    string: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID',
    unsignedInt: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval',
    boolean: 'InternetGatewayDevice.ManagementServer.PeriodicInformEnable',
    dateTime: 'InternetGatewayDevice.ManagementServer.PeriodicInformTime',
    readOnly: 'InternetGatewayDevice.DeviceInfo.UpTime',
    table: 'InternetGatewayDevice.Layer3Forwarding.Forwarding.',
    instance: 'InternetGatewayDevice.Layer3Forwarding.Forwarding.1.',
    counter: 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Stats.ErrorsSent',
  },
];

let serial = 0;

/** A fresh device of a base model with a distinct serial number. */
export function newDevice(base: BaseModel, identity: Partial<DeviceIdentity> = {}): DeviceModel {
  serial++;
  return createDevice(base, { SerialNumber: `SIM${String(serial).padStart(8, '0')}`, ...identity });
}

/** Sends a request and returns the result. */
export function call(device: DeviceModel, request: CpeRequest, options?: RpcOptions): RpcResult {
  return handleRequest(device, request, options);
}

/** Sends a request that must succeed; returns its response narrowed to the expected method. */
export function ok<M extends CpeResponse['method']>(
  device: DeviceModel,
  request: CpeRequest,
  method: M,
  options?: RpcOptions,
): Extract<CpeResponse, { method: M }> {
  const { response } = handleRequest(device, request, options);
  assert.equal(response.method, method, `expected ${method}, got ${JSON.stringify(response)}`);
  return response as Extract<CpeResponse, { method: M }>;
}

/** Sends a request that must fault with `code`; returns the Fault. */
export function fault(device: DeviceModel, request: CpeRequest, code: number, options?: RpcOptions): Fault {
  const { response, effects } = handleRequest(device, request, options);
  assert.equal(response.method, 'Fault', `expected fault ${code}, got ${JSON.stringify(response).slice(0, 300)}`);
  const f = response as Fault;
  assert.equal(f.FaultCode, code, `expected ${code}, got ${f.FaultCode} ${f.FaultString}`);
  assert.deepEqual(effects, [], 'a fault has no effects');
  return f;
}

/** GetParameterValues of one full name, the value. */
export function gpv(device: DeviceModel, name: string): string {
  const r = ok(device, { method: 'GetParameterValues', ParameterNames: [name] }, 'GetParameterValuesResponse');
  assert.equal(r.ParameterList.length, 1);
  return r.ParameterList[0].Value;
}

/** A line in the test output with a measured number. */
export function report(line: string): void {
  console.log(`      [sim] ${line}`);
}
