/**
 * The simulated CPEs' STUN client (TR-111 Part 2 / TR-069 Annex G): from the
 * UDP connection-request socket, each registered device sends a Binding
 * Request with CONNECTION-REQUEST-BINDING to the ACS's STUN server at once
 * and then every keep-alive period (STUNMinimumKeepAlivePeriod, jittered), so
 * the ACS learns the address its UDP connection requests must go to and the
 * NAT binding stays open.
 *
 * As TR-181 describes STUNUsername/STUNPassword: the first request carries no
 * USERNAME nor MESSAGE-INTEGRITY; when the server answers 401 (it requests
 * integrity) the device sends again with both, and keeps doing so. A
 * response to an authenticated request must carry a valid MESSAGE-INTEGRITY,
 * else it is ignored (a forged answer must not move the binding). When the
 * mapped address differs from the previous answer's, the device sends a new
 * request at once with BINDING-CHANGE. Lost requests are sent again (RFC 5389
 * §7.2.1, doubling from `rtoMs`) up to `tries` times.
 *
 * In the simulator all devices share one socket, hence one mapped address;
 * the server tells them apart by USERNAME (each device's STUNUsername is its
 * ConnectionRequestUsername, STUNPassword its ConnectionRequestPassword).
 */
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import {
  Attr, MessageType, TR111_BINDING_VALUE, attribute, checkIntegrity, decodeAddress, decodeErrorCode, decodeStun, decodeXorAddress, encodeStun,
  type AttributeInput, type StunAddress, type StunMessage,
} from '../../connreq/stun/codec';

/** What the client needs of the connection-request socket (UdpConnectionRequestListener fits). */
export interface StunTransport {
  send(datagram: Buffer, port: number, host: string): Promise<void>;
  onStun(handler: ((datagram: Buffer, from: dgram.RemoteInfo) => void) | null): void;
}

export interface StunClientOptions {
  /** The ACS's STUN server (ManagementServer.STUNServerAddress / STUNServerPort). */
  server: { host: string; port: number };
  /** Keep-alive period (default 30 000 ms), ±10 % jitter; 0 = only the first request. */
  keepAliveMs?: number;
  /** First retransmission timeout (default 500 ms, RFC 5389). */
  rtoMs?: number;
  /** Sends per transaction (default 3). */
  tries?: number;
  onEvent?: (event: { id: string; result: BindResult['result']; detail?: string }) => void;
}

/** STUNUsername / STUNPassword of one device. */
export interface StunIdentity {
  username: string;
  password: string;
}

export type BindResult =
  | { result: 'bound'; mapped: StunAddress; changed: boolean }
  | { result: 'refused'; code: number; reason: string }
  | { result: 'timeout' };

interface DeviceState {
  identity: StunIdentity;
  /** The server requested MESSAGE-INTEGRITY once: every later request carries it. */
  integrity: boolean;
  mapped: StunAddress | null;
  timer: NodeJS.Timeout | null;
}

interface Transaction {
  resolve: (m: StunMessage | null) => void;
  timer: NodeJS.Timeout;
  /** The request carried MESSAGE-INTEGRITY with this key: a success answer must too. */
  key: string | null;
}

export class StunClient {
  readonly stats = { sent: 0, bound: 0, challenged: 0, refused: 0, timeouts: 0, bindingChanges: 0, ignored: 0 };
  private readonly devices = new Map<string, DeviceState>();
  private readonly transactions = new Map<string, Transaction>();
  private closed = false;

  constructor(
    private readonly transport: StunTransport,
    private readonly options: StunClientOptions,
  ) {
    transport.onStun((datagram) => this.receive(datagram));
  }

  /** Starts binding for a device: a request now, then every keep-alive period. Returns its unregister function. */
  register(id: string, identity: StunIdentity): () => void {
    const state: DeviceState = { identity, integrity: false, mapped: null, timer: null };
    this.devices.set(id, state);
    void this.keepAlive(id, state);
    return () => {
      if (state.timer) clearTimeout(state.timer);
      if (this.devices.get(id) === state) this.devices.delete(id);
    };
  }

  /** The address the server last reported for the device. */
  mapped(id: string): StunAddress | null {
    return this.devices.get(id)?.mapped ?? null;
  }

  /** One binding exchange now (with the 401 round and a BINDING-CHANGE follow-up when due). */
  async bind(id: string): Promise<BindResult> {
    const state = this.devices.get(id);
    if (!state) throw new Error(`no STUN device ${id}`);
    let result = await this.exchange(state, false);
    if (result.result === 'refused' && result.code === 401 && !state.integrity && state.identity.username !== '') {
      this.stats.challenged++;
      state.integrity = true;
      result = await this.exchange(state, false);
    }
    if (result.result === 'bound' && result.changed) {
      this.stats.bindingChanges++;
      result = await this.exchange(state, true);
    }
    this.count(result);
    this.options.onEvent?.({ id, result: result.result, detail: result.result === 'refused' ? `${result.code} ${result.reason}` : undefined });
    return result;
  }

