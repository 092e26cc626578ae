/// <reference path="./index.d.ts" />
// firmware: upgrades a device whose SoftwareVersion is not the target.
//   args: [targetVersion, fileName, url, fileSize?]
// The device downloads the image (Download, FileType "1 Firmware Upgrade
// Image"), reports TransferComplete, and reboots into the new version. Pick
// the devices with the preset's precondition (ProductClass, SoftwareVersion)
// and the time with its schedule: the upgrade ends with a reboot.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices.

const [target, fileName, url, fileSize] = args.map((a) => String(a));
if (!target || !fileName || !url) throw new Error('firmware: args must be [targetVersion, fileName, url, fileSize?]');
// They go into an alias filter [FileName:...,URL:...], whose values cannot hold "," or "]".
if (/[,\]]/.test(fileName + url)) throw new Error('firmware: the file name and URL cannot contain "," or "]"');
if (fileSize !== undefined && !/^\d+$/.test(fileSize)) throw new Error('firmware: args[3] (fileSize) must be a number of bytes');

// The Inform always carries <root>.DeviceInfo.SoftwareVersion: no RPC to tell the models apart, nor to know the version.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';
const version = declare(`${root}.DeviceInfo.SoftwareVersion`, { value: 1 }).value;
if (version === undefined || String(version[0]) === target) return;

// The ACS keeps a record of each Download the device accepted (Downloads.N):
// with instances 1 the request goes out once, and not again in the sessions
// that follow (the transfer, TransferComplete, the reboot). A device that
// comes back with the old version is not sent the same image again: its
// TransferComplete fault is in the device's history.
const size = fileSize === undefined ? '' : `,FileSize:${fileSize}`;
declare(`Downloads.[FileType:1 Firmware Upgrade Image,FileName:${fileName},URL:${url}${size}]`, { path: 1 }, { instances: 1 });
