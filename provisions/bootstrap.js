/// <reference path="./index.d.ts" />
// bootstrap: first contact, or a factory reset (0 BOOTSTRAP). Nothing the ACS
// remembers of the device describes its configuration any more: forget it.
// The bootstrap preset then runs `refresh` with age 0, which reads the key
// parameters operators and the other provisions look at, in this session.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices.

// The Inform always carries <root>.DeviceInfo.SoftwareVersion, so looking it
// up in the cache tells the data models apart without an RPC.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';

// The store already drops its copy of the model at a BOOTSTRAP; clearing here
// keeps the provision right when a preset also runs it on other events (a
// device that lost its configuration without announcing 0 BOOTSTRAP).
clear(root, Date.now());
