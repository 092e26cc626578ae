import http from 'node:http';
import zlib from 'node:zlib';
import { decode } from '../../src/cwmp/soap/decode';
import { encode } from '../../src/cwmp/soap/encode';
import type { CwmpEnvelope, CwmpHeader, CwmpMessage, Inform, ParameterValueStruct } from '../../src/cwmp/soap/types';

export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  envelope: CwmpEnvelope | null;
}

export interface ScriptedCpeOptions {
  /** Return the session cookie (default true). */
  cookies?: boolean;
  /** Keep one TCP connection for the session (default true). */
  keepAlive?: boolean;
  namespace?: string;
}

/**
 * A CPE driven step by step by a test: it POSTs exactly what the test says
 * and hands back what the ACS answered, decoded.
 */
export class ScriptedCpe {
  private cookie: string | null = null;
  private agent: http.Agent;
  readonly namespace: string;
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly options: ScriptedCpeOptions = {},
  ) {
    this.agent = new http.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: 1 });
    this.namespace = options.namespace ?? 'urn:dslforum-org:cwmp-1-2';
  }

  /** Sends raw bytes with optional extra headers. */
  postRaw(body: string | Buffer, headers: Record<string, string> = {}): Promise<Exchange> {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const all: Record<string, string> = { ...headers };
    if (data.length > 0 && !all['Content-Type']) all['Content-Type'] = 'text/xml; charset="utf-8"';
    if (this.cookie && (this.options.cookies ?? true)) all.Cookie = this.cookie;
    if (!all['Transfer-Encoding']) all['Content-Length'] = String(data.length);
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, { method: 'POST', headers: all, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) this.cookie = setCookie.split(';')[0];
          const text = Buffer.concat(chunks).toString('utf8');
          const decoded = text.startsWith('<?xml') ? decode(text) : null;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, envelope: decoded?.ok ? decoded.envelope : null });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  post(body: CwmpMessage | null, header: CwmpHeader = {}, headers: Record<string, string> = {}): Promise<Exchange> {
    if (body === null) return this.postRaw('', headers);
    const id = header.ID ?? (body.method.endsWith('Response') || body.method === 'Fault' ? undefined : String(this.nextId++));
    return this.postRaw(encode({ header: id === undefined ? header : { ...header, ID: id }, body, namespace: this.namespace }), headers);
  }

  /** Answers the ACS request in `ex` with `body`, echoing its cwmp:ID. */
  reply(ex: Exchange, body: CwmpMessage): Promise<Exchange> {
    return this.post(body, { ID: ex.envelope?.header.ID });
  }

  gzip(xml: string): Buffer {
    return zlib.gzipSync(Buffer.from(xml, 'utf8'));
  }

  forgetCookie(): void {
    this.cookie = null;
  }

  close(): void {
    this.agent.destroy();
  }
}

export function param(Name: string, Value: string, type: ParameterValueStruct['type'] = 'xsd:string'): ParameterValueStruct {
  return { Name, Value, type };
}

export function inform(serial: string, events: string[], extra: Partial<Inform> = {}): Inform {
  return {
    method: 'Inform',
    DeviceId: { Manufacturer: 'Acme', OUI: '00AA11', ProductClass: 'Box-1', SerialNumber: serial },
    Event: events.map((EventCode) => ({ EventCode, CommandKey: '' })),
    MaxEnvelopes: 1,
    CurrentTime: '2026-11-25T12:00:00Z',
    RetryCount: 0,
    ParameterList: [
      param('Device.DeviceInfo.SoftwareVersion', '1.0.0'),
      param('Device.DeviceInfo.HardwareVersion', 'hw1'),
      param('Device.ManagementServer.ConnectionRequestURL', `http://10.0.0.1:7547/${serial}`),
      param('Device.ManagementServer.ParameterKey', ''),
    ],
    ...extra,
  };
}
