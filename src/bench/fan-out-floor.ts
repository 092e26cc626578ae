/**
 * The floor of scenario (d): the least any ACS does for "a setParameterValues
 * task with a connection request to each device": take the POST, ask the CPE
 * to connect (the ACS's own Digest client), answer its Inform, send the
 * SetParameterValues, take its answer. Everything in memory, one process: no
 * storage, no Redis, no engine, no checks. The same fleet and bench client
 * run against it, so its time is what this machine can do at best, and (d)'s
 * time divided by it travels between machines (DEVELOPERS: judge a target
 * against the floor of the same run).
 *
 * It speaks just enough of the REST API for fan-out-tasks.ts: PUT
 * connection-request credentials, POST a task (?connection_request), GET
 * /tasks (?status, ?before, ?limit).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpConnectionRequest, usableUrl } from '../connreq/http-request';
import type { ConnectionRequestCredentials } from '../connreq/types';
import { decode } from '../cwmp/soap/decode';
import { encode } from '../cwmp/soap/encode';
import type { CwmpMessage, Inform, ParameterValueStruct, XsdType } from '../cwmp/soap/types';
import { deviceKeyOf } from '../model/device-key';

interface FloorTask {
  id: number;
  device: string;
  status: 'queued' | 'sent' | 'done';
  createdAt: number;
  updatedAt: number;
  values: ParameterValueStruct[];
}

interface FloorDevice {
  /** Of its last Inform: the session's requests use it too. */
  namespace: string;
  url: string | null;
  credentials: ConnectionRequestCredentials | null;
  open: FloorTask[];
}

const COOKIE = 'floor';

export class FanOutFloor {
  private readonly devices = new Map<string, FloorDevice>();
  private readonly tasks: FloorTask[] = [];

  /** The CWMP side: Inform → InformResponse; empty POST → the device's task, else 204; its answer → done, 204. */
  cwmp(body: string, cookie: string | undefined, res: http.ServerResponse): void {
    if (body.trim() === '') return this.next(cookie === undefined ? undefined : decodeURIComponent(cookie), res);
    const decoded = decode(body);
    if (!decoded.ok) return void res.writeHead(400).end();
    const { header, body: msg, namespace } = decoded.envelope;
    if (msg.method === 'Inform') {
      const key = this.inform(msg, namespace);
      return this.soap(res, namespace, header.ID, { method: 'InformResponse', MaxEnvelopes: 1 }, key);
    }
    if (msg.method === 'SetParameterValuesResponse' && cookie !== undefined) {
      const task = this.device(decodeURIComponent(cookie)).open.shift();
      if (task) Object.assign(task, { status: 'done', updatedAt: Date.now() });
    }
    res.writeHead(204).end();
  }

  /** The REST side; null when the route is not one of (d)'s. */
  async nbi(method: string, url: URL, body: string): Promise<{ status: number; body?: unknown } | null> {
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (method === 'PUT' && parts[0] === 'devices' && parts[2] === 'connection-request-credentials') {
      this.device(parts[1]).credentials = JSON.parse(body) as ConnectionRequestCredentials;
      return { status: 204 };
    }
    if (method === 'POST' && parts[0] === 'devices' && parts[2] === 'tasks') return this.createTask(parts[1], JSON.parse(body), url.searchParams.has('connection_request'));
    if (method === 'GET' && parts[0] === 'tasks') return { status: 200, body: this.list(url.searchParams) };
    return null;
  }

  private async createTask(key: string, body: { parameterValues?: [string, string, string?][] }, ask: boolean) {
    const device = this.device(key);
    const now = Date.now();
    const values = (body.parameterValues ?? []).map(([Name, Value, type]) => ({ Name, Value: String(Value), type: (type ?? 'xsd:string') as XsdType }));
    const task: FloorTask = { id: this.tasks.length + 1, device: key, status: 'queued', createdAt: now, updatedAt: now, values };
    this.tasks.push(task);
    device.open.push(task);
    if (!ask) return { status: 202, body: task };
    const target = usableUrl(device.url);
    const cr = target ? await httpConnectionRequest(target, device.credentials) : { outcome: 'no-url', message: '' };
    return { status: 202, body: { ...task, connectionRequest: { outcome: cr.outcome, time: Date.now() } } };
  }

  /** Newest first, like GET /tasks. */
  private list(q: URLSearchParams): FloorTask[] {
    const before = Number(q.get('before') ?? Infinity);
    const status = q.get('status');
    const out: FloorTask[] = [];
    for (let i = Math.min(this.tasks.length, before - 1) - 1; i >= 0 && out.length < Number(q.get('limit') ?? 100); i--) {
      if (status === null || this.tasks[i].status === status) out.push(this.tasks[i]);
    }
    return out;
  }

  private inform(msg: Inform, namespace: string): string {
    const key = deviceKeyOf(msg.DeviceId);
    const device = this.device(key);
    device.namespace = namespace;
    const url = msg.ParameterList.find((p) => p.Name.endsWith('ManagementServer.ConnectionRequestURL'));
    if (url) device.url = url.Value;
    return key;
  }

  private next(key: string | undefined, res: http.ServerResponse): void {
    const device = key === undefined ? undefined : this.devices.get(key);
    const task = device?.open[0];
    if (!device || !task || task.status !== 'queued') return void res.writeHead(204).end();
    task.status = 'sent';
    this.soap(res, device.namespace, `floor-${task.id}`, { method: 'SetParameterValues', ParameterList: task.values, ParameterKey: '' }, key);
  }

  private soap(res: http.ServerResponse, namespace: string, id: string | undefined, body: CwmpMessage, key: string | undefined): void {
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset="utf-8"' };
    if (key !== undefined) headers['Set-Cookie'] = `${COOKIE}=${encodeURIComponent(key)}; Path=/`;
    res.writeHead(200, headers).end(encode({ header: id === undefined ? {} : { ID: id }, body, namespace }));
  }

  private device(key: string): FloorDevice {
    let d = this.devices.get(key);
    if (!d) this.devices.set(key, (d = { namespace: 'urn:dslforum-org:cwmp-1-0', url: null, credentials: null, open: [] }));
    return d;
  }
}

/** The two servers of the floor; ports 0 pick free ones. */
export async function startFanOutFloor(cwmpPort = 0, nbiPort = 0): Promise<{ cwmpPort: number; nbiPort: number; close(): void }> {
  const floor = new FanOutFloor();
  const cwmp = http.createServer((req, res) =>
    readBody(req, (body) => floor.cwmp(body, cookieOf(req.headers.cookie), res)),
  );
  const nbi = http.createServer((req, res) =>
    readBody(req, (body) => {
      floor
        .nbi(req.method ?? 'GET', new URL(req.url ?? '/', 'http://floor'), body)
        .then((r) => (r ? res.writeHead(r.status, { 'Content-Type': 'application/json' }).end(r.body === undefined ? '' : JSON.stringify(r.body)) : res.writeHead(404).end()))
        .catch((err: Error) => res.writeHead(400).end(err.message));
    }),
  );
  cwmp.keepAliveTimeout = 30_000;
  nbi.keepAliveTimeout = 30_000;
  const listen = (s: http.Server, port: number) => new Promise<number>((resolve) => s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  return { cwmpPort: await listen(cwmp, cwmpPort), nbiPort: await listen(nbi, nbiPort), close: () => (cwmp.close(), nbi.close()) };
}

function readBody(req: http.IncomingMessage, then: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
}

function cookieOf(header: string | undefined): string | undefined {
  const m = header?.match(new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]*)`));
  return m?.[1];
}
