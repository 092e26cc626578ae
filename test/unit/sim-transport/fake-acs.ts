import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../../../src/cwmp/http/body';

/** One request as the fake ACS received it. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Header names as sent, in order. */
  headerNames: string[];
  /** The bytes on the wire (after de-chunking). */
  raw: Buffer;
  /** The body as the ACS's own readBody() reads it (charset, gzip), or its error. */
  text: string;
  bodyError?: string;
  remotePort: number;
}

export type Handler = (r: Received, res: http.ServerResponse, req: http.IncomingMessage) => void;

/** A stand-in ACS: records every request, answers with `handler` (default 204). */
export class FakeAcs {
  readonly received: Received[] = [];
  handler: Handler = (_r, res) => {
    res.writeHead(204);
    res.end();
  };
  private readonly server = http.createServer((req, res) => void this.onRequest(req, res));
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/acs`;
  }

  /** TCP connections opened so far (distinct client ports). */
  get connections(): number {
    return new Set(this.received.map((r) => r.remotePort)).size;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const r: Received = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      headerNames: req.rawHeaders.filter((_v, i) => i % 2 === 0),
      raw: Buffer.alloc(0),
      text: '',
      remotePort: req.socket.remotePort ?? 0,
    };
    try {
      r.text = await readBody(req, 1 << 20);
    } catch (err) {
      r.bodyError = (err as Error).message;
    }
    r.raw = Buffer.concat(chunks);
    this.received.push(r);
    this.handler(r, res, req);
  }
}

/** A server that accepts connections and never answers (for timeouts). */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(() => undefined);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
