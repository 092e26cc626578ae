/** A local webhook receiver for the webhook suites: it checks every signature and records what it got. */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/webhooks';

export interface Received {
  id: string;
  event: string;
  device: string | null;
  data: Record<string, unknown>;
  header: string;
}

export const SECRET = 'a-secret-of-at-least-16';

/** A receiver on a fixed port that can be shut and opened again; it records what it got, and whether each signature was good. */
export class Receiver {
  readonly got: Received[] = [];
  bad = 0;
  /** Connections the receiver accepted. */
  connections = 0;
  /** Deliveries answered 500 (by `refuse`), not counted in `got`. */
  readonly refused: Received[] = [];
  refuse: (p: Received) => boolean = () => false;
  private server: http.Server | null = null;
  port = 0;

  async open(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = String(req.headers['x-acs-signature'] ?? '');
        if (!verifySignature(SECRET, body, header)) this.bad++;
        const p = JSON.parse(body) as Received;
        assert.equal(req.headers['x-acs-delivery'], p.id);
        const refused = this.refuse(p);
        (refused ? this.refused : this.got).push({ ...p, header });
        res.statusCode = refused ? 500 : 204;
        res.end();
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async shut(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server?.closeAllConnections();
    this.server = null;
  }

  url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }
}

