/**
 * Kept-alive HTTP/1.1 connections to webhook receivers: at most CONNECTIONS
 * per receiver's origin, one request at a time on each, requests waiting in
 * order for a free one.
 *
 * Our own, not undici's nor node:http's: the deliveries share the sessions'
 * cores, and at 1,000/s the delivery worker spent 166-202 µs of CPU per
 * delivery on undici's dispatcher, 133-151 on this (webhook-worker-e2e.ts):
 * a request is one string written at once, an answer a few lines read.
 * No pipelining: a POST sent behind another on a connection the receiver
 * then closes would be lost unanswered. No redirects: a 3xx is an answer.
 */
import net from 'node:net';
import tls from 'node:tls';
import { AnswerReader } from './answer';

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
  answered(status: number): void;
  /** `status`: the final status when the answer broke off after it, else 0. */
  failed(error: Error, status: number): void;
}

export const CONNECTIONS = 64;
/** A kept-alive connection unused this long is closed. */
const IDLE_MS = 4000;
/** Closed this long before the receiver said it would close it (its Keep-Alive timeout): a request sent as it closes is lost. */
const KEEP_ALIVE_MARGIN_MS = 1000;

const receivers = new Map<string, Receiver>();

/** Sends the request when a connection to its origin is free; the function returned withdraws it (closing its connection if it was sent). */
export function send(origin: Origin, exchange: Exchange): () => void {
  let receiver = receivers.get(origin.key);
  if (!receiver) receivers.set(origin.key, (receiver = new Receiver(origin)));
  const job: Job = { exchange, connection: null };
  receiver.send(job);
  return () => receiver.withdraw(job);
}

interface Job {
  readonly exchange: Exchange;
  connection: Connection | null;
}

/** One origin's connections. */
class Receiver {
  /** The last one freed is used first: the least likely to be closing. */
  private readonly idle: Connection[] = [];
  /** A Set keeps insertion order: first in, first sent. */
  private readonly waiting = new Set<Job>();
  private open = 0;

  constructor(private readonly origin: Origin) {}

  send(job: Job): void {
    let free = this.idle.pop();
    // One closing (its idle time out, or the receiver's end just in) is left to its 'close'.
    while (free && !free.usable) free = this.idle.pop();
    if (free) free.start(job);
    else if (this.open < CONNECTIONS) this.connect().start(job);
    else this.waiting.add(job);
  }

  withdraw(job: Job): void {
    if (!this.waiting.delete(job)) job.connection?.abort(job);
  }

  /** A connection's answer is read and it may carry another request for up to `idleMs`. */
  freed(c: Connection, idleMs: number): void {
    const next = this.next();
    if (next) c.start(next);
    else {
      this.idle.push(c);
      c.idleFor(idleMs);
    }
  }

  closed(c: Connection): void {
    this.open--;
    const at = this.idle.indexOf(c);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.next();
    if (next) this.connect().start(next);
    else if (this.open === 0) receivers.delete(this.origin.key);
  }

  private next(): Job | undefined {
    const [job] = this.waiting;
    if (job) this.waiting.delete(job);
    return job;
  }

  private connect(): Connection {
    this.open++;
    return new Connection(this, this.origin);
  }
}

/** One socket to a receiver, carrying one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private job: Job | null = null;
  private reader = new AnswerReader();
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

  start(job: Job): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.socket.ref();
    job.connection = this;
    this.job = job;
    this.reader = new AnswerReader();
    this.socket.write(job.exchange.request);
  }

  idleFor(ms: number): void {
    // An idle connection does not keep the process alive.
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.socket.destroy(), ms);
    this.idleTimer.unref();
  }

  /** The job is given up (its timeout): its answer is not waited for, and the connection cannot carry another. */
  abort(job: Job): void {
    if (this.job !== job) return;
    this.job = null;
    this.socket.destroy();
  }

  private onData(bytes: Buffer): void {
    if (!this.job) {
      // Bytes nobody asked for on an idle connection: it is not trusted again.
      this.socket.destroy();
      return;
    }
    let read;
    try {
      read = this.reader.feed(bytes);
    } catch (err) {
      return this.fail(err as Error);
    }
    if (!read.done) return;
    const { exchange } = this.job;
    this.job = null;
    const idleMs = read.keepAliveMs === null ? IDLE_MS : Math.min(IDLE_MS, read.keepAliveMs - KEEP_ALIVE_MARGIN_MS);
    if (read.reuse && idleMs > 0) this.receiver.freed(this, idleMs);
    else this.socket.destroy();
    exchange.answered(read.status);
  }

  /** The receiver ended its side: an answer that ends with its connection is whole now; any other is cut short. */
  private onEnd(): void {
    if (!this.job) return;
    const { exchange } = this.job;
    let read;
    try {
      read = this.reader.end();
    } catch (err) {
      return this.fail(err as Error);
    }
    this.job = null;
    this.socket.destroy();
    if (read.done) exchange.answered(read.status);
  }

  private onClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.receiver.closed(this);
    if (this.job) this.fail(this.error ?? new Error('other side closed'));
  }

  private fail(err: Error): void {
    const { exchange } = this.job!;
    this.job = null;
    this.socket.destroy();
    exchange.failed(err, this.reader.finalStatus);
  }
}
