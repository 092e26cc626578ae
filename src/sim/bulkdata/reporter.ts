/**
 * The fleet's bulk data: every enabled profile of every simulated CPE
 * reports on its schedule (TR-181 ReportingInterval, TimeReference), on one
 * timer wheel for the whole fleet.
 *
 * Schedule: intervals end at TimeReference + k x ReportingInterval; with the
 * Unknown Time, the first interval begins when the profile is (re)configured.
 * A change of either begins a new first interval at once (TR-181). The
 * collection happens at the end of each interval, at that simulated time.
 *
 * Failures: with HTTP.RetryEnable the report is sent again after waits drawn
 * as TR-069 §3.2.1.1 draws them (RetryMinimumWaitInterval, then x
 * RetryIntervalMultiplier/1000 each time) until the next interval; then up
 * to NumberOfRetainedFailedReports failed collections go with the next
 * report (-1: as many as `maxRetained`). A reboot drops them unless
 * HTTP.PersistAcrossReboot.
 */
import type https from 'node:https';
import type { DeviceModel } from '../model/device';
import { SimClock } from '../traffic/clock';
import type { DeviceTraffic } from '../traffic';
import { collect, requestUrl, type Collection } from './collect';
import { readProfiles, type ProfileConfig } from './config';
import { encodeReport, type EncodeOptions } from './encode';
import { postReport, type PostOutcome } from './post';
import { TimerWheel, type WheelHandle } from './wheel';

/** What the reporter needs of a simulated CPE (a SimDevice has it all). */
export interface BulkDataDevice {
  readonly key: string;
  readonly model: DeviceModel;
  readonly traffic?: DeviceTraffic;
  readonly client?: { readonly tls: https.RequestOptions };
}

/** One report attempt, for tests and the fleet's report. */
export interface ReportAttempt {
  device: string;
  profile: string;
  url: string;
  /** Collections in the report (retained failed ones + the current one). */
  rows: number;
  /** 0 for the interval's first attempt, n for the nth retry. */
  retry: number;
  outcome: PostOutcome;
}

export interface BulkDataOptions extends EncodeOptions {
  /** Simulated time (shared with the counters); default real time. */
  clock?: SimClock;
  /** Resolution of the timer wheel, real ms (default 100). */
  tickMs?: number;
  /** Retained failed reports when NumberOfRetainedFailedReports is -1 (default 16). */
  maxRetained?: number;
  /** Failures and profiles that cannot report. */
  report?: (deviceKey: string, message: string) => void;
  /** Every attempt, after its outcome. */
  onAttempt?: (attempt: ReportAttempt) => void;
  /**
   * With the Unknown Time as TimeReference (the CPE picks the phase):
   * 'immediate' (default) begins the first interval when the profile is
   * configured, as TR-181 says; 'random' ends it at a random point of the
   * interval instead, so a fleet configured at once does not report in
   * lockstep (benchmarks).
   */
  unknownPhase?: 'immediate' | 'random';
}

export interface BulkDataStats {
  sent: number;
  failed: number;
  retries: number;
  bytes: number;
}

/** Most retries drawn per interval (the wait doubles each time; the next interval comes first anyway). */
const MAX_RETRIES = 10;

interface ProfileState {
  config: ProfileConfig;
  anchor: number;
  /** End of the current interval (simulated ms). */
  due: number;
  /** Collections not delivered yet, oldest first. */
  outstanding: Collection[];
  retries: number;
  sending: boolean;
  timer?: WheelHandle;
  retryTimer?: WheelHandle;
}

/** The end of the first interval after `after`, intervals ending at anchor + k x period. */
export function nextDue(anchor: number, periodMs: number, after: number): number {
  return anchor + (Math.floor((after - anchor) / periodMs) + 1) * periodMs;
}

/** The wait before retry `n` (1-based), in seconds: drawn in [min x m^(n-1), min x m^n]. */
export function retryWaitS(config: ProfileConfig, n: number, random = Math.random()): number {
  const low = config.retryMinWaitS * config.retryMultiplier ** (n - 1);
  return low + (low * config.retryMultiplier - low) * random;
}

export class BulkDataReporter {
  readonly clock: SimClock;
  readonly stats: BulkDataStats = { sent: 0, failed: 0, retries: 0, bytes: 0 };
  private readonly wheel: TimerWheel;
  private readonly devices = new Map<BulkDataDevice, Map<string, ProfileState>>();
  private readonly problems = new Map<BulkDataDevice, string>();

  constructor(private readonly options: BulkDataOptions = {}) {
    this.clock = options.clock ?? new SimClock();
    this.wheel = new TimerWheel(options.tickMs ?? 100, (err) => options.report?.('bulkdata', `simulator error: ${String(err)}`));
  }

