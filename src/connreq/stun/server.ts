/**
 * The bundled STUN server (RFC 5389 Binding, TR-111 Part 2 / TR-069 Annex G).
 *
 * Every Binding Request gets the usual answer: the source address it came
 * from (XOR-MAPPED-ADDRESS and MAPPED-ADDRESS; MAPPED-ADDRESS alone to a
 * classic RFC 3489 client). One that carries CONNECTION-REQUEST-BINDING comes
 * from a CPE's UDP connection-request port: its source address is where UDP
 * connection requests must go, so it is recorded (stun/bindings.ts) for the
 * device its USERNAME names, once that is proven:
 *   - USERNAME is a ConnectionRequestUsername stored in connection_requests
 *     (the operator sets the CPE's STUNUsername/STUNPassword to the same);
 *   - MESSAGE-INTEGRITY verifies with that device's password. Without it the
 *     answer is 401, which is how a TR-111 CPE learns that integrity is
 *     "requested by the STUN server" (TR-181 STUNUsername) and sends again
 *     with it. `requireIntegrity: false` accepts a known USERNAME without it.
 * Otherwise nothing is recorded: a forged binding would send a device's
 * connection requests elsewhere. Datagrams that are not well-formed STUN are
 * dropped unanswered (RFC 5389 §7.3); no datagram can throw out of here.
 *
 * The socket is also the one UDP connection requests are sent from
 * (`send`), so they come from the address the CPE's NAT binding was opened to.
 */
import dgram from 'node:dgram';
import type Redis from 'ioredis';
import type { DeviceKey, DeviceStore } from '../../db/types';
import type { Logger } from '../../log';
import { devicesWithUsername } from '../credentials';
import { loadBinding, saveBinding } from './bindings';
import {
  Attr, MessageType, attribute, checkIntegrity, decodeStun, encodeAddress, encodeErrorCode, encodeStun, encodeXorAddress,
  fingerprintOk, hasAttribute, unknownRequired, type AttributeInput, type StunMessage,
} from './codec';

export interface StunServerOptions {
  /** UDP port; 0 = ephemeral (tests). STUN_PORT, default 3478 (the caller decides whether to start one at all). */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  redis: Redis;
  prefix: string;
  store: DeviceStore;
  log: Logger;
  /** Record a binding only from a request whose MESSAGE-INTEGRITY verifies (default true). */
  requireIntegrity?: boolean;
  /** How long a binding is kept without a keep-alive (default 3600 s). */
  bindingTtlSec?: number;
  /** How long a USERNAME lookup is reused (default 30 000 ms): keep-alives cost no query each. */
  lookupCacheMs?: number;
}

export interface StunServerStats {
  received: number;
  /** Not STUN, or not well-formed: dropped. */
  malformed: number;
  /** Well-formed but not a Binding Request (indications, responses): dropped. */
  ignored: number;
  answered: number;
  /** TR-111 bindings recorded. */
  recorded: number;
  /** 401 to a TR-111 request without MESSAGE-INTEGRITY. */
  challenged: number;
  /** 401 to a MESSAGE-INTEGRITY that verified with no device's password, or an unknown USERNAME. */
  refused: number;
  /** Redis or database failures (the request went unanswered; the CPE retries). */
  errors: number;
}

export interface StunServer {
  readonly port: number;
  readonly host: string;
  readonly stats: StunServerStats;
  /** Sends a datagram from the STUN socket. */
  send(datagram: Buffer | string, port: number, host: string): Promise<void>;
  close(): Promise<void>;
}

interface Remote {
  address: string;
  port: number;
}

type Candidate = { deviceKey: DeviceKey; password: string };
const CACHE_MAX = 10_000;
/** How long a username no device has is remembered (a flood of unknown names costs one query each per second at most). */
const UNKNOWN_CACHE_MS = 1_000;

