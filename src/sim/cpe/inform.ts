/**
 * The Inform ParameterList: the root's forcedInform parameters (those the
 * model has) followed by the pending value changes not already listed.
 */
import type { ParameterValueStruct } from '../../cwmp/soap/types';
import type { DeviceModel, NodeRef } from '../model/device';

const TR181_FORCED = [
  'RootDataModelVersion',
  'DeviceInfo.HardwareVersion',
  'DeviceInfo.SoftwareVersion',
  'DeviceInfo.ProvisioningCode',
  'ManagementServer.ParameterKey',
  'ManagementServer.ConnectionRequestURL',
  'ManagementServer.AliasBasedAddressing',
];

const TR098_FORCED = [
  'DeviceSummary',
  'DeviceInfo.HardwareVersion',
  'DeviceInfo.SoftwareVersion',
  'DeviceInfo.SpecVersion',
  'DeviceInfo.ProvisioningCode',
  'ManagementServer.ParameterKey',
  'ManagementServer.ConnectionRequestURL',
  'ManagementServer.AliasBasedAddressing',
];

/**
 * TR-098: the ExternalIPAddress of the WAN connection (WANDevice.i.
 * WANConnectionDevice.j.WANIPConnection.k / WANPPPConnection.k, in that
 * order): the one whose address is the ConnectionRequestURL's host, else the
 * first one with an address, else the first one that exists.
 */
export function wanExternalIpPath(device: DeviceModel): string | undefined {
  const wanDevices = device.lookup(device.root + 'WANDevice.');
  if (wanDevices === undefined) return undefined;
  const crUrl = device.getValue(device.root + 'ManagementServer.ConnectionRequestURL') ?? '';
  let crHost = '';
  try {
    crHost = new URL(crUrl).hostname;
  } catch {
    // no usable ConnectionRequestURL
  }
  let first: string | undefined;
  let withAddress: string | undefined;
  for (const wd of device.children(wanDevices)) {
    const cds = device.lookup(device.pathOf(wd) + 'WANConnectionDevice.');
    if (cds === undefined) continue;
    for (const cd of device.children(cds)) {
      for (const kind of ['WANIPConnection.', 'WANPPPConnection.']) {
        const table = device.lookup(device.pathOf(cd) + kind);
        if (table === undefined) continue;
        for (const conn of device.children(table)) {
          const path = device.pathOf(conn) + 'ExternalIPAddress';
          const v = device.getValue(path);
          if (v === undefined) continue;
          if (crHost !== '' && v === crHost) return path;
          first ??= path;
          if (v !== '' && v !== '0.0.0.0') withAddress ??= path;
        }
      }
    }
  }
  return withAddress ?? first;
}

/** The Inform's ParameterList for this device now: forced parameters, then pending value changes. */
export function informParameters(device: DeviceModel): ParameterValueStruct[] {
  const root = device.root;
  const names = (device.base.rootKind === 'tr098' ? TR098_FORCED : TR181_FORCED).map((rel) => root + rel);
  if (device.base.rootKind === 'tr098') {
    const wan = wanExternalIpPath(device);
    if (wan) names.push(wan);
  }
  const out: ParameterValueStruct[] = [];
  const listed = new Set<string>();
  for (const name of names) {
    const ref: NodeRef | undefined = device.lookup(name);
    if (ref === undefined || device.isObject(ref)) continue;
    out.push({ Name: name, Value: device.reportedValue(ref), type: device.typeOf(ref) });
    listed.add(name);
  }
  for (const pv of device.pendingValueChanges()) if (!listed.has(pv.Name)) out.push(pv);
  return out;
}
