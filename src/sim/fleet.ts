import { createDevice, type BaseModel, type DeviceIdentity } from './model';
import { injectedFaults, type FaultInjection, type RpcOptions } from './cpe';
import { PLAIN_WIRE, SimDevice, type Reporter, type SessionOutcome } from './device';
import { applyEffects, type Scheduler } from './effects';
import { HttpConnectionRequestListener } from './conn-request/http-listener';
import { UdpConnectionRequestListener } from './conn-request/udp-listener';
import { StunClient } from './conn-request/stun-client';
import { rpcOptionsOf, type QuirkSet } from './quirks';
import { AcsClient, AcsEndpoint, type ClientCertificate, type ConnectionMode } from './transport/acs-client';
import { FleetStats } from './stats';
import { SimClock, TrafficModel, type TrafficOptions } from './traffic';
import { BulkDataReporter, type BulkDataOptions } from './bulkdata';

export interface FleetOptions {
  acsUrl: string;
  devices: number;
  model: BaseModel;
  /** Serial numbers are this followed by the device's index, zero-padded. */
  serialBase?: string;
  /** First index (lets several simulator processes share a model without clashing serials). */
  firstIndex?: number;
  oui?: string;
  productClass?: string;
  quirks?: QuirkSet;
  /** Credentials every device presents to the ACS (HTTP Basic or Digest, whichever it asks for). */
  username?: string;
  password?: string;
  rpcOptions?: RpcOptions;
  /** Fault injection: the devices it chooses by index refuse SPV and/or fail Downloads (src/sim/cpe/fault-injection.ts). */
  faults?: FaultInjection;
  /** Most sessions in progress at once. */
  concurrency?: number;
  /** Serve HTTP (and UDP) connection requests on 127.0.0.1. */
  connectionRequests?: boolean;
  udpConnectionRequests?: boolean;
  /**
   * With UDP connection requests: the ACS's STUN server. Each device then sends
   * TR-111 Binding Requests from the UDP socket at start and every
   * `keepAliveMs` (STUNUsername/STUNPassword = its connection-request credentials).
   */
  stun?: { host: string; port: number; keepAliveMs?: number };
  connection?: ConnectionMode;
  /** The devices were registered before (by an earlier run): their first Inform is not a BOOTSTRAP. */
  registered?: boolean;
  timeoutMs?: number;
  report?: Reporter;
  /** For an https ACS URL (and https file URLs): what the devices trust and the client certificates they present. */
  tls?: FleetTls;
  /** Simulated time of counters and bulk data schedules (e.g. new SimClock({ speed: 60 }) in tests); default real time. */
  clock?: SimClock;
  /** Counters and uptime that move with a time-of-day traffic profile (./traffic); default off: they read as the model stores them. */
  traffic?: TrafficOptions | boolean;
  /** Enabled Device.BulkData profiles post their reports (./bulkdata); default off. */
  bulkData?: Omit<BulkDataOptions, 'clock'> | boolean;
}

export interface FleetTls {
  /** CAs the ACS's (and file server's) certificate must chain to. */
  ca?: string | Buffer;
  /** False: accept any server certificate. */
  rejectUnauthorized?: boolean;
  /** One client certificate for every device. */
  certificate?: ClientCertificate;
  /** Each device's own client certificate, by serial number (undefined: the shared one, if any). */
  certificateFor?: (serialNumber: string) => ClientCertificate | undefined;
}

const RETRY_MIN_MS = 5_000;

/**
 * Many simulated CPEs in one process: their devices, a limit on concurrent
 * sessions, timers for what their RPCs scheduled, connection-request
 * listeners, and counters of everything that happened.
 */
export class Fleet implements Scheduler {
  readonly devices: SimDevice[] = [];
  readonly stats = new FleetStats();
  private readonly waiting = new Set<SimDevice>();
  private readonly timers = new Map<SimDevice, Map<string, NodeJS.Timeout>>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private httpCr: HttpConnectionRequestListener | null = null;
  private udpCr: UdpConnectionRequestListener | null = null;
  private stunClient: StunClient | null = null;
  private readonly endpoint: AcsEndpoint;
  readonly clock: SimClock;
  /** The devices' counters, when FleetOptions.traffic is on. */
  readonly traffic: TrafficModel | null;
  /** The devices' bulk data reports, when FleetOptions.bulkData is on. */
  readonly bulkData: BulkDataReporter | null;

  private constructor(readonly options: FleetOptions) {
    const { ca, rejectUnauthorized, certificate } = options.tls ?? {};
    this.endpoint = new AcsEndpoint(options.acsUrl, { connection: options.connection, timeoutMs: options.timeoutMs, ca, rejectUnauthorized, certificate });
    this.clock = options.clock ?? new SimClock();
    this.traffic = options.traffic ? new TrafficModel(this.clock, options.traffic === true ? {} : options.traffic) : null;
    const bulk = options.bulkData === true ? {} : options.bulkData;
    this.bulkData = bulk ? new BulkDataReporter({ report: options.report, ...bulk, clock: this.clock }) : null;
  }

