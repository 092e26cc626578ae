import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode } from '../cwmp/soap/decode';
import { encode } from '../cwmp/soap/encode';
import { startFanOutFloor } from './fan-out-floor';

/**
 * The benchmark's floor: the least a CWMP server can do for a periodic
 * session — read the body, parse the Inform, build the InformResponse, and
 * answer the empty POST with 204 — with no storage, no Redis and no engine.
 * Our throughput divided by this one's is the number we drive towards 1.
 */
export function startFloorResponder(port = 0): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(Buffer.concat(chunks).toString('utf8'), res));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server }));
  });
}

/** `acs floor`: runs the responder as its own process, announced like `acs start` so spawnAcs can wait for it. */
export async function runFloor(argv: string[]): Promise<void> {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0 to 65535), not "${argv[i + 1] ?? ''}"`);
  if (argv.includes('--fan-out')) {
    const floor = await startFanOutFloor(port);
    console.log(JSON.stringify({ msg: 'acs started', cwmpPort: floor.cwmpPort, nbiPort: floor.nbiPort }));
  } else {
    const floor = await startFloorResponder(port);
    console.log(JSON.stringify({ msg: 'acs started', cwmpPort: floor.port, nbiPort: null }));
  }
  process.on('SIGTERM', () => process.exit(0));
}

function answer(body: string, res: http.ServerResponse): void {
  if (body.trim() === '') {
    res.writeHead(204).end();
    return;
  }
  const decoded = decode(body);
  if (!decoded.ok || decoded.envelope.body.method !== 'Inform') {
    res.writeHead(400).end();
    return;
  }
  const xml = encode({
    header: { ID: decoded.envelope.header.ID },
    body: { method: 'InformResponse', MaxEnvelopes: 1 },
    namespace: decoded.envelope.namespace,
  });
  res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Set-Cookie': 'session=floor; Path=/' }).end(xml);
}
