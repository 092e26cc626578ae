/**
 * Which chart a device's series go on. Series are matched by their path, not
 * their profile: an operator's own profile, or a bulk data report, may carry
 * the same parameters under another name. Values are converted to the unit
 * people read (bytes per second to bit/s, 0.1 dB to dB, KiB to MiB, errors
 * per second to per minute); what matches no chart goes to "Other series" by
 * profile. UpTime is left out: its drops are the reboots chart. No JSX here
 * (a .ts file): the unit tests import it without the UI's compiler settings.
 */
import { REBOOTS_PATH, type Series } from '../../qoe/types';

export interface ChartPoint {
  time: number;
  value: number;
}

export interface ChartLine {
  name: string;
  points: ChartPoint[];
}

/** Lines on one chart at most (those going furthest from zero: the busiest interfaces, the weakest Wi-Fi signals). */
export const MAX_LINES = 8;

export interface Unit {
  /** A value as read, with its unit. */
  format: (v: number) => string;
  /** A value on the axis. */
  short: (v: number) => string;
}

export interface ChartSpec {
  key: string;
  section: string;
  title: string;
  unit: Unit;
  lines: ChartLine[];
  bars?: boolean;
  /** Lines left out (beyond MAX_LINES). */
  hidden: number;
}

interface Group {
  key: string;
  section: string;
  title: string;
  unit: Unit;
  /** Series on this chart; counters only or gauges only, as the pattern says. */
  match: (s: Series) => boolean;
  /** The stored value (per second for counters) to the chart's unit. */
  scale: number;
  label: (path: string) => string;
  bars?: boolean;
}

const num = (v: number, digits = 1): string => v.toLocaleString('en', { maximumFractionDigits: digits });

/** 12.5 k, 3.2 M: the SI prefixes of bit rates. */
function si(v: number): string {
  const a = Math.abs(v);
  for (const [p, f] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (a >= f) return `${num(v / f)} ${p}`;
  return `${num(v)} `;
}

const unit = (name: string, prefixed = false): Unit => ({
  format: (v) => (prefixed ? `${si(v)}${name}` : `${num(v)} ${name}`),
  short: (v) => (prefixed ? si(v).trim() : num(v)),
});

const BITS = unit('bit/s', true);
const PER_MIN = unit('per min');
const PER_HOUR = unit('per hour');
const DBM = unit('dBm');
const DB = unit('dB');
const PERCENT = unit('%');
const MIB = unit('MiB');
const COUNT = unit('');
/** Counts: whole numbers as read; the axis's middle line may fall between two (2.5). */
const COUNT_INT: Unit = { format: (v) => num(v, 0), short: (v) => num(v) };

/** The path without its root and ".Stats": "IP.Interface.1.Stats.BytesSent" → "IP.Interface.1.BytesSent". */
const shortPath = (path: string): string => path.replace(/^(Device|InternetGatewayDevice)\./, '').replace(/\.Stats(\.Total)?\./, '.');
const objectOf = (path: string): string => shortPath(path).split('.').slice(0, -1).join('.');
const leafOf = (path: string): string => path.split('.').pop() ?? path;

const direction = (path: string): string => (/Sent$/.test(path) ? 'sent' : 'received');
const byObject = (path: string): string => `${objectOf(path)} ${direction(path)}`;
const byLeaf = (path: string): string => shortPath(path);

const counter = (re: RegExp) => (s: Series) => s.kind === 'counter' && re.test(s.path);
const gauge = (re: RegExp) => (s: Series) => s.kind === 'gauge' && re.test(s.path);

const BYTES = /Bytes(Sent|Received)$/;
const WAN = /^(Device\.IP\.Interface\.|InternetGatewayDevice\.WANDevice\.)/;
const LAN = /^(Device\.Ethernet\.Interface\.|InternetGatewayDevice\.LANDevice\.\d+\.LANEthernetInterfaceConfig\.)/;
const WIFI_TRAFFIC = /^(Device\.WiFi\.Radio\.|InternetGatewayDevice\.LANDevice\.\d+\.WLANConfiguration\.)/;

const GROUPS: Group[] = [
  { key: 'wan', section: 'Throughput', title: 'WAN and IP interfaces (bit/s)', unit: BITS, scale: 8, label: byObject, match: (s) => counter(BYTES)(s) && WAN.test(s.path) },
  { key: 'lan', section: 'Throughput', title: 'LAN Ethernet ports (bit/s)', unit: BITS, scale: 8, label: byObject, match: (s) => counter(BYTES)(s) && LAN.test(s.path) },
  { key: 'wifi-traffic', section: 'Throughput', title: 'Wi-Fi radios (bit/s)', unit: BITS, scale: 8, label: byObject, match: (s) => counter(BYTES)(s) && WIFI_TRAFFIC.test(s.path) },
  { key: 'optical-traffic', section: 'Throughput', title: 'Optical interface (bit/s)', unit: BITS, scale: 8, label: byObject, match: (s) => counter(BYTES)(s) && s.path.startsWith('Device.Optical.') },
  { key: 'errors', section: 'Errors', title: 'Errors and discards (per minute)', unit: PER_MIN, scale: 60, label: byLeaf, match: counter(/(Errors(Sent|Received)|DiscardPackets(Sent|Received)|CRCErrors|FECErrors)$/) },
  { key: 'wifi-clients', section: 'Wi-Fi', title: 'Wi-Fi clients', unit: COUNT_INT, scale: 1, label: objectOf, match: gauge(/(AssociatedDeviceNumberOfEntries|TotalAssociations)$/) },
  { key: 'wifi-signal', section: 'Wi-Fi', title: 'Wi-Fi signal strength and noise (dBm)', unit: DBM, scale: 1, label: byLeaf, match: gauge(/(AssociatedDevice\.\d+\.(SignalStrength|Noise)|Radio\.\d+\.Stats\.Noise)$/) },
  { key: 'wifi-rates', section: 'Wi-Fi', title: 'Wi-Fi client data rates (kbit/s)', unit: unit('kbit/s'), scale: 1, label: byLeaf, match: gauge(/AssociatedDevice\.\d+\.LastData(Down|Up)linkRate$/) },
  { key: 'wifi-channel', section: 'Wi-Fi', title: 'Wi-Fi channels', unit: COUNT_INT, scale: 1, label: objectOf, match: gauge(/(Radio|WLANConfiguration)\.\d+\.Channel$/) },
  { key: 'dsl-rates', section: 'Line', title: 'DSL rates (bit/s)', unit: BITS, scale: 1000, label: byLeaf, match: gauge(/(Upstream|Downstream)(MaxBitRate|CurrRate)$/) },
  { key: 'dsl-margins', section: 'Line', title: 'DSL noise margin and attenuation (dB)', unit: DB, scale: 0.1, label: byLeaf, match: gauge(/(Upstream|Downstream)(NoiseMargin|Attenuation)$/) },
  { key: 'dsl-errored', section: 'Line', title: 'DSL errored seconds (per hour)', unit: PER_HOUR, scale: 3600, label: byLeaf, match: counter(/ErroredSecs$/) },
  { key: 'optical-levels', section: 'Line', title: 'Optical levels (dBm)', unit: DBM, scale: 0.001, label: byLeaf, match: gauge(/^Device\.Optical\.Interface\.\d+\.(OpticalSignalLevel|TransmitOpticalLevel)$/) },
  { key: 'cpu', section: 'System', title: 'CPU use (%)', unit: PERCENT, scale: 1, label: () => 'CPU', match: gauge(/ProcessStatus\.CPUUsage$/) },
  { key: 'memory', section: 'System', title: 'Memory (MiB)', unit: MIB, scale: 1 / 1024, label: (p) => `${leafOf(p).toLowerCase()} memory`, match: gauge(/MemoryStatus\.(Total|Free)$/) },
];

export const SECTIONS = ['Throughput', 'Errors', 'Wi-Fi', 'Line', 'System', 'Reboots', 'Other series'];

const linesOf = (series: Series[], g: { scale: number; label: (p: string) => string }): ChartLine[] =>
  series.map((s) => ({ name: g.label(s.path), points: s.points.map((p) => ({ time: p.time, value: p.value * g.scale })) }));

/** The MAX_LINES lines whose values go furthest from zero, in name order; and how many were left out. */
function busiest(lines: ChartLine[]): { lines: ChartLine[]; hidden: number } {
  const peak = (l: ChartLine) => Math.max(...l.points.map((p) => Math.abs(p.value)));
  const kept = [...lines].sort((a, b) => peak(b) - peak(a)).slice(0, MAX_LINES);
  return { lines: kept.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })), hidden: lines.length - kept.length };
}

