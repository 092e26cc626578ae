import type { AcsRequest, EventStruct } from '../cwmp/soap/types';

/** A request the CPE sends after the InformResponse (TransferComplete ...), with the events that announce it. */
export interface OwnRequest {
  request: AcsRequest;
  events: readonly EventStruct[];
}

/**
 * What a CPE owes the ACS, kept until delivered (TR-069 §3.7.1.5): the
 * events of the next Inform and its own requests. An event is delivered by
 * the InformResponse to the Inform that carried it, except those announcing
 * a request ("7 TRANSFER COMPLETE", "M Download", "M ChangeDUState" ...):
 * they stay until that request is answered, so a TransferComplete the ACS
 * faulted is announced again. Whatever is raised while an Inform is on the
 * wire was not in it, so it waits for the next session.
 */
export class Outbox {
  /** Undelivered events, oldest first; the same event may sit twice when raised again while the first was on the wire. */
  private pending: EventStruct[];
  private requests: OwnRequest[] = [];
  /** The events the Inform on the wire carries (by identity). */
  private sent = new Set<EventStruct>();
  /** This session's share of `requests`: those announced by its Inform, not yet answered. */
  private announced: OwnRequest[] = [];

  constructor(initial: readonly string[]) {
    this.pending = initial.map((code) => ev(code));
  }

  get events(): readonly EventStruct[] {
    return this.pending;
  }

  /** Raises an event: once while undelivered (single events), once per CommandKey ("M ..." events). */
  add(code: string, commandKey = ''): void {
    const waiting = this.pending.some((e) => e.EventCode === code && e.CommandKey === commandKey && !this.sent.has(e));
    if (!waiting) this.pending.push(ev(code, commandKey));
  }

  /** Queues a request for a later session, raising the events that announce it. */
  queue(request: AcsRequest, ...events: EventStruct[]): void {
    for (const e of events) this.add(e.EventCode, e.CommandKey);
    this.requests.push({ request, events });
  }

  /** Factory reset: everything undelivered is forgotten. */
  clear(): void {
    this.pending = [];
    this.requests = [];
  }

  /** The Inform's Event list (each event once), noted as on the wire; the requests it announces are this session's. */
  informEvents(): EventStruct[] {
    this.sent = new Set(this.pending);
    this.announced = [...this.requests];
    const out: EventStruct[] = [];
    for (const e of this.pending) if (!out.some((o) => same(o, e))) out.push(e);
    return out;
  }

  /** The requests to send in this session, in order; undelivered ones wait for the next. */
  nextRequest(): AcsRequest | undefined {
    return this.announced[0]?.request;
  }

  /** The InformResponse came: the Inform's events are delivered, but for those still announcing a request. */
  informDelivered(): void {
    this.settle();
  }

  /** The ACS answered the current request. */
  requestDelivered(): void {
    const done = this.announced.shift();
    this.requests = this.requests.filter((r) => r !== done);
    this.settle();
  }

  /** The session ended: what was not delivered stays. */
  endSession(): void {
    this.sent = new Set();
    this.announced = [];
  }

  private settle(): void {
    const held = (e: EventStruct): boolean => this.announced.some((r) => r.events.some((x) => same(x, e)));
    this.pending = this.pending.filter((e) => !this.sent.has(e) || held(e));
  }
}

export function ev(EventCode: string, CommandKey = ''): EventStruct {
  return { EventCode, CommandKey };
}

function same(a: EventStruct, b: EventStruct): boolean {
  return a.EventCode === b.EventCode && a.CommandKey === b.CommandKey;
}
