/// <reference path="./index.d.ts" />
// qoe-bulkdata: has the device report a collection profile's parameters
// itself (TR-232 bulk data over HTTP, Device.BulkData of TR-181) to the
// ACS's collector, every interval of the profile. TR-098's BulkData has no
// HTTP transport (IPDR only): on a TR-098 device this faults; use qoe-collect.
// args[0]: the profile's name; args[1]: "JSON" (default) or "CSV".
// The report URL is signed for this device and profile; the profile's HTTP
// credentials are set too, for devices that drop a URL's query string.
// One BulkData.Profile instance per collection profile, named "acs-<name>".
// Devices whose bulk data does not take "*" in Parameter.{i}.Reference
// (ParameterWildCardSupported false) fault the channel: use qoe-collect.

const name = args[0];
if (typeof name !== 'string' || name === '') throw new Error(`qoe-bulkdata: args[0] must be a collection profile's name, not ${JSON.stringify(name)}`);
const encoding = args.length > 1 ? String(args[1]) : 'JSON';
if (encoding !== 'JSON' && encoding !== 'CSV') throw new Error(`qoe-bulkdata: args[1] must be "JSON" or "CSV", not ${JSON.stringify(args[1])}`);

if (declare('Device.DeviceInfo.SoftwareVersion').size === 0) {
  throw new Error('qoe-bulkdata: TR-098 bulk data has no HTTP transport; collect with qoe-collect on this device');
}
const root = 'Device';
const deviceId = declare('DeviceID.ID', { value: 1 }).value[0];
const target = ext('acs-qoe.bulkdata', name, deviceId);

declare(`${root}.BulkData.Enable`, { value: 1 }, { value: true });
const profile = `${root}.BulkData.Profile.[Name:acs-${name}]`;
declare(profile, { path: 1 }, { path: 1 });
const settings = {
  Protocol: 'HTTP',
  EncodingType: encoding,
  ReportingInterval: target.intervalS,
  'HTTP.URL': target.url,
  'HTTP.Username': target.username,
  'HTTP.Method': 'POST',
  'HTTP.UseDateHeader': true,
};
for (const [leaf, value] of Object.entries(settings)) declare(`${profile}.${leaf}`, { value: 1 }, { value });
// A secret: never read back (devices report ""); set when it differs from what the ACS set last.
declare(`${profile}.HTTP.Password`, null, { value: target.password });
if (encoding === 'JSON') declare(`${profile}.JSONEncoding.ReportFormat`, { value: 1 }, { value: 'ObjectHierarchy' });
else declare(`${profile}.CSVEncoding.ReportFormat`, { value: 1 }, { value: 'ParameterPerRow' });
for (const path of target.paths) {
  if (path.startsWith(`${root}.`)) declare(`${profile}.Parameter.[Reference:${path}]`, { path: 1 }, { path: 1 });
}
// Enabled last: the device starts reporting once everything above is set.
declare(`${profile}.Enable`, { value: 1 }, { value: true });