  static async create(options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(options);
    await fleet.listen();
    for (let i = 0; i < options.devices; i++) fleet.devices.push(fleet.makeDevice((options.firstIndex ?? 0) + i));
    return fleet;
  }

  private async listen(): Promise<void> {
    if (this.options.connectionRequests) {
      this.httpCr = new HttpConnectionRequestListener({ minIntervalMs: 1000 });
      await this.httpCr.listen();
    }
    if (this.options.udpConnectionRequests) {
      this.udpCr = new UdpConnectionRequestListener();
      await this.udpCr.listen();
      const stun = this.options.stun;
      if (stun) this.stunClient = new StunClient(this.udpCr, { server: stun, keepAliveMs: stun.keepAliveMs });
    }
  }

  private makeDevice(index: number): SimDevice {
    const o = this.options;
    const serial = `${o.serialBase ?? 'SIM'}${String(index).padStart(6, '0')}`;
    const cr = { username: `cr-${serial}`, password: `crpw-${serial}` };
    const identity: DeviceIdentity = {
      SerialNumber: serial,
      ...(o.oui ? { OUI: o.oui } : {}),
      ...(o.productClass ? { ProductClass: o.productClass } : {}),
      ConnectionRequestUsername: cr.username,
      ConnectionRequestPassword: cr.password,
      ...(this.httpCr ? { ConnectionRequestURL: this.httpCr.url(`/${serial}`) } : {}),
      MACAddress: macOf(index, o.model.macCount),
    };
    const model = createDevice(o.model, identity);
    const certificate = o.tls?.certificateFor?.(serial);
    const client = new AcsClient(this.endpoint, { quirks: o.quirks, username: o.username, password: o.password, ...(certificate ? { certificate } : {}) });
    const id = model.deviceId();
    const report = o.report ?? (() => undefined);
    const wire = { namespace: o.quirks?.has('cwmp-1-0') ? 'urn:dslforum-org:cwmp-1-0' : PLAIN_WIRE.namespace, header: !o.quirks?.has('no-header') };
    const device = new SimDevice(`${id.OUI}-${id.ProductClass}-${id.SerialNumber}`, model, client, rpcOptionsOf(o.quirks, { ...o.rpcOptions, ...injectedFaults(o.faults, index) }), report, wire);
    device.traffic = this.traffic?.device(device.key);
    if (this.bulkData) device.onBoot = () => this.bulkData?.rebooted(device);
    if (o.registered) device.outbox.clear();
    this.httpCr?.register(`/${serial}`, { ...cr, onRequest: () => this.connect(device, '6 CONNECTION REQUEST') });
    this.udpCr?.register(cr.username, { password: cr.password, onRequest: () => this.connect(device, '6 CONNECTION REQUEST') });
    this.stunClient?.register(device.key, cr);
    return device;
  }

  /**
   * A change made on the device itself (a user, a counter, a test). A parameter
   * with active notification makes the device open a session at once ("4 VALUE
   * CHANGE"); a passive one waits for the next Inform.
   */
  deviceChange(device: SimDevice, path: string, value: string): void {
    device.model.deviceChange(path, value);
    if (device.model.hasActiveChange()) this.connect(device);
  }

  /** POSTs answered 503 with Retry-After that the devices sent again after waiting (a CPE's retry, not a failure). */
  get deferred(): number {
    return this.endpoint.deferred;
  }

  /** The UDP connection-request address devices would publish, when UDP is on. */
  get udpAddress(): string | null {
    return this.udpCr?.address ?? null;
  }

  /** The devices' STUN client, when a STUN server was given (its stats, each device's mapped address). */
  get stun(): StunClient | null {
    return this.stunClient;
  }

  /** Queues a session for the device (coalesced: one pending session per device), with an extra event. */
  connect(device: SimDevice, event?: string): void {
    if (this.closed) return;
    if (event) device.addEvent(event);
    this.waiting.add(device);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 500;
    for (const device of this.waiting) {
      if (this.active >= limit) return;
      if (device.inSession) continue;
      this.waiting.delete(device);
      this.active++;
      void this.run(device);
    }
    if (this.active === 0 && this.waiting.size === 0) this.idleWaiters.splice(0).forEach((r) => r());
  }

  private async run(device: SimDevice): Promise<void> {
    let outcome: SessionOutcome | null = null;
    try {
      outcome = await device.runSession();
      this.stats.record(outcome);
      applyEffects(device, outcome.effects, this);
      this.afterSession(device);
      if (outcome.result !== 'completed') this.retry(device, outcome);
    } catch (err) {
      this.options.report?.(device.key, `simulator error: ${(err as Error).stack ?? String(err)}`);
      this.stats.errors.add(`simulator error: ${(err as Error).message}`);
    } finally {
      this.active--;
      this.pump();
    }
  }

