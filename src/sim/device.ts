import { encode } from '../cwmp/soap/encode';
import type { AcsRequest, CpeRequest, CwmpHeader, CwmpMessage, DeviceIdStruct, EventStruct, Inform } from '../cwmp/soap/types';
import { handleRequest, informParameters, type Effect, type RpcOptions } from './cpe';
import type { DeviceModel } from './model';
import { checkAcsRequest, checkResponse, readAnswer, type AcsAnswer } from './conformance';
import type { AcsClient } from './transport/acs-client';
import type { TransferOutcome } from './file-transfer';
import { Outbox } from './outbox';
import type { DeviceTraffic } from './traffic';

const NAMESPACE = 'urn:dslforum-org:cwmp-1-2';

/** How the device's messages look on the wire after its quirks: what the ACS must answer in and echo. */
export interface WireShape {
  namespace: string;
  /** False when the device sends no SOAP Header, hence no cwmp:ID for the ACS to echo. */
  header: boolean;
}

export const PLAIN_WIRE: WireShape = { namespace: NAMESPACE, header: true };
const SUPPORTED_VERSIONS = '1.0,1.1,1.2,1.3,1.4';
/** A session with more ACS requests than this is cut short and reported: the ACS is looping. */
const MAX_RPCS_PER_SESSION = 2000;
const TRANSFER_LOG_SIZE = 20;

/** How one session went, for the fleet's counters and the device's next steps. */
export interface SessionOutcome {
  result: 'completed' | 'refused' | 'failed';
  /** One line on why it was refused or failed. */
  reason?: string;
  rpcs: number;
  /** Round trips of every POST, in microseconds (ACS processing + loopback). */
  rttUs: number[];
  violations: string[];
  effects: Effect[];
}

/** Reports what a device saw: conformance violations and failures, with its id. */
export type Reporter = (deviceKey: string, message: string) => void;

/**
 * One simulated CPE: its data model, what it must tell the ACS next (events,
 * TransferComplete ...), and the CWMP session that carries it (TR-069 §3.7).
 */
export class SimDevice {
  /** Undelivered events and requests; a new device starts with its first contact. */
  readonly outbox = new Outbox(['0 BOOTSTRAP', '1 BOOT']);
  retryCount = 0;
  inSession = false;
  /** The device's last file transfers (URL and outcome), newest last: what a CPE's transfer log would show. */
  readonly transferLog: (TransferOutcome & { url: string })[] = [];
  /** Chaos: drop the connection, unanswered, on the ACS's Nth request of the next sessions (for resilience tests). */
  dropAtRequest: number | null = null;
  /** Counters and uptime computed from the (simulated) time, when the fleet simulates traffic (./traffic). */
  traffic: DeviceTraffic | undefined;
  /** Called when the device (re)boots: a Reboot, a factory reset, a firmware install (each adds "1 BOOT"). */
  onBoot: (() => void) | undefined;
  private nextId = 1;

  constructor(
    readonly key: string,
    readonly model: DeviceModel,
    readonly client: AcsClient,
    readonly rpcOptions: RpcOptions,
    private readonly report: Reporter,
    private readonly wire: WireShape = PLAIN_WIRE,
  ) {}

  noteTransfer(url: string, outcome: TransferOutcome): void {
    this.transferLog.push({ url, ...outcome });
    if (this.transferLog.length > TRANSFER_LOG_SIZE) this.transferLog.shift();
  }

  deviceId(): DeviceIdStruct {
    return this.model.deviceId();
  }

  periodicIntervalS(fallbackS: number): number {
    const v = Number(this.model.getValue(`${this.model.root}ManagementServer.PeriodicInformInterval`));
    return Number.isFinite(v) && v >= 1 ? v : fallbackS;
  }

  periodicEnabled(): boolean {
    const v = this.model.getValue(`${this.model.root}ManagementServer.PeriodicInformEnable`);
    return v === undefined || v === 'true' || v === '1';
  }

  /** Sets PeriodicInformInterval as if configured locally (not a change to report). */
  setPeriodicInterval(seconds: number): void {
    const ref = this.model.lookup(`${this.model.root}ManagementServer.PeriodicInformInterval`);
    if (ref !== undefined) this.model.setValue(ref, String(seconds));
  }

  /** Events for the next Inform. */
  get events(): readonly EventStruct[] {
    return this.outbox.events;
  }

  /**
   * Adds an event for the next Inform, once (single events) or with its
   * CommandKey ("M ..." events). "1 BOOT" means the device restarted: its
   * counters and uptime start again from 0.
   */
  addEvent(code: string, commandKey = ''): void {
    this.outbox.add(code, commandKey);
    if (code === '1 BOOT') {
      this.traffic?.reboot();
      this.onBoot?.();
    }
  }

  /** A request for after the next InformResponse (TransferComplete ...), with the events that announce it. */
  queueRequest(request: AcsRequest, ...events: EventStruct[]): void {
    this.outbox.queue(request, ...events);
  }

