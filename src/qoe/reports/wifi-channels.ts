/**
 * Wi-Fi channel congestion from the `wifi` profile: per channel (and band),
 * the radios on it, the clients associated with them and the radios' noise.
 *
 * A radio's channel is its last value that held for a whole bucket (a
 * bucket whose min and max agree); its noise and clients are averages over
 * the range. TR-098 counts clients per WLANConfiguration, the radio itself.
 * TR-181 counts them per AccessPoint, whose radio is named only through
 * SSID.LowerLayers (not a series): an access point is taken to be on the
 * radio of the same instance number, else on the device's only radio; the
 * clients of others are left out (counted in a note). The band is told by
 * the channel number (1-14: 2.4 GHz; others: 5 GHz; 6 GHz radios, whose
 * numbers overlap, are not told apart).
 */
import { statsAt } from './columns';
import type { FleetDevice } from './fleet';
import type { BucketRow, Visitor } from './scan';
import { round } from './stats';
import type { ReportRow } from './types';
import type { Column } from '../series/values';

type Role = { radio: string; what: 'channel' | 'noise' | 'clients' } | { ap: number };

const PATTERNS: [RegExp, (m: RegExpExecArray) => Role][] = [
  [/^Device\.WiFi\.Radio\.(\d+)\.Channel$/, (m) => ({ radio: `r${m[1]}`, what: 'channel' })],
  [/^Device\.WiFi\.Radio\.(\d+)\.Stats\.Noise$/, (m) => ({ radio: `r${m[1]}`, what: 'noise' })],
  [/^Device\.WiFi\.AccessPoint\.(\d+)\.AssociatedDeviceNumberOfEntries$/, (m) => ({ ap: Number(m[1]) })],
  [/^InternetGatewayDevice\.LANDevice\.(\d+)\.WLANConfiguration\.(\d+)\.Channel$/, (m) => ({ radio: `w${m[1]}.${m[2]}`, what: 'channel' })],
  [/^InternetGatewayDevice\.LANDevice\.(\d+)\.WLANConfiguration\.(\d+)\.TotalAssociations$/, (m) => ({ radio: `w${m[1]}.${m[2]}`, what: 'clients' })],
];

function roleOf(c: Column): Role | null {
  for (const [re, role] of PATTERNS) {
    const m = re.exec(c.path);
    if (m) return role(m);
  }
  return null;
}

interface Mean {
  sum: number;
  n: number;
}

interface Radio {
  channel: number | null;
  channelTime: number;
  noise: Mean;
  /** TR-098: the radio's own count, averaged. */
  clients: Mean;
  /** TR-181: the sum of its access points' averages. */
  apClients: number;
}

interface DeviceWifi {
  radios: Map<string, Radio>;
  aps: Map<number, Mean>;
}

interface Channel {
  band: string;
  channel: number;
  radios: number;
  clients: number;
  noiseSum: number;
  noiseRadios: number;
}

export const WIFI_CHANNEL_COLUMNS = ['band', 'channel', 'radios', 'radioShare', 'clients', 'clientsPerRadio', 'noiseAvg', 'radiosWithNoise'];

const add = (m: Mean, avg: number, n: number) => {
  m.sum += avg * n;
  m.n += n;
};
const mean = (m: Mean): number | null => (m.n > 0 ? m.sum / m.n : null);

export function bandOf(channel: number): string {
  return channel >= 1 && channel <= 14 ? '2.4GHz' : '5GHz';
}

export class WifiChannelVisitor implements Visitor {
  private readonly roles = new WeakMap<Column[], (Role | null)[]>();
  private readonly open = new Map<number, DeviceWifi>();
  private readonly channels = new Map<string, Channel>();
  /** Access points whose radio could not be told. */
  unplaced = 0;

  row(device: FleetDevice, b: BucketRow): void {
    let roles = this.roles.get(b.columns);
    if (!roles) this.roles.set(b.columns, (roles = b.columns.map(roleOf)));
    let w = this.open.get(device.stream);
    roles.forEach((role, i) => {
      const s = role ? statsAt(b.values, i) : null;
      if (!role || !s) return;
      if (!w) this.open.set(device.stream, (w = { radios: new Map(), aps: new Map() }));
      if ('ap' in role) {
        const m = w.aps.get(role.ap) ?? { sum: 0, n: 0 };
        add(m, s.avg, s.n);
        w.aps.set(role.ap, m);
        return;
      }
      let r = w.radios.get(role.radio);
      if (!r) w.radios.set(role.radio, (r = { channel: null, channelTime: -1, noise: { sum: 0, n: 0 }, clients: { sum: 0, n: 0 }, apClients: 0 }));
      if (role.what === 'noise') add(r.noise, s.avg, s.n);
      else if (role.what === 'clients') add(r.clients, s.avg, s.n);
      else if (s.min === s.max && b.time > r.channelTime) {
        r.channel = s.min;
        r.channelTime = b.time;
      }
    });
  }

  flush(devices: FleetDevice[]): void {
    for (const d of devices) {
      const w = this.open.get(d.stream);
      if (w) this.addDevice(w);
    }
    this.open.clear();
  }

  private addDevice(w: DeviceWifi): void {
    for (const [ap, m] of w.aps) {
      const radio = w.radios.get(`r${ap}`) ?? (w.radios.size === 1 ? [...w.radios.values()][0] : undefined);
      if (radio) radio.apClients += mean(m) ?? 0;
      else this.unplaced++;
    }
    for (const r of w.radios.values()) {
      // 0: no channel yet (auto selection), not a channel.
      if (r.channel === null || r.channel <= 0) continue;
      const key = `${bandOf(r.channel)} ${r.channel}`;
      let c = this.channels.get(key);
      if (!c) this.channels.set(key, (c = { band: bandOf(r.channel), channel: r.channel, radios: 0, clients: 0, noiseSum: 0, noiseRadios: 0 }));
      c.radios++;
      c.clients += r.apClients + (mean(r.clients) ?? 0);
      const noise = mean(r.noise);
      if (noise !== null) {
        c.noiseSum += noise;
        c.noiseRadios++;
      }
    }
  }

  rows(): ReportRow[] {
    const list = [...this.channels.values()].sort((a, b) => (a.band === b.band ? a.channel - b.channel : a.band < b.band ? -1 : 1));
    const radios = list.reduce((n, c) => n + c.radios, 0);
    return list.map((c) => ({
      band: c.band, channel: c.channel, radios: c.radios, radioShare: round((100 * c.radios) / radios, 2),
      clients: round(c.clients, 2), clientsPerRadio: round(c.clients / c.radios, 2),
      noiseAvg: c.noiseRadios > 0 ? round(c.noiseSum / c.noiseRadios, 2) : null, radiosWithNoise: c.noiseRadios,
    }));
  }
}
