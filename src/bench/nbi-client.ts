/**
 * The benchmark's client of the northbound REST API: JSON over keep-alive
 * HTTP with at most `maxSockets` requests in flight (an operator's script
 * with a connection pool), and a pool runner for "do this for every device".
 */
import http from 'node:http';

export interface NbiReply {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

export class NbiClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly base: string,
    maxSockets: number,
    /** The API token sent with every request (the floor's responder needs none). */
    private readonly token?: string,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  get(path: string): Promise<NbiReply> {
    return this.send('GET', path);
  }

  post(path: string, body?: unknown): Promise<NbiReply> {
    return this.send('POST', path, body);
  }

  put(path: string, body?: unknown): Promise<NbiReply> {
    return this.send('PUT', path, body);
  }

  /** A 2xx reply's body; anything else is an Error quoting the reply (the bench stops on a refused request). */
  async ok<T>(reply: Promise<NbiReply>, what: string): Promise<T> {
    const r = await reply;
    if (r.status < 200 || r.status > 299) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body?: unknown): Promise<NbiReply> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {};
    if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.base}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parse(Buffer.concat(chunks).toString('utf8')), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  }
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Runs `work` for every item, `concurrency` at a time, in order of the list. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