export async function startStunServer(options: StunServerOptions): Promise<StunServer> {
  const host = options.host ?? '0.0.0.0';
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const server = new Server(socket, options);
  socket.on('message', (msg, rinfo) => void server.receive(msg, rinfo));
  socket.on('error', (err) => options.log.warn({ err }, 'STUN socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  options.log.info({ port: socket.address().port, host }, 'STUN server listening');
  return server.handle(host);
}

class Server {
  readonly stats: StunServerStats = { received: 0, malformed: 0, ignored: 0, answered: 0, recorded: 0, challenged: 0, refused: 0, errors: 0 };
  private readonly cache = new Map<string, { until: number; candidates: Candidate[] }>();

  constructor(
    private readonly socket: dgram.Socket,
    private readonly o: StunServerOptions,
  ) {}

  handle(host: string): StunServer {
    const socket = this.socket;
    return {
      port: socket.address().port,
      host,
      stats: this.stats,
      send: (datagram, port, to) => new Promise((resolve, reject) => socket.send(datagram, port, to, (err) => (err ? reject(err) : resolve()))),
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }

  async receive(datagram: Buffer, from: Remote): Promise<void> {
    this.stats.received++;
    try {
      await this.answer(datagram, from);
    } catch (err) {
      this.stats.errors++;
      this.o.log.error({ err, from: `${from.address}:${from.port}` }, 'STUN request failed');
    }
  }

  private async answer(datagram: Buffer, from: Remote): Promise<void> {
    const decoded = decodeStun(datagram);
    if (!decoded.ok || !fingerprintOk(decoded.message)) {
      this.stats.malformed++;
      return this.o.log.debug({ from: `${from.address}:${from.port}`, reason: decoded.ok ? 'bad FINGERPRINT' : decoded.reason }, 'STUN datagram dropped');
    }
    const m = decoded.message;
    if (m.type !== MessageType.BindingRequest) return void this.stats.ignored++;
    const unknown = unknownRequired(m);
    if (unknown.length > 0) return this.error(m, from, 420, 'Unknown Attribute', unknown);
    const change = attribute(m, Attr.CHANGE_REQUEST);
    // RFC 5780 §7.2: a server with no alternate address refuses a request to answer from one.
    if (change && change.value.length === 4 && (change.value.readUInt32BE(0) & 0x6) !== 0) {
      return this.error(m, from, 420, 'Unknown Attribute', [Attr.CHANGE_REQUEST]);
    }
    if (!hasAttribute(m, Attr.CONNECTION_REQUEST_BINDING)) return this.success(m, from);
    return this.tr111(m, from);
  }

  /** A Binding Request from a CPE's connection-request port: record where it came from, once we know who sent it. */
  private async tr111(m: StunMessage, from: Remote): Promise<void> {
    const username = attribute(m, Attr.USERNAME)?.value.toString('utf8');
    const candidates = username ? await this.lookup(username) : [];
    const integrity = hasAttribute(m, Attr.MESSAGE_INTEGRITY);
    if (!integrity && ((this.o.requireIntegrity ?? true) || candidates.length === 0)) {
      this.stats.challenged++;
      return this.error(m, from, 401, 'Unauthorized');
    }
    const proven = integrity ? candidates.filter((c) => checkIntegrity(m, c.password)) : candidates;
    if (proven.length !== 1) {
      this.stats.refused++;
      const why = proven.length === 0 ? (candidates.length === 0 ? 'unknown USERNAME' : 'MESSAGE-INTEGRITY does not verify') : 'USERNAME and password shared by several devices';
      this.o.log.warn({ username, from: `${from.address}:${from.port}`, reason: why }, 'STUN binding refused');
      return this.error(m, from, 401, 'Unauthorized');
    }
    await this.record(proven[0].deviceKey, m, from);
    return this.success(m, from, integrity ? proven[0].password : undefined);
  }

  private async record(deviceKey: DeviceKey, m: StunMessage, from: Remote): Promise<void> {
    const { redis, prefix } = this.o;
    const now = Date.now();
    const before = await loadBinding(redis, prefix, deviceKey);
    const moved = !before || before.host !== from.address || before.port !== from.port;
    const changed = moved || hasAttribute(m, Attr.BINDING_CHANGE) ? now : before.changed;
    await saveBinding(redis, prefix, deviceKey, { host: from.address, port: from.port, time: now, changed }, this.o.bindingTtlSec ?? 3600);
    this.stats.recorded++;
    const log = this.o.log.child({ deviceId: deviceKey });
    if (moved) log.info({ address: `${from.address}:${from.port}`, bindingChange: hasAttribute(m, Attr.BINDING_CHANGE) }, 'STUN binding recorded');
    else log.debug({ address: `${from.address}:${from.port}` }, 'STUN binding refreshed');
  }

  private async lookup(username: string): Promise<Candidate[]> {
    const now = Date.now();
    const hit = this.cache.get(username);
    if (hit && hit.until > now) return hit.candidates;
    const candidates = await devicesWithUsername(this.o.store.sql, username);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    // An unknown username is remembered only briefly: credentials stored a moment later must bind at the next keep-alive.
    const ttl = candidates.length > 0 ? (this.o.lookupCacheMs ?? 30_000) : Math.min(this.o.lookupCacheMs ?? 30_000, UNKNOWN_CACHE_MS);
    this.cache.set(username, { until: now + ttl, candidates });
    return candidates;
  }

  private success(m: StunMessage, to: Remote, integrityKey?: string): Promise<void> {
    const mapped = { address: to.address, port: to.port };
    const attributes = m.classic
      ? [{ type: Attr.MAPPED_ADDRESS, value: encodeAddress(mapped) }]
      : [
          { type: Attr.XOR_MAPPED_ADDRESS, value: encodeXorAddress(mapped, m.transactionId) },
          { type: Attr.MAPPED_ADDRESS, value: encodeAddress(mapped) },
        ];
    return this.reply(to, encodeStun({ type: MessageType.BindingSuccess, transactionId: m.transactionId, attributes, integrityKey, fingerprint: true }));
  }

  private error(m: StunMessage, to: Remote, code: number, reason: string, unknown: number[] = []): Promise<void> {
    const attributes: AttributeInput[] = [{ type: Attr.ERROR_CODE, value: encodeErrorCode(code, reason) }];
    if (unknown.length > 0) {
      const list = Buffer.alloc(unknown.length * 2);
      unknown.forEach((t, i) => list.writeUInt16BE(t, i * 2));
      attributes.push({ type: Attr.UNKNOWN_ATTRIBUTES, value: list });
    }
    return this.reply(to, encodeStun({ type: MessageType.BindingError, transactionId: m.transactionId, attributes, fingerprint: true }));
  }

  private reply(to: Remote, datagram: Buffer): Promise<void> {
    this.stats.answered++;
    return new Promise((resolve) => this.socket.send(datagram, to.port, to.address, () => resolve()));
  }
}
