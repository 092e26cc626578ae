/// <reference path="./index.d.ts" />
// iptv: a set-top box (TR-135 STBService) ready for the operator's IPTV,
// with its main-stream statistics collected.
//
// Args, by name ("key=value", any order) or by position:
//   ["serviceConnect=rtsp://iptv.example.net/portal", "sampleInterval=300", ...]
//   ["rtsp://iptv.example.net/portal", 300, true, "eng", "eng"]
// or one JSON object (a string starting with "{") with the same keys:
//   serviceConnect     URL of the IPTV service (FrontEnd.{i}.IP.ServiceConnect.URI on every IP front end)
//   sampleInterval     seconds per statistics sample (ServiceMonitoring.SampleInterval); turns sampling
//                      (SampleEnable) and the first main stream on
//   igmp               true or false: IGMP on the IP front ends (FrontEnd.{i}.IP.IGMP.Enable)
//   audioLanguage      preferred audio language, e.g. "eng" (AVPlayers.PreferredAudioLanguage)
//   subtitleLanguage   preferred subtitling language (AVPlayers.PreferredSubtitlingLanguage)
//   reportSamples      samples kept for a report (ServiceMonitoring.ReportSamples)
//   serviceType        what the first main stream measures (default IPTV; VoD, IP, ... as the STB offers)
//   igmpVersion        v2 or v3: IGMP.ClientVersion where the STB lets it be set; logged where it is
//                      read-only and differs
// Missing or "" leaves that setting as the device has it. With sampling on,
// the statistics to collect are ServiceMonitoring.MainStream.1.Total.RTPStats
// (PacketsReceived, PacketsLost, LossEvents), .Total.MPEG2TSStats (TS
// packets, sync losses, discontinuities) and .Total.DejitteringStats
// (Overruns, Underruns).
//
// TR-135 is the same under Device. (TR-181) and InternetGatewayDevice.
// (TR-098) roots; AV players and front ends are the STB's own (none added).

const KEYS = ['serviceConnect', 'sampleInterval', 'igmp', 'audioLanguage', 'subtitleLanguage', 'reportSamples', 'serviceType', 'igmpVersion'];
const a = readArgs();
const igmp = a.igmp === '' ? undefined : bool(a.igmp, 'igmp');
const interval = count(a.sampleInterval, 'sampleInterval');
const reportSamples = count(a.reportSamples, 'reportSamples');
if (a.serviceConnect.length > 256) fail('serviceConnect has at most 256 characters');
if (a.serviceConnect !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(a.serviceConnect)) fail(`serviceConnect must be a URL, not ${JSON.stringify(a.serviceConnect)}`);
for (const k of ['audioLanguage', 'subtitleLanguage']) if (a[k].length > 64) fail(`${k} has at most 64 characters`);
if (a.igmpVersion !== '' && !['v1', 'v2', 'v3'].includes(a.igmpVersion)) fail(`igmpVersion must be v1, v2 or v3, not ${JSON.stringify(a.igmpVersion)}`);

const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';
const stb = firstPath(declare(`${root}.Services.STBService.*`, { path: 1 }));
if (stb === undefined) fail(`this device has no ${root}.Services.STBService (TR-135)`);

// Everything that can refuse the set-up is read before anything is declared: reading commits what was declared before.
const stream = interval === undefined ? undefined : mainStream(`${stb}.ServiceMonitoring`);
set(`${stb}.Enable`, true);
frontEnds(`${stb}.Components.FrontEnd`);
set(`${stb}.AVPlayers.PreferredAudioLanguage`, a.audioLanguage);
set(`${stb}.AVPlayers.PreferredSubtitlingLanguage`, a.subtitleLanguage);
if (stream !== undefined) monitoring(`${stb}.ServiceMonitoring`, stream);
else if (reportSamples !== undefined) set(`${stb}.ServiceMonitoring.ReportSamples`, reportSamples);

/** The IP front ends (an STB may also have DVB-T ones: they have no IP object). */
function frontEnds(table) {
  for (const ip of declare(`${table}.*.IP`, { path: 1 })) {
    const fe = ip.path.slice(0, -'.IP'.length);
    set(`${fe}.Enable`, true);
    set(`${ip.path}.ServiceConnect.URI`, a.serviceConnect);
    if (igmp !== undefined) set(`${ip.path}.IGMP.Enable`, igmp);
    if (a.igmpVersion !== '') igmpVersion(`${ip.path}.IGMP.ClientVersion`);
  }
}

