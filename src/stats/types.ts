/**
 * The shapes GET /stats/fleet and GET /stats/fleet/summary answer. No
 * imports: the web UI reads them too, without the server's code.
 */

export const STEPS = { '1m': 1, '5m': 5, '1h': 60 } as const;
/** A bucket's size: 1 minute, 5 minutes or 1 hour. */
export type Step = keyof typeof STEPS;

/** Values by label (an outcome, a code), each an array aligned with FleetHistory.times. */
export type SeriesMap = Record<string, number[]>;

export interface FleetHistory {
  from: string;
  to: string;
  step: Step;
  /** Start of each bucket, epoch ms. */
  times: number[];
  /** Informs answered: the sessions begun (quiet, completed, timeout, replaced), each one Inform. */
  informs: number[];
  /** Sessions ended, by outcome (commit_failed: a commit put back to be retried). */
  sessions: SeriesMap;
  /** Inform event codes (an Inform may carry several). */
  events: SeriesMap;
  /** CPE fault responses, by CWMP fault code. */
  cpeFaults: SeriesMap;
  /** Provisioning channel faults, by code. */
  channelFaults: SeriesMap;
}

export interface OpenFaults {
  channel: string;
  code: string;
  /** Devices with this channel faulted with this code. */
  devices: number;
}

export interface FleetSummary {
  time: string;
  devices: { known: number; online: number; onlineMinutes: number };
  /** Mean over the last 5 minutes (the current one included, as far as flushed). */
  informsPerMinute: number;
  /** Totals of the last 24 h. */
  last24h: { informs: number; sessions: Record<string, number>; cpeFaults: Record<string, number>; channelFaults: Record<string, number> };
  campaigns: { running: number };
  /** Provisioning faults open now, most devices first. */
  faults: OpenFaults[];
}