/** One series per path: the same parameter in two profiles is one line (the one with more samples). */
function uniqueByPath(series: Series[]): Series[] {
  const best = new Map<string, Series>();
  for (const s of series) if ((best.get(s.path)?.points.length ?? -1) < s.points.length) best.set(s.path, s);
  return [...best.values()];
}

/** Every profile sees a reboot: the reboots of the profile that saw the most. */
function reboots(series: Series[]): ChartSpec[] {
  const all = series.filter((s) => s.path === REBOOTS_PATH);
  if (all.length === 0) return [];
  const count = (s: Series) => s.points.reduce((a, p) => a + p.value, 0);
  const most = all.reduce((a, s) => (count(s) > count(a) ? s : a));
  return [{ key: 'reboots', section: 'Reboots', title: 'Reboots', unit: { format: (v) => `${num(v, 0)} ${v === 1 ? 'reboot' : 'reboots'}`, short: (v) => num(v) }, bars: true, hidden: 0,
    lines: [{ name: 'Reboots', points: most.points }] }];
}

/** What no chart took, by profile and kind: one chart each. */
function others(series: Series[]): ChartSpec[] {
  const by = new Map<string, Series[]>();
  for (const s of series) by.set(`${s.profile} ${s.kind}`, [...(by.get(`${s.profile} ${s.kind}`) ?? []), s]);
  return [...by.entries()].map(([k, list]) => {
    const [profile, kind] = k.split(' ');
    const counters = kind === 'counter';
    return { key: `other-${profile}-${kind}`, section: 'Other series', title: `${profile}: ${counters ? 'counters (per second)' : 'values'}`, unit: counters ? unit('per s') : COUNT,
      ...busiest(linesOf(list, { scale: 1, label: byLeaf })) };
  });
}

/** The charts a device's series make, in SECTIONS order; charts with no point are left out. */
export function chartsOf(all: Series[]): ChartSpec[] {
  const series = uniqueByPath(all.filter((s) => s.points.length > 0 && s.path !== REBOOTS_PATH && !/\.UpTime$/.test(s.path)));
  const taken = new Set<Series>();
  const out: ChartSpec[] = [];
  for (const g of GROUPS) {
    const mine = series.filter((s) => !taken.has(s) && g.match(s));
    if (mine.length === 0) continue;
    mine.forEach((s) => taken.add(s));
    out.push({ key: g.key, section: g.section, title: g.title, unit: g.unit, ...busiest(linesOf(mine, g)) });
  }
  out.push(...reboots(all), ...others(series.filter((s) => !taken.has(s))));
  return out;
}
