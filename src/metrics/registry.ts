/**
 * The process's Prometheus metrics (prom-client), served at /metrics.
 *
 * One registry per process, at module level on purpose: Prometheus scrapes
 * processes, and the hooks sit in session, engine, connection-request and
 * webhook code that would otherwise each carry a metrics handle in its deps
 * for a one-line increment. Hooks only increment or observe (a few hundred
 * nanoseconds, no I/O); anything that costs a query (queue depths) is sampled
 * when Prometheus scrapes (queues.ts). Label values come from closed sets or
 * are bounded by labels.ts: a CPE must not be able to grow the series count.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { engineStats } from '../engine/stats';

export const registry = new Registry();

/** Seconds, from 1 ms to a minute: CWMP sessions, engine steps and HTTP requests all fall in it. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How a session ended: quiet (a routine Inform, nothing stored), or committed as completed, timed out or replaced; commit_failed is put back to retry. */
export type SessionOutcome = 'quiet' | 'completed' | 'timeout' | 'replaced' | 'commit_failed';

export const metrics = {
  sessions: new Counter({ name: 'acs_sessions_total', help: 'CWMP sessions ended, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  sessionSeconds: new Histogram({
    name: 'acs_session_duration_seconds', help: 'CWMP session duration from the Inform to its end, by outcome',
    labelNames: ['outcome'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  }),
  informs: new Counter({ name: 'acs_informs_total', help: 'Informs received, by event code (vendor and unknown codes grouped, see labels.ts)', labelNames: ['event'] as const, registers: [registry] }),
  rpcs: new Counter({
    name: 'acs_rpcs_total', help: 'ACS requests answered by the CPE, by method and CWMP fault code ("none" for a response)',
    labelNames: ['method', 'fault'] as const, registers: [registry],
  }),
  stepSeconds: new Histogram({
    name: 'acs_engine_step_wait_seconds', help: 'Front end: time from queuing an engine step to its answer (hand-off included)',
    buckets: LATENCY_BUCKETS, registers: [registry],
  }),
  workerStepSeconds: new Histogram({ name: 'acs_engine_step_duration_seconds', help: 'Worker: time to plan one engine step', buckets: LATENCY_BUCKETS, registers: [registry] }),
  channelFaults: new Counter({ name: 'acs_channel_faults_total', help: 'Faults recorded against a provisioning channel, by fault code', labelNames: ['code'] as const, registers: [registry] }),
  connectionRequests: new Counter({ name: 'acs_connection_requests_total', help: 'Connection requests, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  webhookDeliveries: new Counter({ name: 'acs_webhook_deliveries_total', help: 'Webhook delivery attempts, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  webhooksDisabled: new Counter({ name: 'acs_webhooks_disabled_total', help: 'Webhook subscriptions disabled after failing for WEBHOOK_DISABLE_AFTER_MS', registers: [registry] }),
  httpSeconds: new Histogram({
    name: 'acs_http_request_duration_seconds', help: 'HTTP request handling time, by server (cwmp, fs, nbi, metrics)',
    labelNames: ['server'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  }),
  redisErrors: new Counter({ name: 'acs_redis_errors_total', help: 'Errors of the process\'s Redis connection (lost, refused, timed out)', registers: [registry] }),
  dbErrors: new Counter({ name: 'acs_db_errors_total', help: 'Database statements or transactions that failed (after retries)', registers: [registry] }),
};

/** engineStats (engine/stats.ts) is kept for the benchmark already: read at scrape time, nothing added to the step. */
function engineCounter(name: string, help: string, read: () => number): void {
  new Counter({
    name, help, registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

engineCounter('acs_engine_steps_total', 'Engine steps planned by this worker', () => engineStats.steps);
engineCounter('acs_engine_step_seconds_total', 'Time this worker spent planning steps', () => engineStats.stepMs / 1000);
engineCounter('acs_sandbox_runs_total', 'Provision and virtual-parameter script runs in this worker', () => engineStats.scriptRuns);
engineCounter('acs_sandbox_seconds_total', 'Time this worker spent in the script sandbox (synchronous: CPU time of its thread)', () => engineStats.sandboxMs / 1000);

let defaults = false;

/** Node's own metrics (CPU, memory, event-loop delay, GC) once per process: a second registration would throw. */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: registry });
}

/** A session's end: counted by outcome, its duration observed. */
export function sessionEnded(outcome: Exclude<SessionOutcome, 'commit_failed'>, startedAt: number): void {
  const labels = { outcome };
  metrics.sessions.inc(labels);
  metrics.sessionSeconds.observe(labels, (Date.now() - startedAt) / 1000);
}

/** `err`, counted as a database error (db/sql.ts: every failed MySQL statement or connection passes here). */
export function countedDbError<E>(err: E): E {
  metrics.dbErrors.inc();
  return err;
}
