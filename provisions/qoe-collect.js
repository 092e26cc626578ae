/// <reference path="./index.d.ts" />
// qoe-collect: reads a collection profile's parameters in the device's own
// sessions, at most once per the profile's interval, for devices without
// bulk data (TR-232). args[0]: the profile's name (GET /qoe/profiles).
// What is read becomes a point of the profile's series (counters as rates).
// Meant for every periodic Inform: inside an interval it sends nothing.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices: the
// profile's paths of the other root are left out.

const name = args[0];
if (typeof name !== 'string' || name === '') throw new Error(`qoe-collect: args[0] must be a collection profile's name, not ${JSON.stringify(name)}`);
const profile = ext('acs-qoe.profile', name);

const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';
// The start of the device's current window of intervalS: what was read before it is read again, once.
const since = Date.now(profile.intervalS * 1000);
for (const path of profile.paths) {
  if (path.startsWith(`${root}.`)) declare(path, { value: since });
}
