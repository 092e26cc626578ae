/**
 * Reads a receiver's HTTP/1.1 answer to one POST off its connection, as the
 * bytes arrive (RFC 9112): the final status, where the answer ends (the bytes
 * after it are the next answer's, on a pipelined connection), and whether the
 * connection may carry the next request. The body is counted and thrown away:
 * a delivery's outcome is its status.
 */

export type Read =
  | { done: false }
  | {
      done: true;
      status: number;
      /** The connection may carry another request: the answer said nothing against it. */
      reuse: boolean;
      /** Answered in HTTP/1.1 (not 1.0): a connection that may carry several requests at once. */
      http11: boolean;
      /** The receiver's `Keep-Alive: timeout=N`, in ms; null when it gave none. */
      keepAliveMs: number | null;
    };

/** An answer HTTP does not allow (the connection cannot be trusted after it). */
export class AnswerError extends Error {}

const MORE: Read = { done: false };
/** Status line and headers together; a receiver's usual answer is a tenth of it. */
const HEAD_MAX = 16 * 1024;
/** A chunk's size line with its extensions, or a trailer line. */
const LINE_MAX = 4 * 1024;

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export class AnswerReader {
  private phase: Phase = 'head';
  /** The line read so far (latin1: header values are bytes, not UTF-8). */
  private line = '';
  private headBytes = 0;
  private headLines: string[] = [];
  /** Bytes of the body (or of the current chunk) still to come. */
  private remaining = 0;
  private status = 0;
  private reuse = true;
  private keepAliveMs: number | null = null;
  private http11 = true;
  private used = 0;

  /** The answer's final status once its status line is read; 0 before (or while only 1xx have come). */
  get finalStatus(): number {
    return this.status;
  }

  /** In the bytes last fed, where reading stopped: the answer's end once done (the next answer's bytes may follow). */
  get stoppedAt(): number {
    return this.used;
  }

  /**
   * Takes the next bytes of the connection, from `from` on, up to the
   * answer's end at most; throws AnswerError on bytes HTTP does not allow.
   */
  feed(bytes: Buffer, from = 0): Read {
    let at = from;
    while (at < bytes.length && this.phase !== 'done') {
      at = this.phase === 'length' || this.phase === 'chunk-data' ? this.skipBody(bytes, at) : this.phase === 'close' ? bytes.length : this.readLine(bytes, at);
    }
    this.used = at;
    return this.phase === 'done' ? this.outcome() : MORE;
  }

  /** The connection ended: the answer is whole only if it was one that ends with its connection. */
  end(): Read {
    if (this.phase === 'close') {
      this.phase = 'done';
      this.reuse = false;
    }
    if (this.phase === 'done') return this.outcome();
    throw new AnswerError('other side closed');
  }

  private outcome(): Read {
    return { done: true, status: this.status, reuse: this.reuse, http11: this.http11, keepAliveMs: this.keepAliveMs };
  }

  private skipBody(bytes: Buffer, at: number): number {
    const n = Math.min(this.remaining, bytes.length - at);
    this.remaining -= n;
    if (this.remaining === 0) this.phase = this.phase === 'length' ? 'done' : 'chunk-end';
    return at + n;
  }

  /** Reads up to the end of a line (LF, a CR before it dropped) and acts on it; returns where it stopped. */
  private readLine(bytes: Buffer, at: number): number {
    const lf = bytes.indexOf(10, at);
    const end = lf < 0 ? bytes.length : lf;
    this.line += bytes.toString('latin1', at, end);
    if (this.phase === 'head' && (this.headBytes += end - at + 1) > HEAD_MAX) throw new AnswerError(`the answer's head is over ${HEAD_MAX} bytes`);
    else if (this.phase !== 'head' && this.line.length > LINE_MAX) throw new AnswerError(`a chunk size or trailer line over ${LINE_MAX} bytes`);
    if (lf < 0) return bytes.length;
    const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
    this.line = '';
    this.onLine(line);
    return lf + 1;
  }

  private onLine(line: string): void {
    switch (this.phase) {
      case 'head':
        // Blank lines before a status line are tolerated (RFC 9112 §2.2); a status line is checked as soon as it is in.
        if (line === '') {
          if (this.headLines.length > 0) this.onHead(this.headLines);
        } else this.headLines.push(this.headLines.length === 0 ? statusLine(line) : line);
        return;
      case 'chunk-size':
        return this.onChunkSize(line);
      case 'chunk-end':
        if (line !== '') throw new AnswerError('a chunk not followed by CRLF');
        this.phase = 'chunk-size';
        return;
      case 'trailers':
        if (line === '') this.phase = 'done';
        return;
    }
  }

  private onChunkSize(line: string): void {
    const hex = /^[0-9a-fA-F]{1,12}(?=[\t ;]|$)/.exec(line);
    if (!hex) throw new AnswerError(`a bad chunk size: ${JSON.stringify(line.slice(0, 40))}`);
    this.remaining = parseInt(hex[0], 16);
    this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
  }

  private onHead([statusLine, ...fields]: string[]): void {
    this.headLines = [];
    this.headBytes = 0;
    const m = STATUS_LINE.exec(statusLine)!;
    const status = Number(m[2]);
    // An interim answer (100 Continue, 103 Early Hints): the final one follows (RFC 9110 §15.2). 101 was not asked for.
    if (status === 101) throw new AnswerError('101 Switching Protocols, unasked');
    if (status < 200) return;
    this.status = status;
    this.http11 = m[1] === '1';
    const head = headFields(fields, m[1] === '0');
    this.reuse = head.reuse;
    this.keepAliveMs = head.keepAliveMs;
    if (status === 204 || status === 304) this.phase = 'done';
    else if (head.chunked) this.phase = 'chunk-size';
    else if (head.transferEncoded || head.length === null) {
      // A coding other than chunked, or no length: the body is what comes until the connection closes.
      this.phase = 'close';
      this.reuse = false;
    } else {
      this.remaining = head.length;
      this.phase = head.length === 0 ? 'done' : 'length';
    }
  }
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;

function statusLine(line: string): string {
  if (!STATUS_LINE.test(line)) throw new AnswerError(`not an HTTP/1.1 answer: ${JSON.stringify(line.slice(0, 40))}`);
  return line;
}

interface Head {
  length: number | null;
  chunked: boolean;
  transferEncoded: boolean;
  reuse: boolean;
  keepAliveMs: number | null;
}

/** What an answer's header fields say of its body's length and of its connection (names are case-insensitive). */
function headFields(fields: string[], http10: boolean): Head {
  const head: Head = { length: null, chunked: false, transferEncoded: false, reuse: !http10, keepAliveMs: null };
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) throw new AnswerError(`a bad header line: ${JSON.stringify(field.slice(0, 40))}`);
    const name = field.slice(0, colon).toLowerCase();
    const value = field.slice(colon + 1).trim();
    if (name === 'content-length') head.length = contentLength(value, head.length);
    else if (name === 'transfer-encoding') {
      head.transferEncoded = true;
      head.chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    } else if (name === 'connection') {
      const tokens = value.toLowerCase().split(',').map((t) => t.trim());
      if (tokens.includes('close')) head.reuse = false;
      else if (http10 && tokens.includes('keep-alive')) head.reuse = true;
    } else if (name === 'keep-alive') {
      const timeout = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
      if (timeout) head.keepAliveMs = Number(timeout[1]) * 1000;
    }
  }
  // Both: Transfer-Encoding rules, and the connection is not used again (RFC 9112 §6.3).
  if (head.transferEncoded && head.length !== null) head.reuse = false;
  return head;
}

function contentLength(value: string, before: number | null): number {
  // The same length repeated (in one field or several) is one length; different ones make the body's end unknown.
  const lengths = new Set(value.split(',').map((v) => v.trim()));
  const [only] = lengths;
  if (lengths.size !== 1 || !/^\d{1,15}$/.test(only) || (before !== null && Number(only) !== before)) {
    throw new AnswerError(`a bad Content-Length: ${JSON.stringify(value.slice(0, 40))}`);
  }
  return Number(only);
}
