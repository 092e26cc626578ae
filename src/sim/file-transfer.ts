import http from 'node:http';
import https from 'node:https';
import type { FaultStruct } from '../cwmp/soap/types';

/** What a finished transfer reports in TransferComplete. */
export interface TransferOutcome {
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
  bytes: number;
}

const OK: FaultStruct = { FaultCode: 0, FaultString: '' };
const TIMEOUT_MS = 60_000;

function authHeader(username: string, password: string): Record<string, string> {
  if (!username) return {};
  return { Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') };
}

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
function exchange(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; bytes: number }> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

async function transfer(rawUrl: string, method: 'GET' | 'PUT', auth: Record<string, string>, content: string | undefined, expectedSize = 0): Promise<TransferOutcome> {
  const upload = method === 'PUT';
  const startTime = new Date().toISOString();
  const done = (fault: FaultStruct, bytes = 0): TransferOutcome => ({ fault, startTime, completeTime: new Date().toISOString(), bytes });
  if (!/^https?:\/\//i.test(rawUrl)) return done({ FaultCode: 9013, FaultString: 'Unsupported protocol for file transfer' });
  try {
    const headers = upload ? { ...auth, 'Content-Type': 'application/octet-stream' } : auth;
    const res = await exchange(new URL(rawUrl), method, headers, content);
    if (res.status < 200 || res.status > 299) return done(statusFault(res.status, upload));
    if (!upload && expectedSize > 0 && res.bytes !== expectedSize) {
      return done({ FaultCode: 9018, FaultString: `File corrupted: ${res.bytes} bytes, expected ${expectedSize}` }, res.bytes);
    }
    return done(OK, upload ? Buffer.byteLength(content ?? '') : res.bytes);
  } catch (err) {
    return done(faultOf(err as NodeJS.ErrnoException, upload));
  }
}

/** Fetches a Download's file over HTTP(S), as a CPE would, and reports the outcome. */
export function downloadFile(url: string, username: string, password: string, fileSize: number): Promise<TransferOutcome> {
  return transfer(url, 'GET', authHeader(username, password), undefined, fileSize);
}

/** PUTs an Upload's file (a configuration or log the simulator makes up) to the URL. */
export function uploadFile(url: string, username: string, password: string, content: string): Promise<TransferOutcome> {
  return transfer(url, 'PUT', authHeader(username, password), content);
}