  /** Reads the device's profiles again (after a session, or a change made locally) and (re)schedules them. */
  refresh(device: BulkDataDevice): void {
    const { profiles, problems } = readProfiles(device.model);
    this.noteProblems(device, problems.map((p) => `${p.path}: ${p.reason}`).join('; '));
    const states = this.devices.get(device) ?? new Map<string, ProfileState>();
    const now = this.clock.now();
    const live = new Set(profiles.map((p) => p.path));
    for (const [path, state] of states) if (!live.has(path)) this.drop(states, path, state);
    for (const config of profiles) {
      const state = states.get(config.path);
      if (!state) states.set(config.path, this.start(device, config, now));
      else if (state.config.intervalS !== config.intervalS || state.config.timeReference !== config.timeReference) {
        this.wheel.cancel(state.timer);
        this.wheel.cancel(state.retryTimer);
        states.set(config.path, this.start(device, config, now, state.outstanding));
      } else {
        // TR-181 NumberOfRetainedFailedReports: a new EncodingType deletes the outstanding failed reports.
        if (state.config.encoding !== config.encoding) state.outstanding = [];
        state.config = config;
      }
    }
    if (states.size > 0) this.devices.set(device, states);
    else this.devices.delete(device);
  }

  /** The device rebooted: failed reports are lost unless PersistAcrossReboot. */
  rebooted(device: BulkDataDevice): void {
    for (const state of this.devices.get(device)?.values() ?? []) if (!state.config.persistAcrossReboot) state.outstanding = [];
  }

  /** The profiles a device reports now (for tests and the fleet's report). */
  profilesOf(device: BulkDataDevice): ProfileConfig[] {
    return [...(this.devices.get(device)?.values() ?? [])].map((s) => s.config);
  }

  /** Profiles scheduled across the fleet. */
  get scheduled(): number {
    return this.wheel.pending;
  }

  close(): void {
    this.wheel.close();
    this.devices.clear();
    this.problems.clear();
  }

  private noteProblems(device: BulkDataDevice, text: string): void {
    if (text === (this.problems.get(device) ?? '')) return;
    if (text === '') this.problems.delete(device);
    else {
      this.problems.set(device, text);
      this.options.report?.(device.key, `bulk data profile not reporting: ${text}`);
    }
  }

  private drop(states: Map<string, ProfileState>, path: string, state: ProfileState): void {
    this.wheel.cancel(state.timer);
    this.wheel.cancel(state.retryTimer);
    states.delete(path);
  }

  private start(device: BulkDataDevice, config: ProfileConfig, now: number, outstanding: Collection[] = []): ProfileState {
    const phase = this.options.unknownPhase === 'random' ? Math.random() * config.intervalS * 1000 : 0;
    const anchor = config.timeReference ?? now - phase;
    const state: ProfileState = { config, anchor, due: nextDue(anchor, config.intervalS * 1000, now), outstanding, retries: 0, sending: false };
    this.arm(device, state);
    return state;
  }

  private arm(device: BulkDataDevice, state: ProfileState): void {
    state.timer = this.wheel.schedule(this.clock.realDelayUntil(state.due), () => this.intervalEnd(device, state));
  }

  private isCurrent(device: BulkDataDevice, state: ProfileState): boolean {
    return this.devices.get(device)?.get(state.config.path) === state;
  }

  private retainedLimit(config: ProfileConfig): number {
    return config.retained < 0 ? this.options.maxRetained ?? 16 : config.retained;
  }

  /** An interval ended: collect, schedule the next, send everything outstanding. */
  private intervalEnd(device: BulkDataDevice, state: ProfileState): void {
    if (!this.isCurrent(device, state)) return;
    const at = state.due;
    const keep = this.retainedLimit(state.config);
    state.outstanding = [...(keep > 0 ? state.outstanding.slice(-keep) : []), collect(device.model, device.traffic, state.config, at)];
    state.due = nextDue(state.anchor, state.config.intervalS * 1000, at);
    this.arm(device, state);
    this.wheel.cancel(state.retryTimer);
    state.retries = 0;
    void this.send(device, state, 0);
  }

  private async send(device: BulkDataDevice, state: ProfileState, retry: number): Promise<void> {
    // A report still on its way (a slow collector) takes this one with the next.
    if (state.sending || state.outstanding.length === 0) return;
    state.sending = true;
    const rows = state.outstanding;
    const config = state.config;
    const now = this.clock.now();
    const url = requestUrl(device.model, device.traffic, config, rows[rows.length - 1].time);
    const encoded = encodeReport(config, rows, this.options);
    const outcome = await postReport(url, config, encoded, now, device.client?.tls);
    state.sending = false;
    this.count(outcome, encoded.text.length, retry);
    this.options.onAttempt?.({ device: device.key, profile: config.path, url: url.toString(), rows: rows.length, retry, outcome });
    if (outcome.ok) {
      state.outstanding = state.outstanding.filter((c) => !rows.includes(c));
      return;
    }
    this.options.report?.(device.key, `bulk data report to ${config.url} failed: ${outcome.reason ?? outcome.status}`);
    if (config.retryEnable && this.isCurrent(device, state)) this.scheduleRetry(device, state);
  }

  private scheduleRetry(device: BulkDataDevice, state: ProfileState): void {
    if (state.retries >= MAX_RETRIES) return;
    const n = ++state.retries;
    const at = this.clock.now() + retryWaitS(state.config, n) * 1000;
    if (at >= state.due) return;
    state.retryTimer = this.wheel.schedule(this.clock.realDelayUntil(at), () => {
      if (this.isCurrent(device, state)) void this.send(device, state, n);
    });
  }

  private count(outcome: PostOutcome, bytes: number, retry: number): void {
    if (outcome.ok) this.stats.sent++;
    else this.stats.failed++;
    if (retry > 0) this.stats.retries++;
    this.stats.bytes += bytes;
  }
}
