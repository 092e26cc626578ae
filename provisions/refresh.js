/// <reference path="./index.d.ts" />
// refresh: keeps the key parameters (DeviceInfo, ManagementServer) no older
// than args[0] seconds (default 3600; 0: read them in this session, as the
// bootstrap preset does). Meant for every periodic Inform: while what the ACS
// knows is recent enough it sends nothing; otherwise one GetParameterValues
// brings every stale one up to date.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices.

const maxAgeS = args.length > 0 ? Number(args[0]) : 3600;
if (!Number.isFinite(maxAgeS) || maxAgeS < 0) throw new Error(`refresh: args[0] must be a number of seconds (0 or more), not ${JSON.stringify(args[0])}`);
const since = Date.now() - maxAgeS * 1000;

// The Inform always carries <root>.DeviceInfo.SoftwareVersion: no RPC to tell the models apart.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';

// The same names as bootstrap.js. No secrets: they read back as "", and
// caching that would make the provision that set one set it again each time.
const KEY_PARAMETERS = {
  DeviceInfo: ['Manufacturer', 'ManufacturerOUI', 'ModelName', 'Description', 'ProductClass', 'SerialNumber',
    'HardwareVersion', 'SoftwareVersion', 'ProvisioningCode', 'UpTime'],
  ManagementServer: ['URL', 'Username', 'PeriodicInformEnable', 'PeriodicInformInterval', 'PeriodicInformTime',
    'ParameterKey', 'ConnectionRequestURL', 'ConnectionRequestUsername', 'UpgradesManaged'],
};
for (const [object, names] of Object.entries(KEY_PARAMETERS)) {
  // Parameters in the Inform (SoftwareVersion, ParameterKey...) are as fresh as the Inform: never read.
  for (const name of names) declare(`${root}.${object}.${name}`, { value: since });
}
