/**
 * Known series for the report suites: four devices' interface counters,
 * CPU and Wi-Fi radios over two days and two hours, ingested as frames into
 * the real series store and rolled up (1h and 1d), with device rows and tags
 * to group by. Rates are constant per day, so every expected figure is a
 * rate times seconds.
 */
import type { DeviceStore } from '../../src/db/types';
import { BUILTIN_PROFILES } from '../../src/qoe/profiles/builtin';
import { createSeriesStore, DEFAULT_RETENTION } from '../../src/qoe/series';
import type { CollectionProfile, Frame, RawValue } from '../../src/qoe/types';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Midnight UTC: the first day of frames. */
export const D = Date.UTC(2026, 10, 20);
/** Frames run up to (not including) NOW: two whole days rolled up, and two hours in raw only. */
export const NOW = D + 2 * DAY + 2 * HOUR;
/** Seconds in the two rolled-up days. */
export const S = 2 * 86_400;
const STEP = 15 * MIN;

export const WAN: CollectionProfile = {
  name: 'wan',
  intervalS: 900,
  retention: DEFAULT_RETENTION,
  parameters: [
    { path: 'Device.IP.Interface.*.Stats.BytesReceived', kind: 'counter', alias: 'WANBytesReceived' },
    { path: 'Device.IP.Interface.*.Stats.BytesSent', kind: 'counter', alias: 'WANBytesSent' },
    { path: 'Device.IP.Interface.*.Stats.ErrorsReceived', kind: 'counter' },
    { path: 'Device.DeviceInfo.ProcessStatus.CPUUsage', kind: 'gauge', alias: 'CPU' },
  ],
};
export const WIFI: CollectionProfile = { ...(BUILTIN_PROFILES.find((p) => p.name === 'wifi') as CollectionProfile) };
export const PROFILES = new Map([WAN, WIFI].map((p) => [p.name, p]));
export const lookup = (name: string): CollectionProfile | undefined => PROFILES.get(name);

export interface DeviceSpec {
  key: string;
  /** null: no device row (a device deleted, its series kept). */
  productClass: string | null;
  software: string;
  tags: string[];
  rx: number;
  tx: number;
  /** Errors per second on day 1, and from day 2 on. */
  errors: [number, number];
  /** CPU values, cycled frame after frame ([]: none reported). */
  cpu: number[];
  wifi: (t: number) => Record<string, RawValue>;
}

export const A: DeviceSpec = {
  key: '00D09E-HG8245-RA', productClass: 'HG8245', software: '1.0', tags: ['north'], rx: 1000, tx: 100, errors: [0, 0], cpu: [10, 30],
  wifi: (t) => ({
    'Device.WiFi.Radio.1.Channel': t < D + DAY ? 1 : 6, 'Device.WiFi.Radio.2.Channel': 36,
    'Device.WiFi.Radio.1.Stats.Noise': -90, 'Device.WiFi.Radio.2.Stats.Noise': -95,
    'Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries': 4, 'Device.WiFi.AccessPoint.2.AssociatedDeviceNumberOfEntries': 2,
  }),
};
export const B: DeviceSpec = {
  key: '00D09E-HG8245-RB', productClass: 'HG8245', software: '2.0', tags: ['north', 'vip'], rx: 3000, tx: 300, errors: [0.01, 0.1], cpu: [40],
  wifi: () => ({ 'Device.WiFi.Radio.1.Channel': 6, 'Device.WiFi.Radio.1.Stats.Noise': -80, 'Device.WiFi.AccessPoint.3.AssociatedDeviceNumberOfEntries': 3 }),
};
export const C: DeviceSpec = {
  key: '00259E-F660-RC', productClass: 'F660', software: '1.0', tags: [], rx: 500, tx: 50, errors: [0.02, 0.02], cpu: [60],
  wifi: () => ({ 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel': 11, 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations': 5 }),
};
export const X: DeviceSpec = { key: '00259E-F660-RX', productClass: null, software: '', tags: [], rx: 0, tx: 0, errors: [0, 0], cpu: [], wifi: () => ({}) };
export const DEVICES = [A, B, C, X];

function wanFrames(d: DeviceSpec): Frame[] {
  const frames: Frame[] = [];
  let rx = 1_000_000;
  let tx = 2_000_000;
  let errors = 7;
  for (let t = D, i = 0; t < NOW; t += STEP, i++) {
    rx += d.rx * 900;
    tx += d.tx * 900;
    errors += (t < D + DAY ? d.errors[0] : d.errors[1]) * 900;
    const values: Record<string, RawValue> = {
      'Device.IP.Interface.2.Stats.BytesReceived': rx, 'Device.IP.Interface.2.Stats.BytesSent': tx, 'Device.IP.Interface.2.Stats.ErrorsReceived': Math.round(errors),
    };
    if (d.cpu.length > 0) values['Device.DeviceInfo.ProcessStatus.CPUUsage'] = d.cpu[i % d.cpu.length];
    frames.push({ device: d.key, profile: 'wan', time: t, values, uptimeS: 100_000 + (t - D) / 1000 });
  }
  return frames;
}

function wifiFrames(d: DeviceSpec): Frame[] {
  const frames: Frame[] = [];
  for (let t = D; t < NOW; t += STEP) {
    const values = d.wifi(t);
    if (Object.keys(values).length > 0) frames.push({ device: d.key, profile: 'wifi', time: t, values });
  }
  return frames;
}

async function deviceRows(store: DeviceStore): Promise<void> {
  await store.sql.autocommit(async (db) => {
    for (const d of DEVICES) {
      if (d.productClass === null) continue;
      const [oui, , serial] = d.key.split('-');
      const { insertId } = await db.run(
        'INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number, software_version) VALUES (?, ?, ?, ?, ?, ?)',
        [d.key, 'Test', oui, d.productClass, serial, d.software],
      );
      for (const tag of d.tags) await db.run('INSERT INTO device_tags (device_id, tag) VALUES (?, ?)', [insertId, tag]);
    }
  });
}

/** Devices, frames in, rolled up at NOW: the 1h and 1d rows of the two whole days; the last two hours in raw. */
export async function seedReports(store: DeviceStore): Promise<void> {
  await deviceRows(store);
  // Frames as the store takes them on day 3 (older than the raw retention would be refused later).
  const series = createSeriesStore(store.sql, { profiles: lookup, now: () => D + 2 * DAY });
  for (const d of DEVICES) {
    const r = await series.ingest([...wanFrames(d), ...wifiFrames(d)]);
    if (r.droppedCount > 0) throw new Error(`fixture frames dropped: ${JSON.stringify(r.dropped.slice(0, 3))}`);
  }
  await series.rollup(NOW);
}
