import type { CachedParameter } from '../../../src/db/types';
import { MemoryDeviceView } from '../../../src/sandbox/device-view';
import type { DeviceView, RunInput } from '../../../src/sandbox/types';

export const T0 = 1_700_000_000_000;

/** A cached row; the kind follows from the path, leaves are strings read at T0, objects listed at T0, unless told. */
export function row(path: string, value: string | null = null, extra: Partial<CachedParameter> = {}): CachedParameter {
  const kind = !path.endsWith('.') ? 'leaf' : /\.\d+\.$/.test(path) ? 'instance' : 'object';
  return {
    path, kind, value, type: kind === 'leaf' ? 'xsd:string' : null, writable: kind === 'leaf', notification: null,
    accessList: null, valueTime: T0, namesTime: T0, attributesTime: null, ...extra,
  };
}

/** A small TR-181 device: two SSIDs (home, guest), two IP interfaces, a few scalars. */
export function sampleRows(): CachedParameter[] {
  return [
    row('Device.'),
    row('Device.DeviceInfo.'),
    row('Device.DeviceInfo.SoftwareVersion', '2.0.0', { writable: false }),
    row('Device.DeviceInfo.UpTime', '86400', { type: 'xsd:unsignedInt', writable: false }),
    row('Device.ManagementServer.'),
    row('Device.ManagementServer.PeriodicInformEnable', 'true', { type: 'xsd:boolean', notification: 0, accessList: [], attributesTime: T0 }),
    row('Device.ManagementServer.PeriodicInformInterval', '3600', { type: 'xsd:unsignedInt' }),
    row('Device.WiFi.'),
    row('Device.WiFi.SSID.'),
    row('Device.WiFi.SSID.1.'),
    row('Device.WiFi.SSID.1.SSID', 'home'),
    row('Device.WiFi.SSID.1.Enable', '1', { type: 'xsd:boolean' }),
    row('Device.WiFi.SSID.2.'),
    row('Device.WiFi.SSID.2.SSID', 'guest'),
    row('Device.WiFi.SSID.2.Enable', 'false', { type: 'xsd:boolean' }),
    row('Device.IP.'),
    row('Device.IP.Interface.'),
    row('Device.IP.Interface.1.'),
    row('Device.IP.Interface.1.Name', 'wan'),
    row('Device.IP.Interface.1.Stats.'),
    row('Device.IP.Interface.1.Stats.Mode', 'auto'),
    row('Device.IP.Interface.10.'),
    row('Device.IP.Interface.10.Name', 'lan'),
  ];
}

export function sampleView(): MemoryDeviceView {
  return MemoryDeviceView.from(sampleRows());
}

export function runInput(overrides: Partial<RunInput> & { view?: DeviceView } = {}): RunInput {
  return {
    deviceKey: '00147F-XX230v-SN0001',
    deviceId: { Manufacturer: 'ACME', OUI: '00147F', ProductClass: 'XX230v', SerialNumber: 'SN0001' },
    events: ['2 PERIODIC'],
    now: T0 + 60_000,
    view: sampleView(),
    ...overrides,
  };
}
