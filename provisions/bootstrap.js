/// <reference path="./index.d.ts" />
// bootstrap: first contact, or a factory reset (0 BOOTSTRAP). Nothing the ACS
// remembers of the device describes its configuration any more: forget it,
// then read the key parameters operators and the other provisions look at.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices.

const now = Date.now();

// The Inform always carries <root>.DeviceInfo.SoftwareVersion, so looking it
// up in the cache tells the data models apart without an RPC.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';

// The store already drops its copy of the model at a BOOTSTRAP; clearing here
// keeps the provision right when a preset also runs it on other events (a
// device that lost its configuration without announcing 0 BOOTSTRAP).
clear(root, now);

// Named one by one (the names are the same in both models): a device that
// lacks some costs one GetParameterNames of the object, and secrets stay out
// (they read back as "", which is no use in the cache).
const KEY_PARAMETERS = {
  DeviceInfo: ['Manufacturer', 'ManufacturerOUI', 'ModelName', 'Description', 'ProductClass', 'SerialNumber',
    'HardwareVersion', 'SoftwareVersion', 'ProvisioningCode', 'UpTime'],
  ManagementServer: ['URL', 'Username', 'PeriodicInformEnable', 'PeriodicInformInterval', 'PeriodicInformTime',
    'ParameterKey', 'ConnectionRequestURL', 'ConnectionRequestUsername', 'UpgradesManaged'],
};
for (const [object, names] of Object.entries(KEY_PARAMETERS)) {
  for (const name of names) declare(`${root}.${object}.${name}`, { value: now });
}
