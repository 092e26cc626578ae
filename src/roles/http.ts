/** The HTTP(S) servers of a process (CWMP, file server, NBI): listening, TLS, error logging, closing. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type Koa from 'koa';
import { httpsServerOptions, type TlsSettings } from '../infra/tls';
import { watchCertificates } from '../infra/tls-reload';
import type { Logger } from '../log';
import type { Closer } from './closers';

/** Connections the kernel may queue before the process accepts them; Linux caps it at net.core.somaxconn. A CPE whose SYN finds the queue full waits for its own retransmission (1 s, 3 s, 7 s …): better queued and answered (503 if need be). */
const LISTEN_BACKLOG = 65_535;

/** Error codes of a request the client gave up on, or that timed out: the client's doing, not ours. */
const CLIENT_ENDED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_HTTP_REQUEST_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * In a child of `acs start --processes` (node:cluster) a server listens
 * through the primary, which hands each connection to one of the children
 * listening on that port in turn: what the front ends want. A server meant to
 * run once per machine (REST API, metrics) is `exclusive`: its own socket.
 * Outside a cluster both are a plain listen.
 */
function listen(server: http.Server, port: number, host: string, exclusive: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG, exclusive }, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Logs late errors (a request timed out, a client gone mid-response) as one JSON line; Koa's default prints a stack trace on stderr. */
function logAppErrors(app: Koa, log: Logger, name: string): void {
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code && CLIENT_ENDED.has(err.code)) log.warn({ server: name, code: err.code, reason: err.message }, 'request ended before its response');
    else log.error({ server: name, err }, 'request failed after its response began');
  });
}

/**
 * With CLIENT_AUTH=optional the handshake lets any certificate through (a
 * client without one may still authenticate otherwise): one that does not
 * chain to the CA is refused here, before the app sees the request.
 */
function refuseUntrusted(handler: http.RequestListener, log: Logger, name: string): http.RequestListener {
  return (req, res) => {
    const socket = req.socket as TLSSocket;
    if (socket.authorized || !socket.getPeerCertificate().raw) return void handler(req, res);
    const reason = String(socket.authorizationError);
    log.warn({ server: name, remoteAddress: socket.remoteAddress, reason }, 'client certificate not trusted');
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(`ACS_ERR_CLIENT_CERT: client certificate not trusted (${reason})\n`);
  };
}

function httpsServer(s: Serve, tls: TlsSettings, log: Logger): https.Server {
  const handler = tls.clientAuth === 'optional' ? refuseUntrusted(s.app.callback(), log, s.name) : s.app.callback();
  const server = https.createServer({ ...s.options, ...httpsServerOptions(tls) }, handler);
  // A client refused at the handshake (no or an untrusted certificate, no common protocol) is otherwise invisible.
  // Node drops an unverified client certificate's connection without an error of its own: the socket keeps the reason.
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const reason = socket.authorizationError ? `client certificate: ${String(socket.authorizationError)}` : err.message;
    log.warn({ server: s.name, remoteAddress: socket.remoteAddress, code: err.code, reason }, 'TLS handshake failed');
  });
  return server;
}

export interface Serve {
  app: Koa;
  /** Names the server in log lines. */
  name: string;
  options: http.ServerOptions;
  port: number;
  host: string;
  /** HTTPS with these files (reloaded when they change); absent or null: plain HTTP. */
  tls?: TlsSettings | null;
  /** The children of `acs start --processes` share the port (CWMP, file server); otherwise the process listens alone. */
  shared?: boolean;
}

/** Serves `app` (closed with what was opened, its connections cut), resolving to the port it listens on. */
export async function serve(s: Serve, log: Logger, opened: Closer[]): Promise<number> {
  logAppErrors(s.app, log, s.name);
  const tls = s.tls ?? null;
  const server = tls ? httpsServer(s, tls, log) : http.createServer(s.options, s.app.callback());
  const watch = tls ? watchCertificates(server as https.Server, tls, log) : null;
  opened.push(async () => {
    watch?.close();
    await closeServer(server);
  });
  return listen(server, s.port, s.host, s.shared !== true);
}
