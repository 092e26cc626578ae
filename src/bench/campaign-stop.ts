/**
 * Scenario (d), part 2: a campaign that must stop itself. A
 * setParameterValues task over every device of a fleet in which a share of
 * the devices refuse SetParameterValues (simulator fault injection), at
 * `ratePerMinute`, in stages [1 %, 10 %, rest], failureThreshold 0.2: it has
 * to stop in its first stage. Measured: time from the POST /campaigns to its
 * `stopped` (the campaign's finishedAt), the counters at that moment, and
 * that nothing more started afterwards.
 *
 * The fleet also informs periodically (every `periodicS`, spread evenly), as
 * real CPEs do: a task of a campaign whose connection request does not reach
 * the device still runs at its next Inform.
 */
import type { Fleet } from '../sim/fleet';
import type { NbiClient } from './nbi-client';
import { FAN_OUT_PATH } from './fan-out-tasks';
import type { SimTimeline } from './sim-timeline';

export interface CampaignStopOptions {
  /** Precondition selecting the campaign's devices. */
  filter: string;
  ratePerMinute: number;
  stages: { percent?: number }[];
  failureThreshold: number;
  connectionRequest: boolean;
  /** Periodic Inform interval of the fleet during the campaign (s; 0 = none). */
  periodicS: number;
  deadlineMs: number;
  pollMs: number;
  /** How long to keep watching after it stopped, to see that no device starts any more (ms). */
  settleMs: number;
}

type Counts = Record<'pending' | 'started' | 'done' | 'failed' | 'cancelled' | 'skipped', number>;

interface CampaignView {
  id: string;
  status: string;
  reason: string | null;
  total: number;
  stage: number;
  createdAt: number;
  finishedAt: number | null;
  counts: Counts;
  progress: { stage: number; total: number; counts: Counts }[];
}

export interface CampaignStopReport {
  devices: number;
  faultyDevices: number;
  status: string;
  reason: string | null;
  /** POST /campaigns → its finishedAt; null if it had not finished by the deadline. */
  stopMs: number | null;
  /** Stage (1-based) it was in when it ended. */
  stage: number;
  /** Counters when it was first seen stopped, and `settleMs` later. */
  atStop: Counts;
  afterSettle: Counts;
  stageSizes: number[];
  /** Connection requests the campaign's CPEs accepted while it ran. */
  connectionRequests: number;
  /** Periodic sessions the bench started meanwhile. */
  periodicSessions: number;
  /** The options it ran with. */
  options: Omit<CampaignStopOptions, 'filter'>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function campaignStop(nbi: NbiClient, fleet: Fleet, timeline: SimTimeline, o: CampaignStopOptions): Promise<CampaignStopReport> {
  const periodic = startPeriodic(fleet, o.periodicS);
  try {
    const t0 = Date.now();
    const created = await nbi.ok<CampaignView>(nbi.post('/campaigns', campaignBody(o, t0)), 'POST /campaigns');
    const path = `/campaigns/${encodeURIComponent(created.id)}`;
    let c = created;
    while (!['stopped', 'done', 'cancelled'].includes(c.status) && Date.now() < t0 + o.deadlineMs) {
      await sleep(o.pollMs);
      c = await nbi.ok<CampaignView>(nbi.get(path), `GET ${path}`);
    }
    const atStop = c.counts;
    await sleep(o.settleMs);
    const after = await nbi.ok<CampaignView>(nbi.get(path), `GET ${path}`);
    if (c.status === 'running') await nbi.post(`${path}/cancel`); // missed the deadline: leave nothing running
    return {
      devices: c.total,
      faultyDevices: fleet.devices.filter((d) => d.rpcOptions.refuseSetParameterValues !== undefined).length,
      status: c.status,
      reason: c.reason,
      stopMs: c.finishedAt === null ? null : c.finishedAt - t0,
      stage: c.stage + 1,
      atStop,
      afterSettle: after.counts,
      stageSizes: c.progress.map((p) => p.total),
      connectionRequests: timeline.accepted,
      periodicSessions: periodic.sessions(),
      options: withoutFilter(o),
    };
  } finally {
    periodic.stop();
  }
}

function withoutFilter({ filter: _, ...rest }: CampaignStopOptions): Omit<CampaignStopOptions, 'filter'> {
  return rest;
}

function campaignBody(o: CampaignStopOptions, t0: number): unknown {
  return {
    name: `bench (d) campaign ${new Date(t0).toISOString()}`,
    query: o.filter,
    action: { task: { name: 'setParameterValues', parameterValues: [[FAN_OUT_PATH, `ntp-campaign-${t0}.example`, 'xsd:string']] } },
    connectionRequest: o.connectionRequest,
    stages: o.stages.map((s) => ({ ...s, waitMinutes: 0 })),
    ratePerMinute: o.ratePerMinute,
    failureThreshold: o.failureThreshold,
  };
}

/** "2 PERIODIC" sessions: each device once per `periodS`, the fleet spread evenly over the period (10 slices a second). */
function startPeriodic(fleet: Fleet, periodS: number): { stop(): void; sessions(): number } {
  if (periodS <= 0) return { stop: () => undefined, sessions: () => 0 };
  const slices = Math.max(1, Math.round(periodS * 10));
  let slice = 0;
  let sessions = 0;
  const timer = setInterval(() => {
    const n = fleet.devices.length;
    const from = Math.floor((slice * n) / slices);
    const to = Math.floor(((slice + 1) * n) / slices);
    for (let i = from; i < to; i++) fleet.connect(fleet.devices[i], '2 PERIODIC');
    sessions += to - from;
    slice = (slice + 1) % slices;
  }, 100);
  return { stop: () => clearInterval(timer), sessions: () => sessions };
}
