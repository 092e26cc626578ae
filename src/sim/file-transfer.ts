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
function faultOf(err: unknown, upload: boolean): FaultStruct {
  const code = (err as { cause?: { code?: string } }).cause?.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return { FaultCode: 9015, FaultString: `Unable to contact file server (${code})` };
  }
  return { FaultCode: upload ? 9011 : 9010, FaultString: `${upload ? 'Upload' : 'Download'} failure: ${(err as Error).message}`.slice(0, 256) };
}

function statusFault(status: number, upload: boolean): FaultStruct {
  if (status === 401 || status === 403) return { FaultCode: 9012, FaultString: `File transfer server authentication failure (HTTP ${status})` };
  if (!upload && status === 404) return { FaultCode: 9016, FaultString: 'Unable to access file (HTTP 404)' };
  return { FaultCode: upload ? 9011 : 9010, FaultString: `${upload ? 'Upload' : 'Download'} failure (HTTP ${status})` };
}

async function transfer(url: string, init: RequestInit, upload: boolean, expectedSize = 0): Promise<TransferOutcome> {
  const startTime = new Date().toISOString();
  const done = (fault: FaultStruct, bytes = 0): TransferOutcome => ({ fault, startTime, completeTime: new Date().toISOString(), bytes });
  if (!/^https?:\/\//i.test(url)) return done({ FaultCode: 9013, FaultString: 'Unsupported protocol for file transfer' });
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = Buffer.from(await res.arrayBuffer());
    if (!res.ok) return done(statusFault(res.status, upload));
    if (!upload && expectedSize > 0 && body.length !== expectedSize) {
      return done({ FaultCode: 9018, FaultString: `File corrupted: ${body.length} bytes, expected ${expectedSize}` }, body.length);
    }
    return done(OK, upload ? Number(init.body ? String(init.body).length : 0) : body.length);
  } catch (err) {
    return done(faultOf(err, upload));
  }
}

/** Fetches a Download's file over HTTP(S), as a CPE would, and reports the outcome. */
export function downloadFile(url: string, username: string, password: string, fileSize: number): Promise<TransferOutcome> {
  return transfer(url, { headers: authHeader(username, password) }, false, fileSize);
}

/** PUTs an Upload's file (a configuration or log the simulator makes up) to the URL. */
export function uploadFile(url: string, username: string, password: string, content: string): Promise<TransferOutcome> {
  return transfer(url, { method: 'PUT', body: content, headers: { ...authHeader(username, password), 'Content-Type': 'application/octet-stream' } }, true);
}
