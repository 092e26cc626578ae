/**
 * Bandwidth by group (product class, software version, tag, or the whole
 * fleet) and the top talkers, from byte counters (traffic.ts). Per group:
 * devices, bytes each way, and the average, median and 95th percentile of
 * the devices' throughput (bytes per second).
 */
import { groupsOf, type FleetDevice } from './fleet';
import type { BandwidthParams, TopTalkersParams } from './params';
import { byGroupKey, percentile, round, Samples, TopN } from './stats';
import { TrafficVisitor, type DeviceTraffic } from './traffic';
import type { ReportRow } from './types';

export const BANDWIDTH_COLUMNS = [
  'group', 'devices', 'bytesReceived', 'bytesSent',
  'receivedAvgBps', 'receivedP50Bps', 'receivedP95Bps', 'sentAvgBps', 'sentP50Bps', 'sentP95Bps',
];

interface Group {
  devices: number;
  received: number;
  sent: number;
  rxRates: Samples;
  txRates: Samples;
}

function groupRow(key: string | null, g: Group): ReportRow {
  const rx = g.rxRates.sorted();
  const tx = g.txRates.sorted();
  return {
    group: key, devices: g.devices, bytesReceived: Math.round(g.received), bytesSent: Math.round(g.sent),
    receivedAvgBps: round(g.rxRates.mean()), receivedP50Bps: round(percentile(rx, 50)), receivedP95Bps: round(percentile(rx, 95)),
    sentAvgBps: round(g.txRates.mean()), sentP50Bps: round(percentile(tx, 50)), sentP95Bps: round(percentile(tx, 95)),
  };
}

export function bandwidthReport(p: Pick<BandwidthParams, 'groupBy' | 'received' | 'sent'>): { visitor: TrafficVisitor; rows: () => ReportRow[] } {
  const groups = new Map<string | null, Group>();
  const add = (d: FleetDevice, t: DeviceTraffic) => {
    for (const key of groupsOf(d, p.groupBy)) {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { devices: 0, received: 0, sent: 0, rxRates: new Samples(), txRates: new Samples() }));
      g.devices++;
      g.received += t.received;
      g.sent += t.sent;
      g.rxRates.push(t.seconds > 0 ? t.received / t.seconds : 0);
      g.txRates.push(t.seconds > 0 ? t.sent / t.seconds : 0);
    }
  };
  const rows = () =>
    [...groups.entries()]
      .sort(byGroupKey)
      .map(([key, g]) => groupRow(key, g));
  return { visitor: new TrafficVisitor(p, add), rows };
}

export const TOP_TALKER_COLUMNS = ['rank', 'device', 'productClass', 'softwareVersion', 'bytes', 'bytesReceived', 'bytesSent', 'receivedAvgBps', 'sentAvgBps'];

export function topTalkersReport(p: Pick<TopTalkersParams, 'limit' | 'received' | 'sent'>): { visitor: TrafficVisitor; rows: () => ReportRow[]; total: () => number } {
  const top = new TopN<{ d: FleetDevice; t: DeviceTraffic }>(p.limit);
  const visitor = new TrafficVisitor(p, (d, t) => top.add(t.received + t.sent, { d: { ...d, tags: [] }, t }));
  const rows = () =>
    top.result().map(({ d, t }, i) => ({
      rank: i + 1, device: d.key, productClass: d.productClass, softwareVersion: d.softwareVersion,
      bytes: Math.round(t.received + t.sent), bytesReceived: Math.round(t.received), bytesSent: Math.round(t.sent),
      receivedAvgBps: round(t.seconds > 0 ? t.received / t.seconds : 0), sentAvgBps: round(t.seconds > 0 ? t.sent / t.seconds : 0),
    }));
  return { visitor, rows, total: () => top.seen };
}
