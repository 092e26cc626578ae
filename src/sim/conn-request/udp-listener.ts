/**
 * UDP connection requests (TR-069 Annex G / TR-111 Part 2) for every
 * simulated CPE, on ONE UDP socket.
 *
 * Design: all devices share the socket's address, so each reports
 * UDPConnectionRequestAddress = "127.0.0.1:PORT", and a datagram is routed by
 * its `un` (ConnectionRequestUsername), which the simulator keeps unique per
 * device; a device is registered under that username. A datagram is accepted
 * when it parses, names a registered username, carries that device's
 * signature, its ts is neither older than `maxAgeSec` nor more than
 * `maxFutureSec` ahead, and its id was not seen from that username within the
 * freshness window (the ACS sends each request several times: the copies
 * count as replays). Nothing is sent back: Annex G has no reply.
 *
 * The same socket carries the devices' STUN traffic (TR-111 Part 2: Binding
 * Requests go out from the connection-request port, so the NAT binding they
 * keep open is the one UDP connection requests come back through): datagrams
 * whose first two bits are 0 are STUN (a connection request starts with "G")
 * and go to the handler `onStun` installs, not to the parser.
 */
import dgram from 'node:dgram';
import { checkUdpConnectionRequest, parseUdpConnectionRequest } from './udp-message';

export interface UdpConnectionRequestTarget {
  /** ManagementServer.ConnectionRequestPassword: the HMAC key. */
  password: string;
  onRequest: () => void;
}

export type UdpCrOutcome = 'accepted' | 'malformed' | 'unknown-user' | 'bad-signature' | 'stale' | 'future' | 'replayed';

export interface UdpCrEvent {
  outcome: UdpCrOutcome;
  username?: string;
  reason?: string;
  /** The datagram's source "address:port" (the ACS sends from its STUN port). */
  from?: string;
}

export interface UdpConnectionRequestOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: ephemeral. */
  port?: number;
  /** Default 60. */
  maxAgeSec?: number;
  /** Default 5. */
  maxFutureSec?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  onEvent?: (event: UdpCrEvent) => void;
}

const OUTCOMES: readonly UdpCrOutcome[] = ['accepted', 'malformed', 'unknown-user', 'bad-signature', 'stale', 'future', 'replayed'];

export class UdpConnectionRequestListener {
  readonly stats = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<UdpCrOutcome, number>;
  private readonly devices = new Map<string, UdpConnectionRequestTarget>();
  /** `${un}\n${id}` -> ms after which the id can no longer be replayed (its ts is stale by then). */
  private readonly seen = new Map<string, number>();
  private readonly socket: dgram.Socket;
  private readonly now: () => number;
  private lastPruneMs = 0;
  private stunHandler: ((datagram: Buffer, from: dgram.RemoteInfo) => void) | null = null;

  constructor(private readonly options: UdpConnectionRequestOptions = {}) {
    this.now = options.now ?? Date.now;
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => this.dispatch(msg, rinfo));
    // A UDP socket reports ICMP errors and the like here; a listener has nothing to do about them.
    this.socket.on('error', (err) => this.options.onEvent?.({ outcome: 'malformed', reason: err.message }));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.socket.off('error', reject);
        resolve(this.port);
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The UDPConnectionRequestAddress every device reports. */
  get address(): string {
    return `${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Routes datagrams whose `un` is `username` to this device; returns its unregister function. */
  register(username: string, target: UdpConnectionRequestTarget): () => void {
    this.devices.set(username, target);
    return () => {
      if (this.devices.get(username) === target) this.devices.delete(username);
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** Sends a datagram from the connection-request socket (the STUN client's Binding Requests). */
  send(datagram: Buffer, port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, port, host, (err) => (err ? reject(err) : resolve())));
  }

  /** Routes STUN datagrams arriving on the socket to `handler` (one handler: the fleet's STUN client). */
  onStun(handler: ((datagram: Buffer, from: dgram.RemoteInfo) => void) | null): void {
    this.stunHandler = handler;
  }

  private dispatch(datagram: Buffer, from: dgram.RemoteInfo): void {
    if (this.stunHandler && datagram.length >= 20 && (datagram[0] & 0xc0) === 0) return this.stunHandler(datagram, from);
    this.receive(datagram, `${from.address}:${from.port}`);
  }

  private receive(datagram: Buffer, from: string): void {
    const report = (event: UdpCrEvent): void => this.report({ ...event, from });
    const nowMs = this.now();
    this.prune(nowMs);
    const parsed = parseUdpConnectionRequest(datagram);
    if (!parsed.ok) return report({ outcome: 'malformed', reason: parsed.reason });
    const m = parsed.message;
    const target = this.devices.get(m.un);
    if (!target) return report({ outcome: 'unknown-user', username: m.un });
    const maxAgeSec = this.options.maxAgeSec ?? 60;
    const check = checkUdpConnectionRequest(m, target.password, {
      nowSec: Math.floor(nowMs / 1000),
      maxAgeSec,
      maxFutureSec: this.options.maxFutureSec ?? 5,
    });
    if (check !== 'ok') return report({ outcome: check, username: m.un });
    const key = `${m.un}\n${m.id}`;
    if (this.seen.has(key)) return report({ outcome: 'replayed', username: m.un, reason: `id ${m.id}` });
    this.seen.set(key, (m.ts + maxAgeSec + 1) * 1000);
    report({ outcome: 'accepted', username: m.un });
    try {
      target.onRequest();
    } catch (err) {
      this.options.onEvent?.({ outcome: 'accepted', username: m.un, from, reason: `onRequest threw: ${(err as Error).message}` });
    }
  }

  private report(event: UdpCrEvent): void {
    this.stats[event.outcome]++;
    this.options.onEvent?.(event);
  }

  /** Forgets ids whose ts has gone stale: a replay of them is refused as stale anyway. At most once a second. */
  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < 1000) return;
    this.lastPruneMs = nowMs;
    for (const [key, until] of this.seen) if (until < nowMs) this.seen.delete(key);
  }

  /** Remembered ids (for tests and memory checks). */
  get remembered(): number {
    return this.seen.size;
  }
}
