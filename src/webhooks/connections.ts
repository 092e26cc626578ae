/**
 * Kept-alive HTTP/1.1 connections to webhook receivers: at most CONNECTIONS
 * per receiver's origin, requests waiting in order for room on one.
 *
 * Our own, not undici's nor node:http's: the deliveries share the sessions'
 * cores, and at 1,000/s the delivery worker spent 166-202 µs of CPU per
 * delivery on undici's dispatcher, 133-151 on this (webhook-worker-e2e.ts):
 * a request is one string written at once, an answer a few lines read.
 *
 * Pipelined (RFC 9112 §9.3.2) where it is safe and pays: a connection whose
 * receiver answered its last request in HTTP/1.1, kept it open and took at
 * most FAST_MS to do it carries up to `pipeline` requests at once (a
 * request's own limit, WEBHOOK_PIPELINE), those started together written
 * in one system call. At 1,000 deliveries/s that saves the worker 17-34 µs
 * of CPU a delivery and the receiver 3-13 (BENCHMARKS.md (w), twentieth
 * pass; the paced sessions' p50 did not show it beyond the machine's noise).
 * A slow receiver is not pipelined: serving a
 * connection's requests one after the other, it would hold the later ones
 * up. Requests still unanswered when their connection closes (an answer
 * said close, the receiver's keep-alive ran out, one before them timed out)
 * are sent again on another connection, once. A delivery may be sent twice
 * that way, under its id, which receivers de-duplicate on: that recovery is
 * what lets a client pipeline a POST (RFC 9112 §9.3.2).
 * No redirects: a 3xx is an answer.
 */
import net from 'node:net';
import tls from 'node:tls';
import { AnswerReader, type Read } from './answer';

/** Where a receiver listens; `key` names its pool of connections. */
export interface Origin {
  key: string;
  secure: boolean;
  /** A name or an address (an IPv6 one without brackets). */
  host: string;
  port: number;
}

/** One request and who hears its outcome: once, one of the two. */
export interface Exchange {
  /** The request's whole text, head and body. */
  readonly request: string;
  /** Requests its connection may carry at once, this one among them (1: alone). */
  readonly pipeline: number;
  answered(status: number): void;
  /** `status`: the final status when the answer broke off after it, else 0. */
  failed(error: Error, status: number): void;
}

export const CONNECTIONS = 64;
/** A receiver answering later than this after a request's turn came is not pipelined to. */
export const FAST_MS = 10;
/** A kept-alive connection unused this long is closed. */
const IDLE_MS = 4000;
/** Closed this long before the receiver said it would close it (its Keep-Alive timeout): a request sent as it closes is lost. */
const KEEP_ALIVE_MARGIN_MS = 1000;

const receivers = new Map<string, Receiver>();

/** Sends the request when a connection to its origin has room; the function returned withdraws it (closing its connection if it was sent). */
export function send(origin: Origin, exchange: Exchange): () => void {
  let receiver = receivers.get(origin.key);
  if (!receiver) receivers.set(origin.key, (receiver = new Receiver(origin)));
  const job: Job = { exchange, connection: null, resent: false };
  receiver.send(job);
  return () => receiver.withdraw(job);
}

interface Job {
  readonly exchange: Exchange;
  connection: Connection | null;
  /** Sent again already, its first connection closed before its answer. */
  resent: boolean;
}

/** One origin's connections. */
class Receiver {
  private readonly open = new Set<Connection>();
  /** Carrying nothing; the last one freed is used first: the least likely to be closing. */
  private readonly idle: Connection[] = [];
  /** A Set keeps insertion order: first in, first sent. */
  private waiting = new Set<Job>();

  constructor(private readonly origin: Origin) {}

  send(job: Job): void {
    const c = this.place(job);
    if (c) c.start(job);
    else this.waiting.add(job);
  }

  withdraw(job: Job): void {
    if (!this.waiting.delete(job)) job.connection?.abort(job);
  }

  /** A connection read an answer and carries fewer requests: it takes those waiting it has room for. */
  freed(c: Connection, idleMs: number): void {
    for (const job of this.waiting) {
      if (!c.hasRoom(job)) break;
      this.waiting.delete(job);
      c.start(job);
    }
    if (c.carrying > 0) return;
    this.idle.push(c);
    c.idleFor(idleMs);
  }

  /** `unanswered`: its requests that get another connection (those sent again once already fail with `why`). */
  closed(c: Connection, unanswered: Job[], why: Error): void {
    this.open.delete(c);
    const at = this.idle.indexOf(c);
    if (at >= 0) this.idle.splice(at, 1);
    const again = unanswered.filter((job) => !job.resent);
    for (const job of unanswered) {
      if (job.resent) job.exchange.failed(why, 0);
      else job.resent = true;
    }
    // Sent before those waiting: they go first.
    if (again.length > 0) this.waiting = new Set([...again, ...this.waiting]);
    for (const job of this.waiting) {
      const c = this.place(job);
      if (!c) break;
      this.waiting.delete(job);
      c.start(job);
    }
    if (this.open.size === 0) receivers.delete(this.origin.key);
  }

  /**
   * Where `job` goes now, if anywhere: beside the requests of the busiest
   * connection with room (requests started together then share a write),
   * else on an idle connection, else on a new one.
   */
  private place(job: Job): Connection | undefined {
    let busiest: Connection | undefined;
    for (const c of this.open) if (c.carrying > 0 && c.hasRoom(job) && (!busiest || c.carrying > busiest.carrying)) busiest = c;
    return busiest ?? this.free() ?? (this.open.size < CONNECTIONS ? this.connect() : undefined);
  }