  close(): void {
    this.closed = true;
    for (const state of this.devices.values()) if (state.timer) clearTimeout(state.timer);
    for (const t of this.transactions.values()) {
      clearTimeout(t.timer);
      t.resolve(null);
    }
    this.transactions.clear();
    this.transport.onStun(null);
  }

  private async keepAlive(id: string, state: DeviceState): Promise<void> {
    if (this.closed || this.devices.get(id) !== state) return;
    await this.bind(id).catch(() => undefined);
    const period = this.options.keepAliveMs ?? 30_000;
    if (period > 0 && !this.closed && this.devices.get(id) === state) {
      state.timer = setTimeout(() => void this.keepAlive(id, state), period * (0.9 + Math.random() * 0.2));
    }
  }

  private count(result: BindResult): void {
    if (result.result === 'bound') this.stats.bound++;
    else if (result.result === 'refused') this.stats.refused++;
    else this.stats.timeouts++;
  }

  private async exchange(state: DeviceState, bindingChange: boolean): Promise<BindResult> {
    const transactionId = randomBytes(12);
    const attributes: AttributeInput[] = [{ type: Attr.CONNECTION_REQUEST_BINDING, value: TR111_BINDING_VALUE }];
    if (bindingChange) attributes.push({ type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) });
    if (state.integrity) attributes.push({ type: Attr.USERNAME, value: Buffer.from(state.identity.username, 'utf8') });
    const request = encodeStun({
      type: MessageType.BindingRequest,
      transactionId,
      attributes,
      integrityKey: state.integrity ? state.identity.password : undefined,
      fingerprint: true,
    });
    const response = await this.transact(transactionId, request, state.integrity ? state.identity.password : null);
    if (!response) return { result: 'timeout' };
    return this.read(state, response, bindingChange);
  }

  private read(state: DeviceState, response: StunMessage, bindingChange: boolean): BindResult {
    if (response.type === MessageType.BindingError) {
      const error = decodeErrorCode(attribute(response, Attr.ERROR_CODE)?.value ?? Buffer.alloc(0));
      return { result: 'refused', code: error?.code ?? 0, reason: error?.reason ?? 'no ERROR-CODE' };
    }
    const xor = attribute(response, Attr.XOR_MAPPED_ADDRESS);
    const plain = attribute(response, Attr.MAPPED_ADDRESS);
    const mapped = xor ? decodeXorAddress(xor.value, response.transactionId) : plain ? decodeAddress(plain.value) : null;
    if (!mapped) return { result: 'refused', code: 0, reason: 'success response without a mapped address' };
    const previous = state.mapped;
    state.mapped = mapped;
    const changed = !bindingChange && previous !== null && (previous.address !== mapped.address || previous.port !== mapped.port);
    return { result: 'bound', mapped, changed };
  }

  /** Sends and resends until a response with this transaction id arrives (or `tries` run out). */
  private transact(transactionId: Buffer, request: Buffer, integrityKey: string | null): Promise<StunMessage | null> {
    const key = transactionId.toString('hex');
    const { host, port } = this.options.server;
    const tries = Math.max(1, this.options.tries ?? 3);
    return new Promise((resolve) => {
      let attempt = 0;
      const fire = (): void => {
        if (this.closed) return resolve(null);
        if (attempt++ >= tries) {
          this.transactions.delete(key);
          return resolve(null);
        }
        this.stats.sent++;
        this.transport.send(request, port, host).catch(() => undefined);
        const timer = setTimeout(fire, (this.options.rtoMs ?? 500) * 2 ** (attempt - 1));
        this.transactions.set(key, { resolve, timer, key: integrityKey });
      };
      fire();
    });
  }

  private receive(datagram: Buffer): void {
    const decoded = decodeStun(datagram);
    if (!decoded.ok || decoded.message.classic) return void this.stats.ignored++;
    const m = decoded.message;
    const key = m.transactionId.toString('hex');
    const pending = this.transactions.get(key);
    if (!pending || !authentic(m, pending.key)) return void this.stats.ignored++;
    clearTimeout(pending.timer);
    this.transactions.delete(key);
    pending.resolve(m);
  }
}

/** A success answer to an authenticated request must prove it knows the password (else it is not the ACS's). */
function authentic(m: StunMessage, key: string | null): boolean {
  return key === null || m.type !== MessageType.BindingSuccess || checkIntegrity(m, key);
}
