/// <reference path="./index.d.ts" />
// voip: one SIP line (TR-104) set up from a subscriber's account.
//
// Args, by name ("key=value", any order) or by position:
//   ["number=+3215551234", "user=sip3215551234", "password=s3cret", "registrar=sip.example.net:5060", ...]
//   ["+3215551234", "sip3215551234", "s3cret", "sip.example.net:5060", proxy?, outboundProxy?, domain?, codecs?, uri?]
// or one JSON object (a string starting with "{") with the same keys:
//   number         directory number of the line (DirectoryNumber)
//   user           SIP digest user name (AuthUserName)
//   password       SIP digest password (AuthPassword; never read back, never logged)
//   registrar      registrar "host[:port]" (RegistrarServer / RegistrarServerPort)
//   proxy          proxy "host[:port]" (ProxyServer / ProxyServerPort)
//   outboundProxy  outbound proxy "host[:port]" (OutboundProxy / OutboundProxyPort)
//   domain         SIP domain (UserAgentDomain)
//   uri            the line's SIP URI (v1 Line.SIP.URI, v2 SIP.Client.RegisterURI)
//   transport      UDP, TCP or TLS, for registrar, proxy and user agent
//   codecs         codecs in order of preference, "G.711ALaw,G.729": only these are used
//   enable         true (default) or false: the line (and its SIP client) on or off
//   line           which line, 1 (default) = the lowest-numbered; created when missing
// Missing or "" leaves that setting as the device has it.
//
// TR-104 issue 2 (VoiceService.{i}.CallControl.Line, SIP.Client, SIP.Network,
// CodecProfile: TR-181 devices) and issue 1 (VoiceService.{i}.VoiceProfile.{i}
// with its Line.{i}: TR-098 gateways, some TR-181 ones), told apart by what
// the device has; instances are added where the device lets the ACS add them.

const KEYS = ['number', 'user', 'password', 'registrar', 'proxy', 'outboundProxy', 'domain', 'codecs', 'uri', 'transport', 'enable', 'line'];
const a = readArgs();
const enable = a.enable === '' ? true : bool(a.enable, 'enable');
const lineNo = a.line === '' ? 1 : Number(a.line);
if (!Number.isInteger(lineNo) || lineNo < 1 || lineNo > 64) fail(`line must be a line number from 1 to 64, not ${JSON.stringify(a.line)}`);
const transport = a.transport.toUpperCase();
if (transport !== '' && !['UDP', 'TCP', 'TLS'].includes(transport)) fail(`transport must be UDP, TCP or TLS, not ${JSON.stringify(a.transport)}`);
if (a.number.length > 32) fail('number has at most 32 characters');
if (a.user.length > 128 || a.password.length > 128) fail('user and password have at most 128 characters each');
const registrar = hostPort(a.registrar, 'registrar');
const proxy = hostPort(a.proxy, 'proxy');
const outbound = hostPort(a.outboundProxy, 'outboundProxy');
const codecs = a.codecs === '' ? [] : a.codecs.split(',').map((c) => c.trim()).filter((c) => c !== '');
if (new Set(codecs).size !== codecs.length) fail(`codecs lists a codec twice: ${a.codecs}`);

// The Inform always carries <root>.DeviceInfo.SoftwareVersion: no RPC to tell the roots apart.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';
const service = firstPath(declare(`${root}.Services.VoiceService.*`, { path: 1 }));
if (service === undefined) fail(`this device has no ${root}.Services.VoiceService (TR-104)`);
if (declare(`${service}.CallControl.Line`, { path: 1 }).size > 0) issue2(service);
else if (declare(`${service}.VoiceProfile`, { path: 1 }).size > 0) issue1(service);
else fail(`${service} has neither CallControl.Line (TR-104 issue 2) nor VoiceProfile (issue 1)`);

