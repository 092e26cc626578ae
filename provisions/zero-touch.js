/// <reference path="./index.d.ts" />
// zero-touch: a new device comes up with the operator's Wi-Fi and VoIP settings.
//   args: [ssid, passphrase, guestSsid, guestPassphrase, directoryNumber, sipUser, sipPassword]
// An empty or missing argument leaves that part as the device has it. Values
// that differ per subscriber (the VoIP line) would come from the operator's
// systems through ext() in production; args keep the example self-contained.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices, and
// only touches objects the device's data model has.

const [ssid, passphrase, guestSsid, guestPassphrase, number, sipUser, sipPassword] =
  Array.from({ length: 7 }, (_, i) => (args[i] === undefined || args[i] === null ? '' : String(args[i])));

// Bad arguments fault the channel (visible per device) rather than half-configure it. Never echo a secret.
if (ssid.length > 32 || guestSsid.length > 32) throw new Error('zero-touch: an SSID has at most 32 characters');
for (const [what, value] of [['passphrase', passphrase], ['guest passphrase', guestPassphrase]]) {
  if (value !== '' && (value.length < 8 || value.length > 63)) throw new Error(`zero-touch: the ${what} must have 8 to 63 characters`);
}
if (guestSsid !== '' && guestPassphrase === '') throw new Error('zero-touch: a guest SSID needs a guest passphrase (args[3])');
if (guestSsid !== '' && guestSsid === ssid) throw new Error('zero-touch: the guest SSID must differ from the home SSID');
// The guest SSID goes into an alias filter [SSID:...], whose values cannot hold "," or "]".
if (/[,\]]/.test(guestSsid)) throw new Error('zero-touch: the guest SSID cannot contain "," or "]"');

// The Inform always carries <root>.DeviceInfo.SoftwareVersion: no RPC to tell the models apart.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';

if (root === 'Device') wifiTr181();
else wifiTr098();
voip();

/**
 * TR-181: the networks customers see are the enabled, advertised access
 * points; each names its SSID in SSIDReference ("Device.WiFi.SSID.1.").
 */
function wifiTr181() {
  const home = [];
  for (const ref of declare('Device.WiFi.AccessPoint.[Enable:true,SSIDAdvertisementEnabled:true].SSIDReference', { value: 1 })) {
    const target = ref.value === undefined ? '' : String(ref.value[0]);
    if (target === '') continue; // not read yet (the run is replayed once it is), or an access point without SSID
    const ssidPath = target.replace(/\.$/, '');
    // The guest network is enabled and advertised too: recognise it by its name.
    const name = declare(`${ssidPath}.SSID`, { value: 1 }).value;
    if (guestSsid !== '' && name !== undefined && name[0] === guestSsid) continue;
    home.push({ ssidPath, dotted: target.endsWith('.') });
    if (ssid !== '') declare(`${ssidPath}.SSID`, null, { value: ssid });
    if (passphrase !== '') declare(`${ref.path.slice(0, -'.SSIDReference'.length)}.Security.KeyPassphrase`, null, { value: passphrase });
  }
  if (guestSsid === '' || home.length === 0) return;
  if (!canAdd('Device.WiFi.SSID') || !canAdd('Device.WiFi.AccessPoint')) return;

  // A guest SSID the device does not have yet is added (AddObject, then SSID set on the new instance).
  const guest = firstPath(declare(`Device.WiFi.SSID.[SSID:${guestSsid}]`, { path: 1 }, { instances: 1 }));
  if (guest === undefined) return; // added in this round; its parameters are known after the next
  declare(`${guest}.Enable`, null, { value: true });
  // A new SSID must sit on a radio: the first home network's, where the model has LowerLayers.
  const radio = declare(`${home[0].ssidPath}.LowerLayers`, { value: 1 }).value;
  if (radio !== undefined && radio[0] !== '') declare(`${guest}.LowerLayers`, null, { value: radio[0] });
  // Its access point refers to it the way the device writes references (with or without the final ".").
  const reference = home[0].dotted ? `${guest}.` : guest;
  const ap = firstPath(declare(`Device.WiFi.AccessPoint.[SSIDReference:${reference}]`, { path: 1 }, { instances: 1 }));
  if (ap === undefined) return;
  declare(`${ap}.Enable`, null, { value: true });
  declare(`${ap}.SSIDAdvertisementEnabled`, null, { value: true });
  declare(`${ap}.IsolationEnable`, null, { value: true }); // guests do not see each other
  declare(`${ap}.Security.ModeEnabled`, null, { value: 'WPA2-Personal' });
  declare(`${ap}.Security.KeyPassphrase`, null, { value: guestPassphrase });
}

