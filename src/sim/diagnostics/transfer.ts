/**
 * DownloadDiagnostics and UploadDiagnostics (TR-143), performed for real over
 * HTTP(S) with node:http and timed at the points TR-143 names: TCP open
 * request/response, ROM (request sent), BOM (first payload byte), EOM (last).
 * The error mapping is in rules.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { failed, numberInput, type DiagnosticResult, type Inputs } from './result';
import { isUnreachable, resolveHost } from './rules';

const TIMEOUT_MS = 30_000;
const CHUNK = Buffer.alloc(64 * 1024);

/** TR-143 times: UTC with microseconds. */
function at(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

interface Timing {
  tcpRequest: number;
  tcpResponse: number;
  rom: number;
  bom: number;
  eom: number;
  socket?: Socket;
}

/** The state an error of node's HTTP client maps to. */
function errorStateOf(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'Error_CannotResolveHostName';
  if (err.code === 'ETIMEDOUT') return 'Error_Timeout';
  if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return 'Error_InitConnectionFailed';
  return 'Error_TransferFailed';
}

/** Checks the URL's host against the simulated network first; undefined when it may be tried for real. */
function precheck(rawUrl: string): { url?: URL; error?: string } {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { error: 'Error_InitConnectionFailed' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'Error_NoTransferMode' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const resolved = resolveHost(host);
  if (!resolved.ok) return { error: 'Error_CannotResolveHostName' };
  if (isUnreachable(resolved.address)) return { error: 'Error_InitConnectionFailed' };
  return { url };
}

interface Exchange {
  status: number;
  bytes: number;
  expected?: number;
  timing: Timing;
}

/** One request on a fresh connection, timed. */
function exchange(url: URL, method: 'GET' | 'PUT', length: number): Promise<Exchange> {
  const timing: Timing = { tcpRequest: Date.now(), tcpResponse: 0, rom: 0, bom: 0, eom: 0 };
  const request = url.protocol === 'https:' ? https.request : http.request;
  const headers = method === 'PUT' ? { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) } : {};
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        if (bytes === 0 && method === 'GET') timing.bom = Date.now();
        bytes += c.length;
      });
      res.on('end', () => {
        timing.eom = Date.now();
        const expected = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
        resolve({ status: res.statusCode ?? 0, bytes, expected, timing });
      });
      res.on('error', reject);
    });
    req.on('socket', (s: Socket) => {
      timing.socket = s;
      s.once('connect', () => (timing.tcpResponse = Date.now()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    timing.rom = Date.now();
    if (method === 'GET') return void req.end();
    timing.bom = Date.now();
    writeBody(req, length);
  });
}

/** Streams `length` zero bytes. */
function writeBody(req: http.ClientRequest, length: number): void {
  let left = length;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
    }
    req.end();
  };
  pump();
}

function times(t: Timing): Record<string, string> {
  return {
    TCPOpenRequestTime: at(t.tcpRequest),
    TCPOpenResponseTime: at(t.tcpResponse || t.rom),
    ROMTime: at(t.rom),
    BOMTime: at(t.bom || t.eom),
    EOMTime: at(t.eom),
  };
}

export async function runDownload(inputs: Inputs): Promise<DiagnosticResult> {
  const { url, error } = precheck(inputs('DownloadURL'));
  if (!url) return failed(error ?? 'Error_Other');
  try {
    const x = await exchange(url, 'GET', 0);
    if (x.status < 200 || x.status > 299) return failed('Error_TransferFailed');
    if (x.expected !== undefined && x.expected !== x.bytes) return failed('Error_IncorrectSize');
    const total = String(x.timing.socket?.bytesRead ?? x.bytes);
    return {
      state: 'Complete',
      values: { ...times(x.timing), TestBytesReceived: String(x.bytes), TotalBytesReceived: total, TotalBytesSent: String(x.timing.socket?.bytesWritten ?? 0) },
    };
  } catch (err) {
    return failed(errorStateOf(err as NodeJS.ErrnoException));
  }
}

export async function runUpload(inputs: Inputs): Promise<DiagnosticResult> {
  const { url, error } = precheck(inputs('UploadURL'));
  if (!url) return failed(error ?? 'Error_Other');
  const length = numberInput(inputs, 'TestFileLength', 0);
  try {
    const x = await exchange(url, 'PUT', length);
    if (x.status < 200 || x.status > 299) return failed('Error_TransferFailed');
    const total = String(x.timing.socket?.bytesWritten ?? length);
    return {
      state: 'Complete',
      values: { ...times(x.timing), TestBytesSent: String(length), TotalBytesSent: total, TotalBytesReceived: String(x.timing.socket?.bytesRead ?? 0) },
    };
  } catch (err) {
    return failed(errorStateOf(err as NodeJS.ErrnoException));
  }
}
