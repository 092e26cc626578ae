/**
 * A stand-in ACS for the simulator's session tests: answers each CPE's Inform
 * and TransferComplete, then sends the requests queued for that device (by
 * serial number) one at a time, and records everything the devices sent,
 * decoded with our own decoder. The session is tied to the device by a cookie.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decode } from '../../src/cwmp/soap/decode';
import { encode } from '../../src/cwmp/soap/encode';
import type { AcsRequest, CpeRequest, CwmpMessage, Inform } from '../../src/cwmp/soap/types';

const NS = 'urn:dslforum-org:cwmp-1-2';

export interface Exchange {
  serial: string;
  /** What the device sent: its Inform, TransferComplete, or its answer to a queued request. */
  message: CwmpMessage;
}

/**
 * Runs before the ACS answers a device's Inform or TransferComplete: it may
 * hold the answer back (the device waits, as on a slow ACS) or return the
 * answer to send instead (a Fault).
 */
export type Intercept = (serial: string, message: CwmpMessage) => Promise<CwmpMessage | void> | CwmpMessage | void;

export class ScriptedAcs {
  readonly received: Exchange[] = [];
  intercept: Intercept | null = null;
  private readonly queues = new Map<string, CpeRequest[]>();
  private readonly server = http.createServer((req, res) => void this.onRequest(req, res));
  private readonly sockets = new Set<Socket>();
  private nextId = 1;

  async start(): Promise<string> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/acs`;
  }

  /** Requests for the device's next session(s), sent in order after its Inform. */
  queue(serial: string, ...requests: CpeRequest[]): void {
    this.queues.set(serial, [...(this.queues.get(serial) ?? []), ...requests]);
  }

  /** The Informs a device sent, in order. */
  informs(serial: string): Inform[] {
    return this.received.filter((x) => x.serial === serial && x.message.method === 'Inform').map((x) => x.message as Inform);
  }

  /** Event codes of every Inform of a device, one list per Inform. */
  events(serial: string): string[][] {
    return this.informs(serial).map((i) => i.Event.map((e) => e.EventCode));
  }

  /** Messages of one method a device sent. */
  messages<M extends CwmpMessage['method']>(serial: string, method: M): Extract<CwmpMessage, { method: M }>[] {
    return this.received.filter((x) => x.serial === serial && x.message.method === method).map((x) => x.message as Extract<CwmpMessage, { method: M }>);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let serial = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
    if (text.trim() === '') return this.next(serial, res);
    const decoded = decode(text);
    if (!decoded.ok) return void res.writeHead(400).end(decoded.reason);
    const { header, body } = decoded.envelope;
    if (body.method === 'Inform') serial = body.DeviceId.SerialNumber;
    this.received.push({ serial, message: body });
    if (body.method !== 'Inform' && body.method !== 'TransferComplete') return this.next(serial, res);
    const instead = await this.intercept?.(serial, body);
    const answer: CwmpMessage = body.method === 'Inform' ? { method: 'InformResponse', MaxEnvelopes: 1 } : { method: 'TransferCompleteResponse' };
    this.send(res, instead ?? answer, header.ID, serial);
  }

  private next(serial: string, res: http.ServerResponse): void {
    const request = this.queues.get(serial)?.shift();
    if (!request) return void res.writeHead(204).end();
    this.send(res, request, `acs-${this.nextId++}`, serial);
  }

  private send(res: http.ServerResponse, body: AcsRequest | CwmpMessage, id: string | undefined, serial: string): void {
    const xml = encode({ header: id === undefined ? {} : { ID: id }, body: body as CwmpMessage, namespace: NS });
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Set-Cookie': `sid=${serial}; Path=/` }).end(xml);
  }
}
