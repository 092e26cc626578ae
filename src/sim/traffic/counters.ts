/**
 * Counters that move like a real line's: computed when read, from the
 * simulated time, the device's boot time and a few numbers drawn once per
 * device. No timers and no stored samples, so 100,000 devices cost 100,000
 * small objects.
 *
 *  - bytes and packets grow with the time-of-day load (./day-shape.ts),
 *    scaled per device (light to heavy users) and per interface;
 *  - errors, discards and DSL errored seconds grow on a share of devices
 *    with a bad line (TrafficOptions.badLineShare), barely on the others;
 *  - xsd:unsignedInt counters wrap at 2^32 (a busy WAN byte counter wraps
 *    every few hours, as TR-098 ones do);
 *  - a reboot (or factory reset) starts every counter and the uptime again
 *    from 0 (DeviceTraffic.reboot);
 *  - TrafficOptions.wrapAfterS sets those wrapping counters just under
 *    their wrap, so that a test (or a demo of an ACS's wrap handling) sees
 *    them wrap at a known time instead of after hours of traffic;
 *  - gauges (CPU, memory, Wi-Fi signal, DSL noise margin) move with the
 *    load and the line (./gauges.ts).
 */
import type { DeviceModel, NodeRef } from '../model/device';
import type { BaseModel } from '../model/base';
import type { LiveValues } from '../cpe/options';
import { classify, unitHash, type CounterSpec, type GaugeKind } from './classify';
import type { SimClock } from './clock';
import { loadIntegral } from './day-shape';
import { gaugeValue } from './gauges';

export interface TrafficOptions {
  /** Share of devices with a bad line (errors growing), 0-1; default 0.05. */
  badLineShare?: number;
  /** Mean downstream bytes per second of an average device over a day; default 150,000 (1.2 Mbit/s). */
  meanBytesPerS?: number;
  /** The devices' local time zone, minutes east of UTC (the day shape follows local time); default 0. */
  utcOffsetMin?: number;
  /** Every device's uptime when the fleet starts, in seconds; default: drawn per device between 0 and 14 days. */
  initialUptimeS?: number;
  /** Changes every per-device draw (which lines are bad, who is a heavy user). */
  seed?: string;
  /**
   * Every counter that wraps (xsd:unsignedInt, xsd:int; not the uptime) and
   * counts since boot reads as if it had counted almost to its wrap before:
   * it passes 2^32 (2^31) and starts again from 0 this many simulated
   * seconds after the device is made, as a busy line's counter does. Until
   * the device's next reboot, after which counters start from 0 as always.
   * Default: off (counters count from 0 at boot).
   */
  wrapAfterS?: number;
}

const UPSTREAM_SHARE = 0.15;
const PACKET_BYTES_DOWN = 1000;
const PACKET_BYTES_UP = 120;
const QUARTER_MS = 900_000;
const DAY_MS = 86_400_000;
const MAX_INITIAL_UPTIME_S = 14 * 86_400;

/** The fleet's counters: options, the clock, and which nodes of each base model are counters. */
export class TrafficModel {
  readonly badLineShare: number;
  readonly meanBytesPerS: number;
  readonly utcOffsetS: number;
  private readonly specs = new Map<BaseModel, (CounterSpec | null | undefined)[]>();

  constructor(
    readonly clock: SimClock,
    readonly options: TrafficOptions = {},
  ) {
    this.badLineShare = options.badLineShare ?? 0.05;
    this.meanBytesPerS = options.meanBytesPerS ?? 150_000;
    this.utcOffsetS = (options.utcOffsetMin ?? 0) * 60;
  }

  /** The traffic of one device, drawn from its key. */
  device(key: string): DeviceTraffic {
    return new DeviceTraffic(this, key);
  }

  /** The counter a node is (cached per base model node), or null. */
  specOf(model: DeviceModel, ref: NodeRef): CounterSpec | null {
    if (typeof ref !== 'number') return classify(ref.path, model.typeOf(ref), model.isWritable(ref));
    let cache = this.specs.get(model.base);
    if (!cache) this.specs.set(model.base, (cache = new Array<CounterSpec | null | undefined>(model.base.size)));
    let spec = cache[ref];
    if (spec === undefined) cache[ref] = spec = classify(model.pathOf(ref), model.typeOf(ref), model.isWritable(ref));
    return spec;
  }
}

function storedTotal(model: DeviceModel): number {
  const v = Number(model.getValue(`${model.root}DeviceInfo.MemoryStatus.Total`));
  return Number.isFinite(v) ? v : 0;
}

/** One device's counters: its boot time and its draws. */
export class DeviceTraffic implements LiveValues {
  bootAt: number;
  /** 0 on a good line; 1-10 on a bad one (how fast errors grow). */
  readonly badness: number;
  /** Multiplies the mean traffic: 0.2 (light user) to 2.5 (heavy). */
  readonly scale: number;
  /** Shifts the device's day by up to ±45 minutes, so a fleet does not move in lockstep. */
  readonly phaseS: number;
  /** Simulated ms at which the wrapping counters wrap (TrafficOptions.wrapAfterS); null: they count from 0 at boot. */
  private wrapAt: number | null;

