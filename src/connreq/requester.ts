/**
 * Asks a CPE to open a session now (TR-069 §3.2.2, Annex G).
 *
 * Order, per request:
 *   1. admission (admission.ts): not in session, not already asked,
 *      per-device and cluster-wide rates; a device in session is asked
 *      once its session is over (after-session.ts), once, by any process;
 *   2. HTTP to ConnectionRequestURL, when it is usable — unless its host is
 *      a private address and the device has a UDP address: then the URL is the
 *      LAN side of a NAT, unreachable from here, and UDP goes first;
 *   3. UDP (signed datagrams to the STUN binding, else to the cached
 *      UDPConnectionRequestAddress) when HTTP found nobody (timeout, refused,
 *      unreachable) or there is no usable URL. Not after 'auth-failed' (the
 *      same password signs the datagram) nor after an HTTP status (the CPE
 *      is there and answered).
 * The outcome is recorded on the device (connection_requests) and logged.
 * A request that reached nobody forgets the "asked" mark, so a later one may
 * try again (after the per-device interval).
 */
import type Redis from 'ioredis';
import type { DeviceKey, DeviceStore } from '../db/types';
import type { Logger } from '../log';
import { isPrivateHost } from './addresses';
import { admit, clearAsked, type AdmissionLimits } from './admission';
import { getConnectionRequestCredentials, lastConnectionRequest, recordAttempt, setConnectionRequestCredentials } from './credentials';
import { HTTP_DEFAULTS, httpConnectionRequest, usableUrl, type HttpAttempt, type HttpRequestOptions } from './http-request';
import type { StunServer } from './stun/server';
import { resolveTarget } from './target';
import { AfterSession, type SessionWait } from './after-session';
import type {
  ConnectionRequestCredentials, ConnectionRequestOutcome, ConnectionRequestResult, ConnectionRequestVia, ConnectionTarget, LastConnectionRequest,
} from './types';
import { UDP_DEFAULTS, udpConnectionRequest, type UdpRequestOptions } from './udp-request';
import { metrics } from '../metrics/registry';

export interface ConnectionRequesterDeps {
  store: DeviceStore;
  redis: Redis;
  /** REDIS_PREFIX of the process. */
  prefix: string;
  log: Logger;
  /** This process's STUN server: UDP requests are sent from its socket. */
  stun?: StunServer | null;
}

export interface ConnectionRequesterOptions {
  http?: Partial<HttpRequestOptions>;
  udp?: Partial<UdpRequestOptions>;
  /** How long "asked, no Inform yet" blocks another request (default 30 000 ms: a CPE opens its session within 30 s). */
  pendingMs?: number;
  /** Least time between two requests to one device (default 2000 ms; 0 = none). */
  deviceIntervalMs?: number;
  /** Requests per second across the cluster (default 50; 0 = no limit). */
  ratePerSecond?: number;
  /** UDP before HTTP when the URL's host is private and a UDP address is known (default true). */
  preferUdpForPrivateUrl?: boolean;
  /** How long a request for a device in session waits for that session to end (default 120 000 ms: past it, the device is not asked). */
  sessionWaitMs?: number;
}

const SESSION_WAIT_MS = 120_000;

/** Outcomes after which the CPE may be on its way: the "asked" mark stays until its Inform. */
const DELIVERED = new Set<ConnectionRequestResult>(['ok', 'udp-sent']);
const NOBODY = new Set<ConnectionRequestResult>(['timeout', 'refused', 'unreachable']);

interface Step {
  outcome: ConnectionRequestResult;
  via: ConnectionRequestVia | null;
  message: string;
}

export class ConnectionRequester {
  private readonly limits: AdmissionLimits;
  private readonly http: HttpRequestOptions;
  private readonly udp: UdpRequestOptions;
  /** Devices asked once their session is over (by this process or another). */
  private readonly waiting: AfterSession;

