/**
 * Which parameters of a data model are counters the simulator makes move,
 * told by their names as TR-181 and TR-098 (and vendor dumps) spell them:
 * interface statistics (Bytes/Packets/Errors/Discard... Sent/Received under
 * a ".Stats." object, TR-098 Total* counters), DSL errored seconds, uptime;
 * and the gauges that move with them (CPU, memory, signal, noise margin).
 * Read-only integers only; diagnostics results are left to the diagnostics.
 */
import type { XsdType } from '../../cwmp/soap/types';

export type CounterKind = 'uptime' | 'bytes' | 'packets' | 'errors' | 'discards' | 'erroredSecs' | 'severelyErroredSecs' | GaugeKind;

/** Values that go up and down rather than count (./gauges.ts). */
export type GaugeKind = 'cpu' | 'memFree' | 'memTotal' | 'signal' | 'noiseMargin';

/** Since when a counter counts: boot, or a reset every quarter hour / day (DSL Stats.QuarterHour / CurrentDay). */
export type CounterPeriod = 'boot' | 'quarter' | 'day';

export interface CounterSpec {
  readonly kind: CounterKind;
  readonly sent: boolean;
  /** Share of the interface's packets this counter counts (unicast, multicast, broadcast). */
  readonly fraction: number;
  /** Share of the device's traffic on this interface (0.3-1, fixed per interface path). */
  readonly share: number;
  /** The counter wraps to 0 at this value (2^32 for xsd:unsignedInt); 0: never within a simulation. */
  readonly wrap: number;
  readonly period: CounterPeriod;
  /** Gauges: a number fixed per path (0-1), so two radios or lines differ. */
  readonly salt?: number;
}

const GAUGES: readonly [RegExp, GaugeKind][] = [
  [/\.DeviceInfo\.ProcessStatus\.CPUUsage$/, 'cpu'],
  [/\.DeviceInfo\.MemoryStatus\.Free$/, 'memFree'],
  [/\.DeviceInfo\.MemoryStatus\.Total$/, 'memTotal'],
  [/\.AssociatedDevice\.\d+\.SignalStrength$/, 'signal'],
  [/(\.DSL\.Line\.\d+|WANDSLInterfaceConfig)\.(Downstream|Upstream)NoiseMargin$/, 'noiseMargin'],
];

function gaugeOf(path: string): CounterSpec | null {
  const kind = GAUGES.find(([re]) => re.test(path))?.[1];
  return kind ? { kind, sent: false, fraction: 1, share: 1, wrap: 0, period: 'boot', salt: unitHash(path) } : null;
}

const WRAP: Partial<Record<XsdType, number>> = { 'xsd:unsignedInt': 2 ** 32, 'xsd:int': 2 ** 31 };
const INTEGER_TYPES = new Set<XsdType>(['xsd:unsignedInt', 'xsd:int', 'xsd:unsignedLong', 'xsd:long']);

/** FNV-1a of a string, as a number in [0, 1): stable per path/device across runs. */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

function kindOf(name: string): CounterKind | undefined {
  if (/SeverelyErroredSecs$/.test(name)) return 'severelyErroredSecs';
  if (/ErroredSecs$/.test(name)) return 'erroredSecs';
  if (/Discard/.test(name)) return 'discards';
  if (/Error|Failed|CRC|FEC|HEC|UnknownProto|Retrans/.test(name)) return 'errors';
  if (/Bytes/.test(name)) return 'bytes';
  if (/Packets|Pkt/.test(name)) return 'packets';
  return undefined;
}

function fractionOf(name: string): number {
  if (/Unicast/.test(name)) return 0.95;
  if (/Multicast/.test(name)) return 0.03;
  if (/Broadcast/.test(name)) return 0.02;
  return 1;
}

/** The counter (or gauge) a parameter is, or null for any other parameter. */
export function classify(path: string, type: XsdType, writable: boolean): CounterSpec | null {
  if (writable || !INTEGER_TYPES.has(type)) return null;
  const name = path.slice(path.lastIndexOf('.') + 1);
  const wrap = WRAP[type] ?? 0;
  if (name === 'UpTime') return { kind: 'uptime', sent: false, fraction: 1, share: 1, wrap, period: 'boot' };
  const gauge = gaugeOf(path);
  if (gauge) return gauge;
  if (path.includes('Diagnostics')) return null;
  const stats = path.indexOf('.Stats.');
  if (stats < 0 && !/\.Total(Bytes|Packets)(Sent|Received)$/.test(path)) return null;
  const kind = kindOf(name);
  if (!kind) return null;
  const iface = stats >= 0 ? path.slice(0, stats) : path.slice(0, path.lastIndexOf('.'));
  return {
    kind,
    sent: /Sent|Tx|Transmitted/.test(name),
    fraction: fractionOf(name),
    share: 0.3 + 0.7 * unitHash(iface),
    wrap,
    period: path.includes('.QuarterHour.') ? 'quarter' : path.includes('.CurrentDay.') ? 'day' : 'boot',
  };
}