  constructor(
    private readonly traffic: TrafficModel,
    readonly key: string,
  ) {
    const seed = traffic.options.seed ?? '';
    const draw = (what: string): number => unitHash(`${seed}/${key}/${what}`);
    this.badness = draw('bad') < traffic.badLineShare ? 1 + 9 * draw('badness') : 0;
    this.scale = 0.2 + 2.3 * draw('scale') ** 2;
    this.phaseS = (draw('phase') - 0.5) * 5400;
    const uptimeS = traffic.options.initialUptimeS ?? Math.floor(draw('uptime') * MAX_INITIAL_UPTIME_S);
    this.bootAt = traffic.clock.now() - uptimeS * 1000;
    const wrapAfterS = traffic.options.wrapAfterS;
    this.wrapAt = wrapAfterS === undefined ? null : traffic.clock.now() + wrapAfterS * 1000;
  }

  get badLine(): boolean {
    return this.badness > 0;
  }

  /** The device restarts: counters and uptime from 0 at `at` (simulated ms). */
  reboot(at = this.traffic.clock.now()): void {
    this.bootAt = at;
    this.wrapAt = null;
  }

  uptimeS(at = this.traffic.clock.now()): number {
    return Math.max(0, Math.floor((at - this.bootAt) / 1000));
  }

  /** LiveValues: the value of a counter parameter now, undefined for any other parameter. */
  valueOf(model: DeviceModel, ref: NodeRef): string | undefined {
    return this.valueAt(model, ref, this.traffic.clock.now());
  }

  /** The value of a counter parameter at simulated time `at`, undefined for any other parameter. */
  valueAt(model: DeviceModel, ref: NodeRef, at: number): string | undefined {
    const spec = this.traffic.specOf(model, ref);
    if (!spec) return undefined;
    if (spec.salt === undefined) return String(this.counter(spec, at));
    return String(this.gauge(spec, at, spec.kind === 'memFree' || spec.kind === 'memTotal' ? storedTotal(model) : 0));
  }

  /** A gauge's value at `at`; `storedTotal` is MemoryStatus.Total as the model stores it (0 when unknown). */
  gauge(spec: CounterSpec, at: number, storedTotal = 0): number {
    const localS = at / 1000 + this.traffic.utcOffsetS + this.phaseS;
    return gaugeValue({ kind: spec.kind as GaugeKind, salt: spec.salt ?? 0, key: this.key, at, localS, badness: this.badness, storedTotal });
  }

  /** A counter's value at simulated time `at`. */
  counter(spec: CounterSpec, at: number): number {
    const since = this.periodStart(spec, at);
    const raw = spec.kind === 'uptime' ? (at - since) / 1000 : this.amount(spec, since, at) + this.headStart(spec);
    const n = Math.floor(Math.max(0, raw));
    return spec.wrap > 0 ? n % spec.wrap : n;
  }

  /** What a wrapping counter had counted before boot so that it wraps at `wrapAt` (0 for the others). */
  private headStart(spec: CounterSpec): number {
    if (this.wrapAt === null || spec.wrap === 0 || spec.period !== 'boot') return 0;
    return spec.wrap - (this.amount(spec, this.bootAt, this.wrapAt) % spec.wrap);
  }

  private periodStart(spec: CounterSpec, at: number): number {
    if (spec.period === 'boot') return Math.min(this.bootAt, at);
    const local = at + this.traffic.utcOffsetS * 1000;
    const size = spec.period === 'quarter' ? QUARTER_MS : DAY_MS;
    return Math.min(at, Math.max(this.bootAt, local - (local % size) - this.traffic.utcOffsetS * 1000));
  }

  /** Load-weighted seconds between two simulated times (an average day: 86,400). */
  private load(from: number, to: number): number {
    const shift = this.traffic.utcOffsetS + this.phaseS;
    return loadIntegral(to / 1000 + shift) - loadIntegral(from / 1000 + shift);
  }

  private amount(spec: CounterSpec, from: number, to: number): number {
    const bytesPerS = this.traffic.meanBytesPerS * this.scale * spec.share * (spec.sent ? UPSTREAM_SHARE : 1);
    const bytes = bytesPerS * this.load(from, to);
    const packets = bytes / (spec.sent ? PACKET_BYTES_UP : PACKET_BYTES_DOWN);
    const seconds = (to - from) / 1000;
    switch (spec.kind) {
      case 'bytes':
        return bytes * spec.fraction;
      case 'packets':
        return packets * spec.fraction;
      case 'errors':
        return packets * (this.badness > 0 ? 1e-4 * this.badness : 0);
      case 'discards':
        return packets * (this.badness > 0 ? 5e-5 * this.badness : 1e-7);
      case 'erroredSecs':
        return seconds * 0.005 * this.badness;
      case 'severelyErroredSecs':
        return seconds * 0.0005 * this.badness;
      default:
        return 0;
    }
  }
}
