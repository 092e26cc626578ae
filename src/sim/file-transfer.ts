/**
 * A CPE's file transfers over HTTP(S), as strict real CPEs make them: no
 * credentials up front; a 401 is answered once with the Download/Upload
 * RPC's Username/Password (Digest preferred, else Basic), and refused
 * credentials end the transfer with fault 9012. Options copy real behaviour:
 * fetching an image in Range requests of a fixed size (CPEs with little RAM,
 * or resuming), and dropping a URL's query string (seen in CPE software that
 * cuts the URL at "?").
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { FaultStruct } from '../cwmp/soap/types';
import { pickChallenge, SessionAuth } from './transport/client-auth';

/** What a finished transfer reports in TransferComplete, and what the simulator saw (for tests). */
export interface TransferOutcome {
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
  bytes: number;
  /** SHA-256 (hex) of the bytes downloaded; absent for uploads and failures. */
  sha256?: string;
  /** HTTP statuses of every request the transfer made, in order. */
  statuses: number[];
}

export interface TransferOptions {
  /** For https URLs: the CAs trusted and the client certificate presented (the CPE's, see AcsClient.tls). */
  tls?: https.RequestOptions;
}

export interface DownloadOptions extends TransferOptions {
  /** Fetch in Range requests of this many bytes (0: one plain GET). */
  rangeBytes?: number;
  /** Cut the URL at "?" before fetching. */
  dropQuery?: boolean;
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const OK: FaultStruct = { FaultCode: 0, FaultString: '' };
const TIMEOUT_MS = 60_000;
/** A server that keeps answering short ranges is not followed forever. */
const MAX_RANGE_REQUESTS = 100_000;

/** TR-069 A.3.3.2 fault codes for what can go wrong while fetching or sending a file. */
function faultOf(err: NodeJS.ErrnoException, upload: boolean): FaultStruct {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
    return { FaultCode: 9015, FaultString: `Unable to contact file server (${code})` };
  }
  return { FaultCode: upload ? 9011 : 9010, FaultString: `${upload ? 'Upload' : 'Download'} failure: ${err.message}`.slice(0, 256) };
}

function statusFault(status: number, upload: boolean): FaultStruct {
  if (status === 401 || status === 403) return { FaultCode: 9012, FaultString: `File transfer server authentication failure (HTTP ${status})` };
  if (!upload && status === 404) return { FaultCode: 9016, FaultString: 'Unable to access file (HTTP 404)' };
  return { FaultCode: upload ? 9011 : 9010, FaultString: `${upload ? 'Upload' : 'Download'} failure (HTTP ${status})` };
}

