/**
 * Bytes per device from byte counters stored as rates: each bucket adds its
 * average rate (the picked counters summed: several WAN instances) times the
 * seconds it spans. A device's throughput is its bytes over the seconds of
 * the buckets it reported in (idle time counts, offline time does not).
 */
import { Picker, seriesTest, sumOfAverages } from './columns';
import type { FleetDevice } from './fleet';
import type { BucketRow, Visitor } from './scan';

export interface DeviceTraffic {
  received: number;
  sent: number;
  /** Seconds of the buckets with a value of either direction. */
  seconds: number;
}

export interface TrafficSeries {
  received: string[];
  sent: string[];
}

/** A visitor that totals each device's traffic and hands it on once the device's rows are all seen. */
export class TrafficVisitor implements Visitor {
  private readonly rx: Picker;
  private readonly tx: Picker;
  private readonly open = new Map<number, DeviceTraffic>();

  constructor(series: TrafficSeries, private readonly done: (d: FleetDevice, t: DeviceTraffic) => void) {
    this.rx = new Picker(seriesTest(series.received));
    this.tx = new Picker(seriesTest(series.sent));
  }

  row(device: FleetDevice, b: BucketRow): void {
    const rx = sumOfAverages(b.values, this.rx.indexes(b.columns));
    const tx = sumOfAverages(b.values, this.tx.indexes(b.columns));
    if (rx === null && tx === null) return;
    let t = this.open.get(device.stream);
    if (!t) this.open.set(device.stream, (t = { received: 0, sent: 0, seconds: 0 }));
    t.received += (rx ?? 0) * b.seconds;
    t.sent += (tx ?? 0) * b.seconds;
    t.seconds += b.seconds;
  }

  flush(devices: FleetDevice[]): void {
    for (const d of devices) {
      const t = this.open.get(d.stream);
      if (t) this.done(d, t);
    }
    this.open.clear();
  }
}
