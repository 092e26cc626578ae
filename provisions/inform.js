/// <reference path="./index.d.ts" />
// inform: how and how often the device talks to the ACS.
//   args[0]  PeriodicInformInterval in seconds (default 3600)
//   args[1]  spread, percent of the interval (default 10): each device gets
//            an interval within ±spread, so a fleet that booted together
//            (a power cut) drifts apart instead of informing in lockstep
//   args[2]  secret for the connection-request credentials (optional; when
//            absent the device keeps its own). Username: the serial number;
//            password: derived from the secret and the serial number, so the
//            ACS can work it out again and no two devices share one.
// Works on TR-181 (Device.) and TR-098 (InternetGatewayDevice.) devices.

const interval = args.length > 0 ? Number(args[0]) : 3600;
const spreadPct = args.length > 1 ? Number(args[1]) : 10;
const secret = args.length > 2 ? String(args[2]) : '';
if (!Number.isInteger(interval) || interval < 1) throw new Error(`inform: args[0] must be a whole number of seconds, not ${JSON.stringify(args[0])}`);
if (!Number.isFinite(spreadPct) || spreadPct < 0 || spreadPct > 100) throw new Error(`inform: args[1] must be a percentage (0-100), not ${JSON.stringify(args[1])}`);

// The Inform always carries <root>.DeviceInfo.SoftwareVersion: no RPC to tell the models apart.
const root = declare('Device.DeviceInfo.SoftwareVersion').size > 0 ? 'Device' : 'InternetGatewayDevice';
const ms = `${root}.ManagementServer`;

// Math.random() is seeded per device and restarts with each run: the same
// device always draws the same offset, so the value never changes back and forth.
const spread = Math.floor((interval * spreadPct) / 100);
const offset = Math.floor(Math.random() * (2 * spread + 1)) - spread;
declare(`${ms}.PeriodicInformEnable`, null, { value: true });
declare(`${ms}.PeriodicInformInterval`, null, { value: Math.max(1, interval + offset) });

// Without a secret the device keeps its own credentials. (No log() about it:
// this runs in every session, and a logged line is a history row each time.)
const serial = String(declare('DeviceID.SerialNumber').value?.[0] ?? '');
if (secret !== '' && serial !== '') {
  // No value timestamps: the password reads back as "", so the ACS compares
  // with what it set last time and sends it only when it differs (never logged).
  declare(`${ms}.ConnectionRequestUsername`, null, { value: serial });
  declare(`${ms}.ConnectionRequestPassword`, null, { value: sha256Hex(`${secret}:${serial}`).slice(0, 24) });
}

/** SHA-256 of a string's UTF-8 bytes, as lowercase hex (FIPS 180-4). Scripts have no crypto module. */
function sha256Hex(text) {
  const bytes = [];
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  const bits = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  // Message length in bits, 64-bit big-endian (a script's strings stay far below 2^32 bits).
  bytes.push(0, 0, 0, 0, (bits >>> 24) & 255, (bits >>> 16) & 255, (bits >>> 8) & 255, bits & 255);

  // Constants: fractional parts of the square and cube roots of the first primes.
  const primes = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  const frac = (x) => ((x - Math.floor(x)) * 0x100000000) >>> 0;
  const k = primes.map((p) => frac(Math.cbrt(p)));
  const h = primes.slice(0, 8).map((p) => frac(Math.sqrt(p)));

  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const w = new Array(64);
  for (let i = 0; i < bytes.length; i += 64) {
    for (let t = 0; t < 16; t++) w[t] = ((bytes[i + 4 * t] << 24) | (bytes[i + 4 * t + 1] << 16) | (bytes[i + 4 * t + 2] << 8) | bytes[i + 4 * t + 3]) >>> 0;
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    for (const [j, v] of [a, b, c, d, e, f, g, hh].entries()) h[j] = (h[j] + v) >>> 0;
  }
  return h.map((v) => v.toString(16).padStart(8, '0')).join('');
}