/** IGMP.ClientVersion is read-only in TR-135: set where a device lets it, else say when it differs. */
function igmpVersion(path) {
  const v = declare(path, { value: 1, writable: 1 });
  if (v.size === 0) return;
  if (v.writable === true) set(path, a.igmpVersion);
  else if (v.value !== undefined && v.value[0] !== a.igmpVersion) log(`iptv: ${path} is ${v.value[0]} (read-only), not ${a.igmpVersion}`);
}

/** The first main stream, when the STB offers the service type to measure (it rejects one it does not). */
function mainStream(sm) {
  const stream = firstPath(declare(`${sm}.MainStream.*`, { path: 1 }));
  if (stream === undefined) fail(`${sm} has no MainStream to measure`);
  const offered = declare(`${stb}.Capabilities.ServiceMonitoring.ServiceTypes`, { value: 1 }).value;
  // The list may be empty on STBs that do not say.
  const list = offered === undefined ? [] : String(offered[0]).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length > 0 && !list.includes(serviceType())) fail(`this STB measures ${list.join(', ')}; not ${serviceType()}`);
  return stream;
}

function serviceType() {
  return a.serviceType === '' ? 'IPTV' : a.serviceType;
}

/** Sampling on at the interval, and the main stream measuring the service type. */
function monitoring(sm, stream) {
  set(`${sm}.SampleInterval`, interval);
  if (reportSamples !== undefined) set(`${sm}.ReportSamples`, reportSamples);
  set(`${sm}.SampleEnable`, true);
  set(`${stream}.ServiceType`, serviceType());
  set(`${stream}.Enable`, true);
}

/** Declares a value; "" and undefined leave the parameter alone. Nothing is declared on a path the device lacks. */
function set(path, value) {
  if (value === '' || value === undefined) return;
  declare(path, { value: 1 }, { value });
}

function count(text, what) {
  if (text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 4294967295) fail(`${what} must be a whole number from 1, not ${JSON.stringify(text)}`);
  return n;
}

function bool(text, what) {
  if (/^(true|1|yes|on)$/i.test(text)) return true;
  if (/^(false|0|no|off)$/i.test(text)) return false;
  return fail(`${what} must be true or false, not ${JSON.stringify(text)}`);
}

/** Named ("key=value"), JSON object or positional args, as strings ("" when missing). */
function readArgs() {
  const out = Object.fromEntries(KEYS.map((k) => [k, '']));
  const given = Array.from(args, (v) => (v === undefined || v === null ? '' : v));
  let pairs;
  if (given.length === 1 && typeof given[0] === 'object') pairs = Object.entries(given[0]);
  else if (given.length === 1 && typeof given[0] === 'string' && given[0].trim().startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(given[0]));
    } catch {
      fail('args[0] starts with "{" but is not a JSON object');
    }
  } else if (given.length > 0 && typeof given[0] === 'string' && /^[A-Za-z]+=/.test(given[0])) {
    pairs = given.map((g, i) => {
      const m = /^([A-Za-z]+)=([\s\S]*)$/.exec(String(g));
      if (!m) fail(`args[${i}] must be key=value like the args before it, not ${JSON.stringify(String(g).slice(0, 40))}`);
      return [m[1], m[2]];
    });
  } else {
    if (given.length > 5) fail(`at most 5 args by position (serviceConnect, sampleInterval, igmp, audioLanguage, subtitleLanguage); ${given.length} given`);
    pairs = given.map((g, i) => [KEYS[i], g]);
  }
  for (const [k, v] of pairs) {
    if (!KEYS.includes(k)) fail(`unknown setting ${JSON.stringify(k)} (settings: ${KEYS.join(', ')})`);
    if (v !== null && typeof v === 'object') fail(`${k} must be a string, number or boolean`);
    out[k] = v === null || v === undefined ? '' : String(v).trim();
  }
  return out;
}

/** The lowest-numbered instance path, or undefined when nothing matched. */
function firstPath(result) {
  const num = (p) => Number(p.slice(p.lastIndexOf('.') + 1));
  return [...result].map((r) => r.path).sort((x, y) => num(x) - num(y))[0];
}

function fail(message) {
  throw new Error(`iptv: ${message}`);
}