  constructor(
    private readonly deps: ConnectionRequesterDeps,
    private readonly options: ConnectionRequesterOptions = {},
  ) {
    this.limits = {
      askedTtlMs: options.pendingMs ?? 30_000,
      deviceIntervalMs: options.deviceIntervalMs ?? 2_000,
      ratePerSecond: options.ratePerSecond ?? 50,
    };
    this.http = { ...HTTP_DEFAULTS, ...options.http };
    this.udp = { ...UDP_DEFAULTS, ...options.udp };
    this.waiting = new AfterSession({ redis: deps.redis, prefix: deps.prefix, log: deps.log, ask: (device, wait) => this.afterSession(device, wait) });
  }

  /** Carries out, from now on, the requests that wait for sessions to end, those a stopped process left included. */
  start(): void {
    this.waiting.start();
  }

  /** Asks the device to open a session; never throws (failures are outcomes). */
  async request(deviceKey: DeviceKey): Promise<ConnectionRequestOutcome> {
    return this.attempt(deviceKey, null);
  }

  /** Stops carrying out the requests waiting for sessions to end (they stay in Redis, for the other processes). */
  close(): void {
    this.waiting.close();
  }

  /** `wait`: set when this is a request that waited for the device's session (after-session.ts). */
  private async attempt(deviceKey: DeviceKey, wait: SessionWait | null): Promise<ConnectionRequestOutcome> {
    const log = this.deps.log.child({ deviceId: deviceKey });
    let step: Step;
    try {
      const admission = await admit(this.deps.redis, this.deps.prefix, deviceKey, this.limits);
      if (admission === 'already-asked') {
        const outcome = this.outcome(deviceKey, { outcome: 'already-asked', via: null, message: 'asked already; no Inform since' });
        log.debug({ outcome: outcome.outcome }, 'connection request skipped');
        return outcome;
      }
      if (admission === 'in-session' && (wait === null || Date.now() < wait.deadline)) {
        const ms = this.options.sessionWaitMs ?? SESSION_WAIT_MS;
        await this.waiting.add(deviceKey, wait ?? { deadline: Date.now() + ms, ms });
        const outcome = this.outcome(deviceKey, { outcome: 'in-session', via: null, message: 'the device is in a session with the ACS: asked once it is over' });
        log.debug({ outcome: outcome.outcome }, 'connection request deferred');
        return outcome;
      }
      if (admission === 'in-session') {
        step = { outcome: 'in-session', via: null, message: `the device was still in a session after ${(wait as SessionWait).ms} ms: not asked` };
      } else {
        step = admission === 'admitted' ? await this.deliver(await this.target(deviceKey)) : rateLimited(admission, this.limits);
        if (admission === 'admitted' && !DELIVERED.has(step.outcome)) await clearAsked(this.deps.redis, this.deps.prefix, deviceKey);
      }
    } catch (err) {
      step = { outcome: 'error', via: null, message: (err as Error).message };
    }
    const outcome = this.outcome(deviceKey, step);
    await this.record(outcome, log);
    return outcome;
  }

  /**
   * Asks the device once its session is over if it still has open tasks (the
   * session may have done them: a task made as the session opened, or a
   * request that wanted the session the device was having), or gives up at
   * the wait's deadline. The wait is kept in Redis (after-session.ts):
   * any requesting process carries it out, this one or, if it stops,
   * another.
   */
  private async afterSession(deviceKey: DeviceKey, wait: SessionWait): Promise<void> {
    const tasks = await this.deps.store.pendingRequests(deviceKey).catch(() => null);
    if (tasks?.length === 0) return void this.deps.log.debug({ deviceId: deviceKey }, 'connection request not needed: the session did the device\'s tasks');
    await this.attempt(deviceKey, wait);
  }

  /** The device's Inform arrived: it may be asked again. One DEL (call it on every Inform; it costs one round trip). */
  connected(deviceKey: DeviceKey): Promise<void> {
    return clearAsked(this.deps.redis, this.deps.prefix, deviceKey);
  }

  lastAttempt(deviceKey: DeviceKey): Promise<LastConnectionRequest | null> {
    return lastConnectionRequest(this.deps.store.sql, deviceKey);
  }