  /** A changed bulk data profile takes effect (reboots restart the counters through SimDevice.addEvent("1 BOOT")). */
  private afterSession(device: SimDevice): void {
    this.bulkData?.refresh(device);
  }

  /** Reads every device's bulk data profiles again: for profiles written into the models directly (tests), not by an ACS. */
  refreshBulkData(): void {
    for (const d of this.devices) this.bulkData?.refresh(d);
  }

  /** TR-069 §3.2.1.1 retry: a random wait that doubles with each failed attempt. */
  private retry(device: SimDevice, outcome: SessionOutcome): void {
    this.options.report?.(device.key, `session ${outcome.result}: ${outcome.reason ?? ''}`);
    const base = RETRY_MIN_MS * 2 ** Math.min(device.retryCount - 1, 6);
    this.later(device, base + Math.random() * base, () => this.connect(device), 'retry');
  }

  later(device: SimDevice, delayMs: number, task: () => Promise<void> | void, key = `t${Math.random()}`): void {
    if (this.closed) return;
    const map = this.timers.get(device) ?? new Map<string, NodeJS.Timeout>();
    this.timers.set(device, map);
    clearTimeout(map.get(key));
    const timer = setTimeout(() => {
      map.delete(key);
      Promise.resolve(task()).catch((err: Error) => this.options.report?.(device.key, `simulator error: ${err.message}`));
    }, delayMs);
    map.set(key, timer);
  }

  cancel(device: SimDevice, key: string): void {
    clearTimeout(this.timers.get(device)?.get(key));
    this.timers.get(device)?.delete(key);
  }

  /** Resolves when no session is running or waiting (timers may still be set). */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Every device once, e.g. first contact; resolves when all sessions ended. */
  async connectAll(event?: string): Promise<void> {
    for (const d of this.devices) this.connect(d, event);
    await this.idle();
  }

  /**
   * Periodic informs at each device's ManagementServer.PeriodicInformInterval
   * (`fallbackS` where the model has none; none while PeriodicInformEnable is
   * false), read again at every tick so an interval the ACS sets takes effect;
   * spread with jitter so the fleet does not inform in lockstep.
   */
  startPeriodic(fallbackS: number): void {
    const tick = (device: SimDevice): void => {
      if (device.periodicEnabled()) this.connect(device, '2 PERIODIC');
      this.later(device, device.periodicIntervalS(fallbackS) * 1000 * (0.9 + Math.random() * 0.2), () => tick(device), 'periodic');
    };
    for (const d of this.devices) this.later(d, Math.random() * d.periodicIntervalS(fallbackS) * 1000, () => tick(d), 'periodic');
  }

  /**
   * Closed loop for benchmarks: `concurrency` sessions in flight at all times,
   * cycling through the devices, each a "2 PERIODIC" session, for `durationMs`.
   */
  async storm(durationMs: number, event = '2 PERIODIC'): Promise<void> {
    const end = Date.now() + durationMs;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < end && !this.closed) {
        const device = this.devices[next++ % this.devices.length];
        if (device.inSession) continue;
        device.addEvent(event);
        this.stats.record(await device.runSession());
      }
    };
    const n = Math.min(this.options.concurrency ?? 200, this.devices.length);
    await Promise.all(Array.from({ length: n }, worker));
  }

  /**
   * Open loop for benchmarks: "2 PERIODIC" sessions started at `ratePerS`
   * whatever the ACS's pace, as a fleet's periodic Informs arrive, cycling
   * through the devices for `durationMs`; settles once they have all ended.
   * A device still in its previous session when its turn comes is passed
   * over (`passed`: the ACS fell behind the offered rate).
   */
  async paced(ratePerS: number, durationMs: number, event = '2 PERIODIC'): Promise<{ started: number; passed: number }> {
    const t0 = Date.now();
    const running = new Set<Promise<void>>();
    let [next, started, passed] = [0, 0, 0];
    while (Date.now() - t0 < durationMs && !this.closed) {
      const due = Math.floor(((Date.now() - t0) / 1000) * ratePerS);
      for (; started + passed < due; next++) {
        const device = this.devices[next % this.devices.length];
        if (device.inSession) {
          passed++;
          continue;
        }
        started++;
        device.addEvent(event);
        const session: Promise<void> = device.runSession().then((o) => this.stats.record(o)).finally(() => running.delete(session));
        running.add(session);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(running);
    return { started, passed };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bulkData?.close();
    for (const map of this.timers.values()) map.forEach((t) => clearTimeout(t));
    this.timers.clear();
    this.waiting.clear();
    for (const d of this.devices) d.client.close();
    this.endpoint.close();
    this.stunClient?.close();
    await this.httpCr?.close();
    await this.udpCr?.close();
  }
}

/** A block of `count` locally administered MAC addresses per device, distinct across the fleet. */
function macOf(index: number, count: number): string {
  const n = index * Math.max(count, 1);
  const bytes = [0x02, 0x5a, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