/** TR-104 issue 2: the line refers to its SIP client (Provider), the client to its network (Network). */
function issue2(vs) {
  // The codecs are checked before anything is declared: reading commits what was declared before.
  const profiles = codecs.length > 0 ? codecProfiles(vs) : [];
  const line = nth(`${vs}.CallControl.Line`, lineNo);
  // Line n's own client (another line's would get this account too); networks are shared.
  const client = linked(`${line}.Provider`, `${vs}.SIP.Client`, lineNo);
  const network = linked(`${client}.Network`, `${vs}.SIP.Network`, 1);
  set(`${line}.Enable`, enable);
  set(`${line}.DirectoryNumber`, a.number);
  set(`${client}.Enable`, enable);
  set(`${client}.AuthUserName`, a.user);
  secret(`${client}.AuthPassword`, a.password);
  set(`${client}.RegisterURI`, a.uri);
  if (enable) set(`${network}.Enable`, true);
  sipServers(network);
  if (codecs.length > 0) {
    for (const profile of profiles) set(`${profile}.Enable`, true);
    set(`${network}.CodecList`, profiles.join(','));
  }
}

/** TR-104 issue 1: servers on the profile, the account on its line, codecs in the line's list. */
function issue1(vs) {
  const profile = nth(`${vs}.VoiceProfile`, 1);
  const line = nth(`${profile}.Line`, lineNo);
  // The codecs are checked before the line is declared: reading commits what was declared before.
  const ranks = codecs.length > 0 ? codecPriorities(`${line}.Codec.List`) : new Map();
  if (enable) set(`${profile}.Enable`, 'Enabled'); // an enumeration in issue 1, not a boolean
  set(`${line}.Enable`, enable ? 'Enabled' : 'Disabled');
  set(`${line}.DirectoryNumber`, a.number);
  set(`${line}.SIP.AuthUserName`, a.user);
  secret(`${line}.SIP.AuthPassword`, a.password);
  set(`${line}.SIP.URI`, a.uri);
  sipServers(`${profile}.SIP`);
  for (const [entry, rank] of ranks) {
    set(`${entry}.Enable`, rank >= 0);
    if (rank >= 0) set(`${entry}.Priority`, rank + 1);
  }
}

/** Registrar, proxy, outbound proxy, domain and transports: the same names in issue 2's SIP.Network and issue 1's VoiceProfile.SIP. */
function sipServers(at) {
  if (registrar) {
    set(`${at}.RegistrarServer`, registrar.host);
    if (registrar.port !== undefined) set(`${at}.RegistrarServerPort`, registrar.port);
  }
  if (proxy) {
    set(`${at}.ProxyServer`, proxy.host);
    if (proxy.port !== undefined) set(`${at}.ProxyServerPort`, proxy.port);
  }
  if (outbound) {
    set(`${at}.OutboundProxy`, outbound.host);
    if (outbound.port !== undefined) set(`${at}.OutboundProxyPort`, outbound.port);
  }
  set(`${at}.UserAgentDomain`, a.domain);
  for (const name of ['RegistrarServerTransport', 'ProxyServerTransport', 'UserAgentTransport']) set(`${at}.${name}`, transport);
}

/** Issue 2: the CodecProfile of each wanted codec (its Codec refers to a Capabilities.Codec row), in the wanted order, enabled. */
function codecProfiles(vs) {
  const names = new Map(); // Capabilities.Codec row -> codec name
  for (const c of declare(`${vs}.Capabilities.Codec.*.Codec`, { path: 1, value: 1 })) {
    if (c.value !== undefined) names.set(c.path.slice(0, -'.Codec'.length), String(c.value[0]));
  }
  const profiles = new Map(); // codec name -> CodecProfile row
  for (const p of declare(`${vs}.CodecProfile.*.Codec`, { path: 1, value: 1 })) {
    const ref = p.value === undefined ? '' : String(p.value[0]).replace(/\.$/, '');
    const name = names.get(ref);
    if (name !== undefined && !profiles.has(name)) profiles.set(name, p.path.slice(0, -'.Codec'.length));
  }
  return codecs.map((codec) => {
    const profile = profiles.get(codec);
    if (profile === undefined) fail(`codec ${codec} is not one this device offers (${[...profiles.keys()].join(', ') || 'none'})`);
    return profile;
  });
}