  /** Runs one whole session: Inform, the CPE's own requests, then the ACS's requests until 204. */
  async runSession(reason?: string): Promise<SessionOutcome> {
    if (reason) this.addEvent(reason);
    const out: SessionOutcome = { result: 'completed', rpcs: 0, rttUs: [], violations: [], effects: [] };
    this.inSession = true;
    this.client.startSession();
    try {
      const answer = await this.sendInform(out);
      if (answer && (await this.sendOwnRequests(out))) await this.serveAcs(out);
    } finally {
      this.outbox.endSession();
      this.client.endSession();
      this.inSession = false;
    }
    for (const v of out.violations) this.report(this.key, `ACS violation: ${v}`);
    if (out.result !== 'completed') this.retryCount++;
    return out;
  }

  private informMessage(): Inform {
    if (this.model.hasValueChanges()) this.addEvent('4 VALUE CHANGE');
    return {
      method: 'Inform',
      DeviceId: this.deviceId(),
      Event: this.outbox.informEvents(),
      MaxEnvelopes: 1,
      CurrentTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      RetryCount: this.retryCount,
      ParameterList: informParameters(this.model),
    };
  }

  private async post(body: CwmpMessage | null, header: CwmpHeader, out: SessionOutcome): Promise<AcsAnswer | null> {
    const xml = body === null ? null : encode({ header, body, namespace: NAMESPACE });
    const res = await this.client.post(xml);
    if (!res.ok) {
      out.result = 'failed';
      out.reason = `${res.kind}: ${res.message}`;
      return null;
    }
    out.rttUs.push(res.rttUs);
    const answer = readAnswer(res, this.wire.namespace);
    out.violations.push(...answer.violations);
    return answer;
  }

  private async sendInform(out: SessionOutcome): Promise<boolean> {
    const id = String(this.nextId++);
    const inform = this.informMessage();
    const answer = await this.post(inform, { ID: id, SupportedCWMPVersions: SUPPORTED_VERSIONS }, out);
    if (!answer) return false;
    if (answer.kind !== 'message') return this.refused(out, answer);
    const msg = answer.envelope.body;
    if (msg.method === 'Fault') return this.refused(out, answer, `Inform fault ${msg.FaultCode}: ${msg.FaultString}`);
    out.violations.push(...checkResponse(answer.envelope, 'Inform', this.wire.header ? id : undefined));
    if (msg.method !== 'InformResponse') return this.refused(out, answer, `Inform answered with ${msg.method}`);
    // The ACS has the Inform: what it carried is delivered, what was raised since is not.
    this.outbox.informDelivered();
    this.model.clearValueChanges(inform.ParameterList);
    this.retryCount = 0;
    return true;
  }

  private refused(out: SessionOutcome, answer: AcsAnswer, reason?: string): false {
    out.result = answer.kind === 'message' && answer.envelope.body.method === 'Fault' ? 'refused' : 'failed';
    if (answer.kind === 'refused') out.result = answer.status === 503 || answer.status === 401 ? 'refused' : 'failed';
    out.reason = reason ?? (answer.kind === 'refused' ? `HTTP ${answer.status} ${answer.body.slice(0, 120)}` : 'session ended early');
    return false;
  }

  /** TransferComplete and the like, each answered before the empty POST; undelivered ones wait for the next session. */
  private async sendOwnRequests(out: SessionOutcome): Promise<boolean> {
    for (let request = this.outbox.nextRequest(); request; request = this.outbox.nextRequest()) {
      const id = String(this.nextId++);
      const answer = await this.post(request, { ID: id }, out);
      if (!answer || answer.kind !== 'message') return answer ? this.refused(out, answer) : false;
      out.violations.push(...checkResponse(answer.envelope, request.method, this.wire.header ? id : undefined));
      // A fault (8005, or 8003 under HoldRequests) is no delivery: the CPE keeps the request for its next session.
      if (answer.envelope.body.method !== `${request.method}Response`) {
        const reason = `${request.method} answered with ${answer.envelope.body.method}`;
        return this.refused(out, answer, reason);
      }
      this.outbox.requestDelivered();
    }
    return true;
  }

  private async serveAcs(out: SessionOutcome): Promise<void> {
    let answer = await this.post(null, {}, out);
    while (answer && answer.kind === 'message') {
      if (++out.rpcs > MAX_RPCS_PER_SESSION) {
        out.result = 'failed';
        out.reason = `more than ${MAX_RPCS_PER_SESSION} requests in one session`;
        return;
      }
      if (out.rpcs === this.dropAtRequest) {
        out.result = 'failed';
        out.reason = `dropped the connection at request ${out.rpcs} (chaos)`;
        return;
      }
      answer = await this.execute(answer.envelope.body as CpeRequest, answer.envelope.header.ID, out);
    }
    if (answer?.kind === 'refused') this.refused(out, answer);
  }

  private execute(request: CpeRequest, id: string | undefined, out: SessionOutcome): Promise<AcsAnswer | null> {
    const problems = checkAcsRequest({ header: { ID: id }, body: request, namespace: NAMESPACE });
    out.violations.push(...problems);
    const { response, effects } = handleRequest(this.model, request, this.rpcOptions, this.traffic);
    out.effects.push(...effects);
    return this.post(response, id === undefined ? {} : { ID: id }, out);
  }
}