/** TR-098: one WLANConfiguration per network; the passphrase is in KeyPassphrase and/or PreSharedKey.1.KeyPassphrase. */
function wifiTr098() {
  const home = [];
  for (const name of declare('InternetGatewayDevice.LANDevice.*.WLANConfiguration.[Enable:true,SSIDAdvertisementEnabled:true].SSID', { value: 1 })) {
    if (name.value === undefined) continue; // not read yet
    if (guestSsid !== '' && name.value[0] === guestSsid) continue;
    const wlan = name.path.slice(0, -'.SSID'.length);
    home.push(wlan);
    if (ssid !== '') declare(name.path, null, { value: ssid });
    if (passphrase !== '') setPassphrase098(wlan, passphrase);
  }
  if (guestSsid === '' || home.length === 0) return;

  const lan = home[0].replace(/\.WLANConfiguration\.\d+$/, '');
  if (!canAdd(`${lan}.WLANConfiguration`)) return;
  const guest = firstPath(declare(`${lan}.WLANConfiguration.[SSID:${guestSsid}]`, { path: 1 }, { instances: 1 }));
  if (guest === undefined) return;
  declare(`${guest}.Enable`, null, { value: true });
  declare(`${guest}.SSIDAdvertisementEnabled`, null, { value: true });
  declare(`${guest}.BeaconType`, null, { value: '11i' }); // WPA2
  declare(`${guest}.IEEE11iAuthenticationMode`, null, { value: 'PSKAuthentication' });
  setPassphrase098(guest, guestPassphrase);
}

/** Whether the device lets the ACS add instances to a table (many have a fixed set of networks). */
function canAdd(table) {
  const t = declare(table, { writable: 1 });
  if (t.writable === false) log(`zero-touch: ${table} takes no new instances: no guest network`);
  return t.writable === true; // undefined: not listed yet, the run is replayed once it is
}

/** Both places TR-098 has for it; a device that has only one ignores the other (nothing is declared on a path it lacks). */
function setPassphrase098(wlan, value) {
  declare(`${wlan}.KeyPassphrase`, null, { value });
  declare(`${wlan}.PreSharedKey.1.KeyPassphrase`, null, { value });
}

/**
 * The first VoIP line: TR-104 v2 (CallControl.Line + SIP.Client, TR-181
 * only) or v1 (VoiceProfile.Line, TR-098 and early TR-181 devices). Wildcards
 * list what exists, so a model without voice costs a listing and no fault.
 */
function voip() {
  if (number === '' && sipUser === '' && sipPassword === '') return;
  const services = `${root}.Services.VoiceService.*`;
  const v2 = root === 'Device' ? firstPath(declare(`${services}.CallControl.Line.*.DirectoryNumber`, { path: 1 })) : undefined;
  if (v2 !== undefined) {
    const line = v2.slice(0, -'.DirectoryNumber'.length);
    declare(`${line}.Enable`, null, { value: true });
    if (number !== '') declare(v2, null, { value: number });
    const service = line.replace(/\.CallControl\.Line\.\d+$/, '');
    const client = firstPath(declare(`${service}.SIP.Client.*.AuthUserName`, { path: 1 }));
    if (client === undefined) return;
    const prefix = client.slice(0, -'.AuthUserName'.length);
    declare(`${prefix}.Enable`, null, { value: true });
    if (sipUser !== '') declare(client, null, { value: sipUser });
    if (sipPassword !== '') declare(`${prefix}.AuthPassword`, null, { value: sipPassword });
    return;
  }
  const v1 = firstPath(declare(`${services}.VoiceProfile.*.Line.*.DirectoryNumber`, { path: 1 }));
  if (v1 === undefined) return log('zero-touch: no VoIP line in this device\'s data model');
  const line = v1.slice(0, -'.DirectoryNumber'.length);
  declare(`${line}.Enable`, null, { value: 'Enabled' }); // an enumeration in v1, not a boolean
  if (number !== '') declare(v1, null, { value: number });
  if (sipUser !== '') declare(`${line}.SIP.AuthUserName`, null, { value: sipUser });
  if (sipPassword !== '') declare(`${line}.SIP.AuthPassword`, null, { value: sipPassword });
}

/** The path of the lowest-numbered match ("X.2.Y" before "X.10.Y"), or undefined when nothing matched. */
function firstPath(result) {
  const key = (path) => path.split('.').map((s) => (/^\d+$/.test(s) ? s.padStart(10, '0') : s)).join('.');
  let best;
  for (const p of result) if (best === undefined || key(p.path) < key(best)) best = p.path;
  return best;
}