  private free(): Connection | undefined {
    let c = this.idle.pop();
    // One closing (its idle time out, or the receiver's end just in) is left to its 'close'.
    while (c && !c.usable) c = this.idle.pop();
    return c;
  }

  private connect(): Connection {
    const c = new Connection(this, this.origin);
    this.open.add(c);
    return c;
  }
}

/** One socket to a receiver, carrying its requests' answers in the order they were sent. */
class Connection {
  private readonly socket: net.Socket;
  /** Sent and not answered yet, oldest first. */
  private readonly jobs: Job[] = [];
  private reader = new AnswerReader();
  /** Its last answer allows another request beside one in flight (HTTP/1.1, kept open, fast). */
  private pipelining = false;
  /** Requests it may carry at once: the least of those it carries allow. */
  private limit = Infinity;
  /** How long it may stay open unused, as its last answer allows. */
  private idleMs = IDLE_MS;
  /** When the oldest request's turn came: sent, or the answer before it read. */
  private turnAt = 0;
  /** Requests written since the last uncork: they go out together at the end of this tick. */
  private corked = false;
  /** Closed by this side with its requests unanswered through no fault of theirs (a close answered, a timeout): all go elsewhere. */
  private resendAll = false;
  private error: Error | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly receiver: Receiver,
    origin: Origin,
  ) {
    const { host, port } = origin;
    // SNI takes a name only; certificates are checked against Node's CAs (and NODE_EXTRA_CA_CERTS).
    this.socket = origin.secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }) : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (bytes: Buffer) => this.onData(bytes));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err: Error) => (this.error ??= err));
    this.socket.on('close', () => this.onClose());
  }

  get usable(): boolean {
    return !this.socket.destroyed && !this.socket.readableEnded && !this.socket.writableEnded;
  }

  get carrying(): number {
    return this.jobs.length;
  }

  hasRoom(job: Job): boolean {
    if (!this.usable) return false;
    return this.jobs.length === 0 || (this.pipelining && this.jobs.length < Math.min(this.limit, job.exchange.pipeline));
  }

  start(job: Job): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.socket.ref();
    job.connection = this;
    if (this.jobs.length === 0) [this.turnAt, this.limit] = [performance.now(), Infinity];
    this.limit = Math.min(this.limit, job.exchange.pipeline);
    this.jobs.push(job);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.write(job.exchange.request);
  }

  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  idleFor(ms: number): void {
    // An idle connection does not keep the process alive.
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.socket.destroy(), ms);
    this.idleTimer.unref();
  }

  /** The job is given up (its timeout): its answer is not waited for, and the connection cannot carry another; those beside it go elsewhere. */
  abort(job: Job): void {
    const at = this.jobs.indexOf(job);
    if (at < 0) return;
    this.jobs.splice(at, 1);
    this.closeResending();
  }

  private onData(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      // Bytes nobody asked for: the connection is not trusted again.
      if (this.jobs.length === 0) return void this.socket.destroy();
      let read: Read;
      try {
        read = this.reader.feed(bytes, at);
      } catch (err) {
        return this.fail(err as Error);
      }
      // The next answer's first bytes: the room the answers before them made is offered now.
      if (!read.done) break;
      at = this.reader.stoppedAt;
      if (!this.answered(read)) return;
    }
    this.receiver.freed(this, this.idleMs);
  }

  /** The oldest request's answer is in: whether the connection carries on. */
  private answered(read: Read & { done: true }): boolean {
    const job = this.jobs.shift()!;
    const now = performance.now();
    this.idleMs = read.keepAliveMs === null ? IDLE_MS : Math.min(IDLE_MS, read.keepAliveMs - KEEP_ALIVE_MARGIN_MS);
    const carriesOn = read.reuse && this.idleMs > 0;
    this.pipelining = carriesOn && read.http11 && now - this.turnAt <= FAST_MS;
    this.turnAt = now;
    this.reader = new AnswerReader();
    if (!carriesOn) this.closeResending();
    job.exchange.answered(read.status);
    return carriesOn;
  }

  /** The receiver ended its side: an answer that ends with its connection is whole now; any other is cut short. */
  private onEnd(): void {
    if (this.jobs.length === 0) return;
    let read;
    try {
      read = this.reader.end();
    } catch (err) {
      return this.fail(err as Error);
    }
    const job = this.jobs.shift()!;
    this.closeResending();
    if (read.done) job.exchange.answered(read.status);
  }

  private onClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const unanswered = this.jobs.splice(0);
    // The oldest request's answer did not come (whole): it failed. Those behind it were never answered: sent again.
    const oldest = this.resendAll ? undefined : unanswered.shift();
    const why = this.error ?? new Error('other side closed');
    this.receiver.closed(this, unanswered, why);
    oldest?.exchange.failed(why, this.reader.finalStatus);
  }

  /** The oldest request's answer cannot be read: it failed; those behind it go elsewhere. */
  private fail(err: Error): void {
    const job = this.jobs.shift()!;
    const status = this.reader.finalStatus;
    this.closeResending();
    job.exchange.failed(err, status);
  }

  private closeResending(): void {
    this.resendAll = true;
    this.socket.destroy();
  }
}

function uncork(c: Connection): void {
  c.uncork();
}
