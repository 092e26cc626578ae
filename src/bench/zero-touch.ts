/**
 * The preset and provision of benchmark scenario (c): zero-touch provisioning
 * of a new TR-181 device (XX230v model). Discovery of the subtrees it needs,
 * ~34 values set (inform settings, connection-request credentials, every
 * SSID and passphrase, NTP), two DNS forwarders added with AddObject.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PRESET = `events: ["0 BOOTSTRAP"]
channel: zero-touch
provisions:
  - [zero-touch, "bench-secret"]
`;

const PROVISION = `
const now = Date.now();
const serial = declare('DeviceID.SerialNumber').value[0];
const ms = 'Device.ManagementServer.';
declare(ms + 'PeriodicInformEnable', null, { value: true });
declare(ms + 'PeriodicInformInterval', null, { value: 3000 + Math.floor(Math.random() * 1200) });
declare(ms + 'ConnectionRequestUsername', null, { value: 'cr-' + serial });
declare(ms + 'ConnectionRequestPassword', null, { value: args[0] + '-' + serial });
for (const ssid of declare('Device.WiFi.SSID.*.SSID', { path: now })) {
  declare(ssid.path, null, { value: 'home-' + serial.slice(-6) + '-' + ssid.path.split('.')[3] });
}
for (const ap of declare('Device.WiFi.AccessPoint.*.Security.KeyPassphrase', { path: now })) {
  declare(ap.path, null, { value: 'k-' + serial + '-' + ap.path.split('.')[3] });
}
declare('Device.Time.NTPServer1', null, { value: 'ntp1.example.net' });
declare('Device.Time.NTPServer2', null, { value: 'ntp2.example.net' });
declare('Device.DNS.Relay.Forwarding.[DNSServer:9.9.9.9]', { path: now }, { instances: 1 });
declare('Device.DNS.Relay.Forwarding.[DNSServer:1.1.1.1]', { path: now }, { instances: 1 });
`;

/** Writes the preset and provision to fresh folders; returns them for PRESETS_DIR and PROVISIONS_DIR. */
export function zeroTouchDirs(): { presets: string; provisions: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'acs-bench-zt-'));
  const presets = path.join(root, 'presets');
  const provisions = path.join(root, 'provisions');
  return { presets: write(presets, 'zero-touch.yaml', PRESET), provisions: write(provisions, 'zero-touch.js', PROVISION) };
}

function write(dirPrefix: string, name: string, text: string): string {
  const dir = mkdtempSync(dirPrefix);
  writeFileSync(path.join(dir, name), text);
  return dir;
}

let empty: string | null = null;

/** An empty folder (one per run, removed at exit): presets for the scenarios that measure the core alone. */
export function emptyDir(): string {
  if (empty === null) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'acs-bench-empty-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    empty = dir;
  }
  return empty;
}
