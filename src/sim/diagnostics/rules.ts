/**
 * THE SIMULATED NETWORK: how a simulated CPE's diagnostics turn out. Tests and
 * ACS workflows may rely on every rule here; results are deterministic
 * (functions of the inputs only), except Download/Upload, which really
 * transfer over HTTP(S) and measure.
 *
 * Requesting (SetParameterValues, TR-106 DiagnosticsState):
 *  - DiagnosticsState accepts only "Requested" (and "Canceled" where the
 *    model lists it, e.g. TR-181 2.17; CSV dumps: "Requested" only): 9007.
 *  - Setting Requested with an empty Host (IPPing, TraceRoute), DownloadURL,
 *    UploadURL or HostName (NSLookup): 9007 on DiagnosticsState. A
 *    DownloadURL/UploadURL that is not http:// or https://: 9007 on it.
 *    NumberOfRepetitions, Timeout >= 1; DataBlockSize 1-65535; DSCP 0-63;
 *    EthernetPriority 0-7; MaxHopCount 1-64; NumberOfTries 1-3: else 9007.
 *  - The test starts after the session (after `diagnosticsDelayMs`, default
 *    50 ms); DiagnosticsState reads "Requested" until it ends.
 *  - Writing any other parameter of the object sets DiagnosticsState to
 *    "None" and ends a test in progress (no result, no event). Requested
 *    again restarts it with the current inputs; Canceled ends it ("None").
 *    A reboot ends it ("None").
 *  - At the end: results, DiagnosticsState, then a session with
 *    "8 DIAGNOSTICS COMPLETE" (errors included, never for a canceled test).
 *
 * Names and addresses (Host, HostName, DNSServer, URL hosts):
 *  - "" or a name ending in ".invalid" (RFC 6761) does not resolve.
 *  - "localhost" is 127.0.0.1; an IP literal is itself; any other name
 *    resolves to 198.18.x.y (RFC 2544 benchmarking space), x.y from an FNV-1a
 *    hash of the lower-cased name ({@link resolveHost}).
 *  - TEST-NET addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 *    2001:db8::/32, RFC 5737/3849) are unreachable: nothing answers.
 *
 * IPPing: unresolvable Host -> Error_CannotResolveHostName. Unreachable ->
 *   "Complete" with SuccessCount 0, FailureCount = NumberOfRepetitions and
 *   response times 0. Otherwise repetition i (0-based) takes
 *   base + (i mod 3) ms, base = 1 + hash mod 30 ({@link pingRttMs}); a
 *   repetition slower than Timeout (ms) fails.
 * TraceRoute: unresolvable Host -> Error_CannotResolveHostName. The path has
 *   {@link hopCount} hops: N for a name "hops-N.<anything>", 1 for 127.0.0.0/8,
 *   else 4 + hash mod 5. MaxHopCount below that, or an unreachable Host ->
 *   Error_MaxHopCountExceeded. Hop k < N is 100.64.<hash mod 256>.<k>, the
 *   last hop is the Host's address (Host = the name as given); RTTimes has
 *   NumberOfTries values of base + 2k + try ms; ResponseTime = the last hop's
 *   first RTT.
 * NSLookup: unresolvable DNSServer -> Error_DNSServerNotResolved. Otherwise
 *   "Complete" with one Result per repetition: an unreachable DNSServer gives
 *   Status Error_DNSServerNotAvailable, an unresolvable HostName
 *   Error_HostNameNotResolved (AnswerType None), a Timeout (ms) below the
 *   response time Error_Timeout, else Success (NonAuthoritative, the
 *   HostName's address, ResponseTime = base ms). DNSServer "" means
 *   100.64.0.53.
 * Download / Upload (TR-143), really over HTTP(S): unresolvable host ->
 *   Error_CannotResolveHostName (TR-098: Error_InitConnectionFailed);
 *   unreachable host, or a refused connection -> Error_InitConnectionFailed;
 *   an HTTP status other than 2xx -> Error_TransferFailed (TR-098 Upload:
 *   Error_NoTransferComplete); fewer bytes than Content-Length ->
 *   Error_IncorrectSize; no answer in 30 s -> Error_Timeout. Success:
 *   "Complete" (TR-098: "Completed") with ROM/BOM/EOM and TCP open times and
 *   byte counts measured. Upload PUTs TestFileLength bytes.
 */
import { isIP } from 'node:net';

/** FNV-1a, 32 bits, of the lower-cased text. */
export function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text.toLowerCase()) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export type Resolution = { readonly ok: true; readonly address: string } | { readonly ok: false };

/** The simulated DNS. */
export function resolveHost(host: string): Resolution {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === '' || name === 'invalid' || name.endsWith('.invalid')) return { ok: false };
  if (isIP(name)) return { ok: true, address: name };
  if (name === 'localhost') return { ok: true, address: '127.0.0.1' };
  const h = hashOf(name);
  return { ok: true, address: `198.18.${(h >>> 8) & 0xff}.${(h % 254) + 1}` };
}

const TEST_NETS = ['192.0.2.', '198.51.100.', '203.0.113.'];

/** TEST-NET addresses: routed nowhere, nothing answers. */
export function isUnreachable(address: string): boolean {
  const a = address.toLowerCase();
  return TEST_NETS.some((p) => a.startsWith(p)) || /^2001:0?db8:/.test(a);
}

/** Round-trip time of ping repetition `i` (0-based) to `host`, in ms. */
export function pingRttMs(host: string, i: number): number {
  return 1 + (hashOf(host.trim()) % 30) + (i % 3);
}

/** Hops from the CPE to `host` on the simulated path. */
export function hopCount(host: string): number {
  const named = /^hops-(\d+)\./i.exec(host.trim());
  if (named) return Math.max(1, Number(named[1]));
  const r = resolveHost(host);
  if (r.ok && r.address.startsWith('127.')) return 1;
  return 4 + (hashOf(host.trim()) % 5);
}

/** The default DNS server of a simulated CPE (DNSServer ""). */
export const DEFAULT_DNS_SERVER = '100.64.0.53';