/** Issue 1: each entry of the line's codec list with its rank among the wanted codecs (-1: not wanted, to disable). */
function codecPriorities(list) {
  // A codec may have several entries (one per packetization period, say): each gets the codec's rank.
  const entries = [...declare(`${list}.*.Codec`, { path: 1, value: 1 })].map((c) => [c.path.slice(0, -'.Codec'.length), c.value === undefined ? '' : String(c.value[0])]);
  const offered = new Set(entries.map(([, name]) => name));
  for (const codec of codecs) {
    if (!offered.has(codec)) fail(`codec ${codec} is not in ${list} (${[...offered].join(', ') || 'empty'})`);
  }
  return new Map(entries.map(([entry, name]) => [entry, codecs.indexOf(name)]));
}

/** The n-th instance of a table (by number), added when the table has fewer and takes new ones. */
function nth(table, n) {
  const have = sorted(declare(`${table}.*`, { path: 1 }));
  if (have.length >= n) return have[n - 1];
  if (declare(table, { writable: 1 }).writable === false) fail(`${table} has ${have.length} instance(s) and takes no new ones: no instance ${n}`);
  const now = sorted(declare(`${table}.*`, { path: 1 }, { path: [n, 1 << 20] }));
  if (now.length < n) fail(`${table}: the device did not add instance ${n}`);
  return now[n - 1];
}

/**
 * The row a reference parameter names, when it is a row of `table`; else
 * the table's n-th row (added if missing), and the reference set to it.
 */
function linked(refParam, table, n) {
  const current = declare(refParam, { value: 1 }).value;
  const ref = current === undefined ? '' : String(current[0]).replace(/\.$/, '');
  if (ref.startsWith(`${table}.`) && declare(ref, { path: 1 }).size > 0) return ref;
  const row = nth(table, n);
  set(refParam, row);
  return row;
}

/** Declares a value; "" leaves the parameter alone. Nothing is declared on a path the device lacks. */
function set(path, value) {
  if (value === '') return;
  declare(path, { value: 1 }, { value });
}

/** A secret: compared with what the ACS set last, never read (devices report ""). */
function secret(path, value) {
  if (value !== '') declare(path, null, { value });
}

function hostPort(text, what) {
  if (text === '') return undefined;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535)) fail(`${what} must be host or host:port, not ${JSON.stringify(text)}`);
  // The parameters take a host name or an IP address: an IPv6 address without the URI's brackets.
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: m[2] === undefined ? undefined : Number(m[2]) };
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
    if (given.length > 9) fail(`at most 9 args by position (number, user, password, registrar, proxy, outboundProxy, domain, codecs, uri); ${given.length} given`);
    pairs = given.map((g, i) => [KEYS[i], g]);
  }
  for (const [k, v] of pairs) {
    if (!KEYS.includes(k)) fail(`unknown setting ${JSON.stringify(k)} (settings: ${KEYS.join(', ')})`);
    if (v !== null && typeof v === 'object') fail(`${k} must be a string, number or boolean`);
    out[k] = v === null || v === undefined ? '' : String(v).trim();
  }
  return out;
}

/** Instance paths sorted by number ("X.2" before "X.10"). */
function sorted(result) {
  const num = (p) => Number(p.slice(p.lastIndexOf('.') + 1));
  return [...result].map((r) => r.path).sort((x, y) => num(x) - num(y));
}

function firstPath(result) {
  return sorted(result)[0];
}

/** Bad args or a device that cannot take the line fault the channel (shown per device), never half-configure it. */
function fail(message) {
  throw new Error(`voip: ${message}`);
}
