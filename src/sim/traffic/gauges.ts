/**
 * Values that go up and down with the device's day rather than count: CPU
 * use and free memory follow the traffic load, Wi-Fi signal strength and
 * DSL noise margin hold per device and path, worse on bad lines. Each moves
 * a little from one minute to the next (a hash of the minute, so the same
 * time reads the same value).
 */
import type { GaugeKind } from './classify';
import { unitHash } from './classify';
import { loadAt } from './day-shape';

/** Memory size reported when the model says 0 (KiB, TR-181 MemoryStatus.Total). */
export const DEFAULT_MEMORY_KIB = 524_288;
/** The day shape's peak (evening), to make CPU use a share of it. */
const PEAK_LOAD = 1.7;

export interface GaugeInput {
  kind: GaugeKind;
  /** Per path, 0-1. */
  salt: number;
  /** The device's key (draws per device). */
  key: string;
  /** Simulated epoch ms. */
  at: number;
  /** Local seconds of the day for the load (device's time zone and phase). */
  localS: number;
  /** 0 good line, 1-10 bad. */
  badness: number;
  /** MemoryStatus.Total as the model stores it. */
  storedTotal: number;
}

/** A number in [-1, 1) for this device, path and minute. */
function jitter(g: GaugeInput): number {
  return unitHash(`${g.key}/${g.salt}/${Math.floor(g.at / 60_000)}`) * 2 - 1;
}

export function gaugeValue(g: GaugeInput): number {
  const load = loadAt(g.localS) / PEAK_LOAD;
  const total = g.storedTotal > 0 ? g.storedTotal : DEFAULT_MEMORY_KIB;
  switch (g.kind) {
    case 'cpu':
      return clamp(Math.round(4 + 45 * load + 6 * jitter(g)), 0, 100);
    case 'memTotal':
      return total;
    case 'memFree':
      return Math.round(total * clamp(0.6 - 0.3 * load + 0.03 * jitter(g), 0.05, 0.95));
    case 'signal': {
      // A client's place in the home: -45 dBm (next to the router) to -80 dBm (far away).
      const base = -45 - 35 * unitHash(`${g.key}/${g.salt}/place`);
      return Math.round(base + 3 * jitter(g));
    }
    case 'noiseMargin': {
      // In 0.1 dB: 6-12 dB on a good line, 1-4 dB on a bad one.
      const base = g.badness > 0 ? 10 + 30 * unitHash(`${g.key}/${g.salt}/nm`) : 60 + 60 * unitHash(`${g.key}/${g.salt}/nm`);
      return Math.max(0, Math.round(base + 5 * jitter(g)));
    }
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
