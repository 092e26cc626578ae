/**
 * Writes a finished diagnostic into the device's data model as the device's
 * own changes (reported in the next Inform when the ACS asked for
 * notification), skipping parameters this model does not have.
 */
import type { DeviceModel } from '../model/device';
import type { DiagnosticResult, Values } from './result';

/** Sets `base + name` if it exists; TR-098 names route-hop fields "Hop<Name>". */
function put(device: DeviceModel, base: string, name: string, value: string): void {
  for (const candidate of [name, `Hop${name}`]) {
    const ref = device.lookup(base + candidate);
    if (ref !== undefined && !device.isObject(ref)) return void device.deviceChange(base + candidate, value);
  }
}

function putAll(device: DeviceModel, base: string, values: Values): void {
  for (const [name, value] of Object.entries(values)) put(device, base, name, value);
}

function writeTable(device: DeviceModel, objectPath: string, name: string, rows: readonly Values[]): void {
  const table = device.lookup(objectPath + name);
  if (table === undefined || !device.isTable(table)) return;
  device.clearTable(table);
  for (const row of rows) {
    const n = device.addInstance(table);
    putAll(device, `${objectPath}${name}${n}.`, row);
  }
}

/**
 * Results first, DiagnosticsState last. A results table is emptied whatever
 * the outcome (an error leaves no hops of an earlier run behind).
 */
export function writeResult(device: DeviceModel, objectPath: string, result: DiagnosticResult, state: string): void {
  putAll(device, objectPath, result.values);
  const tableName = result.table?.name ?? defaultTable(device, objectPath);
  if (tableName) writeTable(device, objectPath, tableName, result.table?.rows ?? []);
  put(device, objectPath, 'DiagnosticsState', state);
}

function defaultTable(device: DeviceModel, objectPath: string): string | undefined {
  return ['RouteHops.', 'Result.'].find((t) => device.lookup(objectPath + t) !== undefined);
}
