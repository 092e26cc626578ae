/**
 * GET /ping/:host, as GenieACS answers it: the system's ping output as text
 * (200), or 404 when the host did not answer. GenieACS once put the host
 * into a shell command (CVE-2021-46704): here the host must be an IPv4 or
 * IPv6 address or a DNS name (400 otherwise: no spaces, no leading "-", no
 * shell characters), and ping is run without a shell, the host one argument
 * after every option.
 */
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError, badRequest } from '../../errors';
import { apiRouter, defineRoute } from '../api/route';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);
const COUNT = 3;
const TIMEOUT_MS = 10_000;
/** Pings running at once per process: each is a child process. */
const MAX_RUNNING = 4;

/** The host, or a 400 saying what a host may be. */
export function checkHost(host: string): string {
  if (isIP(host) !== 0 || DNS_NAME.test(host)) return host;
  return badRequest(`host ${JSON.stringify(host.slice(0, 80))} is not an IP address or a DNS name`);
}

interface PingResult {
  answered: boolean;
  output: string;
}

function runPing(host: string): Promise<PingResult> {
  return new Promise((resolve, reject) => {
    // -n: numeric output (no reverse lookups); -W 1: one second per reply; the host last, alone.
    execFile('ping', ['-n', '-c', String(COUNT), '-W', '1', host], { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return reject(new AcsError('ACS_ERR_INTERNAL', 'ping is not installed on this host (GET /ping needs the system\'s ping)'));
      resolve({ answered: err === null, output: `${stdout}${stderr}` });
    });
  });
}

export function pingRoutes(): Router {
  let running = 0;
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/ping/:host',
      summary: 'Ping a host from the ACS',
      params: z.object({ host: z.string() }),
      responses: { 200: 'ping\'s output', 404: 'the host did not answer', 503: 'too many pings at once' },
      handle: async (ctx, { params }) => {
        const host = checkHost(params.host);
        if (running >= MAX_RUNNING) {
          ctx.set('Retry-After', '1');
          throw new AcsError('ACS_ERR_OVERLOADED', `${MAX_RUNNING} pings are running; try again`);
        }
        running++;
        try {
          const r = await runPing(host);
          if (!r.answered) throw new AcsError('ACS_ERR_NOT_FOUND', `${host} did not answer: ${r.output.trim().split('\n').slice(-2).join(' ')}`);
          ctx.type = 'text/plain';
          ctx.body = r.output;
        } finally {
          running--;
        }
      },
    }),
  ], 'ignored');
}