  setCredentials(deviceKey: DeviceKey, credentials: ConnectionRequestCredentials | null): Promise<void> {
    return setConnectionRequestCredentials(this.deps.store.sql, deviceKey, credentials);
  }

  getCredentials(deviceKey: DeviceKey): Promise<ConnectionRequestCredentials | null> {
    return getConnectionRequestCredentials(this.deps.store.sql, deviceKey);
  }

  private target(deviceKey: DeviceKey): Promise<ConnectionTarget> {
    return resolveTarget(this.deps.store, this.deps.redis, this.deps.prefix, deviceKey);
  }

  private async deliver(target: ConnectionTarget): Promise<Step> {
    const url = usableUrl(target.url);
    const order = chooseOrder(url, target.udp !== null, this.options.preferUdpForPrivateUrl ?? true);
    if (order === 'udp') return this.viaUdp(target);
    if (url === null) return { outcome: 'no-url', via: null, message: target.url ? `unusable ConnectionRequestURL "${target.url}"` : 'no ConnectionRequestURL or UDP address known' };
    const http: HttpAttempt = await httpConnectionRequest(url, target.credentials, this.http);
    if (!NOBODY.has(http.outcome) || target.udp === null) return { ...http, via: 'http' };
    const udp = await this.viaUdp(target);
    return { ...udp, message: `HTTP ${http.outcome}: ${http.message}; then UDP: ${udp.message}` };
  }

  private async viaUdp(target: ConnectionTarget): Promise<Step> {
    const to = target.udp as NonNullable<ConnectionTarget['udp']>;
    if (!target.credentials) return { outcome: 'no-credentials', via: 'udp', message: 'no ConnectionRequestUsername/Password to sign a UDP connection request' };
    const stun = this.deps.stun;
    const send = stun ? stun.send.bind(stun) : null;
    try {
      await udpConnectionRequest(to, target.credentials, send ? (d, p, h) => send(d, p, h) : null, this.udp);
    } catch (err) {
      return { outcome: 'unreachable', via: 'udp', message: `${to.host}:${to.port}: ${(err as Error).message}` };
    }
    const from = stun ? `from STUN port ${stun.port}` : 'from an ephemeral port';
    return { outcome: 'udp-sent', via: 'udp', message: `${this.udp.copies} datagrams to ${to.host}:${to.port} (${to.source === 'stun' ? 'STUN binding' : 'UDPConnectionRequestAddress'}) ${from}` };
  }

  private outcome(deviceKey: DeviceKey, step: Step): ConnectionRequestOutcome {
    metrics.connectionRequests.inc({ outcome: step.outcome });
    return { deviceKey, ...step, time: Date.now() };
  }

  private async record(outcome: ConnectionRequestOutcome, log: Logger): Promise<void> {
    const fields = { outcome: outcome.outcome, via: outcome.via, message: outcome.message };
    if (outcome.outcome === 'ok' || outcome.outcome === 'udp-sent') log.info(fields, 'connection request');
    else log.warn(fields, 'connection request failed');
    try {
      await recordAttempt(this.deps.store.sql, outcome);
    } catch (err) {
      log.error({ err }, 'connection request outcome not recorded');
    }
  }
}

/**
 * 'udp': UDP only (no usable URL, or a private URL while a UDP address is
 * known); 'http': HTTP, then UDP if nobody answered and there is an address;
 * 'none' is 'http' with no URL: nothing to send.
 */
export function chooseOrder(url: URL | null, hasUdp: boolean, preferUdpForPrivateUrl: boolean): 'udp' | 'http' | 'none' {
  if (hasUdp && (url === null || (preferUdpForPrivateUrl && isPrivateHost(url.hostname)))) return 'udp';
  return url === null ? 'none' : 'http';
}

function rateLimited(admission: 'device-rate' | 'global-rate', limits: AdmissionLimits): Step {
  const message = admission === 'device-rate'
    ? `device asked less than ${limits.deviceIntervalMs} ms ago`
    : `over ${limits.ratePerSecond} connection requests per second across the cluster`;
  return { outcome: 'rate-limited', via: null, message };
}
