/** The HTTP servers of a process (CWMP, file server, NBI): listening, error logging, closing. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../log';
import type { Closer } from './closers';

/** Connections the kernel may queue before the process accepts them; Linux caps it at net.core.somaxconn. A CPE whose SYN finds the queue full waits for its own retransmission (1 s, 3 s, 7 s …): better queued and answered (503 if need be). */
const LISTEN_BACKLOG = 65_535;

/** Error codes of a request the client gave up on, or that timed out: the client's doing, not ours. */
const CLIENT_ENDED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_HTTP_REQUEST_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * An HTTP server for a Koa app whose late errors (a request timed out, a client
 * gone mid-response) go to the log as one JSON line; Koa's default prints a
 * stack trace on stderr.
 */
function serverFor(app: Koa, log: Logger, name: string, options: http.ServerOptions): http.Server {
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code && CLIENT_ENDED.has(err.code)) log.warn({ server: name, code: err.code, reason: err.message }, 'request ended before its response');
    else log.error({ server: name, err }, 'request failed after its response began');
  });
  return http.createServer(options, app.callback());
}

export interface Serve {
  app: Koa;
  /** Names the server in log lines. */
  name: string;
  options: http.ServerOptions;
  port: number;
  host: string;
}

/** Serves `app` (closed with what was opened, its connections cut), resolving to the port it listens on. */
export async function serve(s: Serve, log: Logger, opened: Closer[]): Promise<number> {
  const server = serverFor(s.app, log, s.name, s.options);
  opened.push(() => closeServer(server));
  return listen(server, s.port, s.host);
}