/** One HTTP(S) exchange with node:http (fetch refuses some ports a file server may well use). */
function exchange(url: URL, tls: https.RequestOptions, method: string, headers: Record<string, string>, body?: string): Promise<Response> {
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...(secure ? tls : {}), method, headers, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

function headerList(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : value ? [value] : [];
}

/** Makes requests to one URL, answering the server's authentication challenge once, as a CPE does. */
class Requester {
  readonly statuses: number[] = [];
  private readonly auth: SessionAuth;
  private readonly canAuthenticate: boolean;

  constructor(private readonly url: URL, username: string, password: string, private readonly tls: https.RequestOptions = {}) {
    this.auth = new SessionAuth({ username, password }, false);
    this.canAuthenticate = username !== '';
  }

  async send(method: string, headers: Record<string, string>, body?: string): Promise<Response> {
    const uri = this.url.pathname + this.url.search;
    // The first try without credentials, then one answer to the challenge (two if the server calls the nonce stale).
    for (let answered = 0; ; answered++) {
      const authorization = this.auth.header(method, uri);
      const res = await exchange(this.url, this.tls, method, authorization ? { ...headers, Authorization: authorization } : headers, body);
      this.statuses.push(res.status);
      if (res.status !== 401 || !this.canAuthenticate || answered >= 2) return res;
      const challenge = pickChallenge(headerList(res.headers['www-authenticate']));
      if (answered === 1 && !(challenge?.scheme === 'digest' && challenge.stale)) return res;
      if (!this.auth.challenged(challenge, authorization)) return res;
    }
  }
}

/** Stamps an outcome with the transfer's start (now) and completion (when called) times. */
function timed(): (r: Omit<TransferOutcome, 'startTime' | 'completeTime' | 'bytes'> & { bytes?: number }) => TransferOutcome {
  const startTime = new Date().toISOString();
  return (r) => ({ bytes: 0, ...r, startTime, completeTime: new Date().toISOString() });
}

/** Fetches a Download's file over HTTP(S), as a CPE would, and reports the outcome. */
export async function downloadFile(rawUrl: string, username: string, password: string, fileSize: number, options: DownloadOptions = {}): Promise<TransferOutcome> {
  const done = timed();
  const target = options.dropQuery ? rawUrl.split('?')[0] : rawUrl;
  if (!/^https?:\/\//i.test(target)) return done({ fault: { FaultCode: 9013, FaultString: 'Unsupported protocol for file transfer' }, statuses: [] });
  const requester = new Requester(new URL(target), username, password, options.tls);
  try {
    const got = await fetchAll(requester, options.rangeBytes ?? 0);
    if ('status' in got) return done({ fault: statusFault(got.status, false), statuses: requester.statuses });
    if (fileSize > 0 && got.bytes !== fileSize) {
      return done({ fault: { FaultCode: 9018, FaultString: `File corrupted: ${got.bytes} bytes, expected ${fileSize}` }, bytes: got.bytes, statuses: requester.statuses });
    }
    return done({ fault: OK, ...got, statuses: requester.statuses });
  } catch (err) {
    return done({ fault: faultOf(err as NodeJS.ErrnoException, false), statuses: requester.statuses });
  }
}

/** The whole file (hashed), or the failing status. Range answers must be 206 with the asked Content-Range, or a 200 with everything. */
async function fetchAll(requester: Requester, rangeBytes: number): Promise<{ bytes: number; sha256: string } | { status: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (let i = 0; i < MAX_RANGE_REQUESTS; i++) {
    const range = rangeBytes > 0 ? `bytes=${bytes}-${bytes + rangeBytes - 1}` : undefined;
    const res = await requester.send('GET', range ? { Range: range } : {});
    if (res.status === 200) return { bytes: res.body.length, sha256: createHash('sha256').update(res.body).digest('hex') };
    if (res.status !== 206 || !range) return { status: res.status === 206 ? 502 : res.status };
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== bytes || Number(m[2]) - Number(m[1]) + 1 !== res.body.length) return { status: 502 };
    hash.update(res.body);
    bytes += res.body.length;
    if (bytes >= Number(m[3])) return { bytes, sha256: hash.digest('hex') };
  }
  return { status: 502 };
}

/** PUTs an Upload's file (a configuration or log the simulator makes up) to the URL. */
export async function uploadFile(rawUrl: string, username: string, password: string, content: string, options: TransferOptions = {}): Promise<TransferOutcome> {
  const done = timed();
  if (!/^https?:\/\//i.test(rawUrl)) return done({ fault: { FaultCode: 9013, FaultString: 'Unsupported protocol for file transfer' }, statuses: [] });
  const requester = new Requester(new URL(rawUrl), username, password, options.tls);
  try {
    const res = await requester.send('PUT', { 'Content-Type': 'application/octet-stream' }, content);
    if (res.status < 200 || res.status > 299) return done({ fault: statusFault(res.status, true), statuses: requester.statuses });
    return done({ fault: OK, bytes: Buffer.byteLength(content), statuses: requester.statuses });
  } catch (err) {
    return done({ fault: faultOf(err as NodeJS.ErrnoException, true), statuses: requester.statuses });
  }
}
