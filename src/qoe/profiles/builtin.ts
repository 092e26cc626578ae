/**
 * The collection profiles the ACS ships, for the usual needs. Each names its
 * parameters on both data models (TR-181 `Device.` and TR-098
 * `InternetGatewayDevice.`): a device has one root, and only what it has is
 * collected. An operator's profile of the same name (REST API) replaces one.
 */
import type { CollectionProfile, ProfileParameter, Retention } from '../types';

/** Raw points 2 days, 5-minute buckets 7, hourly 30, daily 400: what a day's growth figure in BENCHMARKS.md assumes. */
export const DEFAULT_RETENTION: Retention = { raw: 2, '5m': 7, '1h': 30, '1d': 400 };

const counters = (object: string, names: string[]): ProfileParameter[] => names.map((n) => ({ path: `${object}${n}`, kind: 'counter' }));
const gauges = (object: string, names: string[]): ProfileParameter[] => names.map((n) => ({ path: `${object}${n}`, kind: 'gauge' }));
const UPTIME: ProfileParameter[] = [
  { path: 'Device.DeviceInfo.UpTime', kind: 'gauge', alias: 'UpTime' },
  { path: 'InternetGatewayDevice.DeviceInfo.UpTime', kind: 'gauge', alias: 'UpTime' },
];
const TRAFFIC = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived'];

function profile(name: string, description: string, intervalS: number, parameters: ProfileParameter[]): CollectionProfile {
  return { name, description, intervalS, retention: DEFAULT_RETENTION, parameters };
}

export const BUILTIN_PROFILES: readonly CollectionProfile[] = [
  profile('interfaces', 'WAN and LAN interface byte, packet, error and discard counters', 900, [
    ...counters('Device.IP.Interface.*.Stats.', TRAFFIC),
    ...counters('Device.Ethernet.Interface.*.Stats.', TRAFFIC),
    // The fleet reports' default byte counters (TR-181 names its WAN interface per device: no alias there).
    { path: 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesReceived', kind: 'counter', alias: 'WANBytesReceived' },
    { path: 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesSent', kind: 'counter', alias: 'WANBytesSent' },
    ...counters('InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.', ['TotalPacketsSent', 'TotalPacketsReceived']),
    ...counters('InternetGatewayDevice.WANDevice.*.WANConnectionDevice.*.WANIPConnection.*.Stats.', ['EthernetBytesSent', 'EthernetBytesReceived', 'EthernetPacketsSent', 'EthernetPacketsReceived', 'EthernetErrorsSent', 'EthernetErrorsReceived']),
    ...counters('InternetGatewayDevice.LANDevice.*.LANEthernetInterfaceConfig.*.Stats.', TRAFFIC),
    ...UPTIME,
  ]),
  profile('wifi', 'Wi-Fi radios (channel, noise, traffic) and associated devices (signal strength, rates)', 900, [
    ...gauges('Device.WiFi.Radio.*.', ['Channel']),
    ...gauges('Device.WiFi.Radio.*.Stats.', ['Noise']),
    ...counters('Device.WiFi.Radio.*.Stats.', ['BytesSent', 'BytesReceived', 'ErrorsSent', 'ErrorsReceived']),
    ...gauges('Device.WiFi.AccessPoint.*.', ['AssociatedDeviceNumberOfEntries']),
    ...gauges('Device.WiFi.AccessPoint.*.AssociatedDevice.*.', ['SignalStrength', 'Noise', 'LastDataDownlinkRate', 'LastDataUplinkRate']),
    ...counters('Device.WiFi.AccessPoint.*.AssociatedDevice.*.', ['Retransmissions']),
    ...gauges('InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.', ['Channel', 'TotalAssociations']),
    ...counters('InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.', ['TotalBytesSent', 'TotalBytesReceived', 'TotalPacketsSent', 'TotalPacketsReceived']),
    ...UPTIME,
  ]),
  profile('dsl', 'DSL line quality: rates, noise margin, attenuation, errored seconds', 900, [
    ...gauges('Device.DSL.Line.*.', ['UpstreamMaxBitRate', 'DownstreamMaxBitRate', 'UpstreamNoiseMargin', 'DownstreamNoiseMargin', 'UpstreamAttenuation', 'DownstreamAttenuation']),
    ...counters('Device.DSL.Line.*.Stats.Total.', ['ErroredSecs', 'SeverelyErroredSecs']),
    ...gauges('Device.DSL.Channel.*.', ['UpstreamCurrRate', 'DownstreamCurrRate']),
    ...gauges('InternetGatewayDevice.WANDevice.*.WANDSLInterfaceConfig.', ['UpstreamCurrRate', 'DownstreamCurrRate', 'UpstreamNoiseMargin', 'DownstreamNoiseMargin', 'UpstreamAttenuation', 'DownstreamAttenuation']),
    ...counters('InternetGatewayDevice.WANDevice.*.WANDSLInterfaceConfig.Stats.Total.', ['ErroredSecs', 'SeverelyErroredSecs', 'CRCErrors', 'FECErrors']),
    ...UPTIME,
  ]),
  profile('pon', 'PON/optical line: received and transmitted optical levels, traffic and errors', 900, [
    ...gauges('Device.Optical.Interface.*.', ['OpticalSignalLevel', 'TransmitOpticalLevel']),
    ...counters('Device.Optical.Interface.*.Stats.', ['BytesSent', 'BytesReceived', 'ErrorsSent', 'ErrorsReceived']),
    ...UPTIME,
  ]),
  profile('system', 'CPU and memory use, uptime (reboots)', 900, [
    ...gauges('Device.DeviceInfo.ProcessStatus.', ['CPUUsage']),
    ...gauges('Device.DeviceInfo.MemoryStatus.', ['Total', 'Free']),
    ...gauges('InternetGatewayDevice.DeviceInfo.ProcessStatus.', ['CPUUsage']),
    ...gauges('InternetGatewayDevice.DeviceInfo.MemoryStatus.', ['Total', 'Free']),
    ...UPTIME,
  ]),
  profile('iptv', 'IPTV set-top boxes (TR-135): main stream packets received and lost, loss events, MPEG2-TS and decoder errors', 900, [
    ...counters('Device.Services.STBService.*.ServiceMonitoring.MainStream.*.Total.RTPStats.', ['PacketsReceived', 'PacketsLost', 'PacketsLostBeforeEC', 'LossEvents']),
    ...counters('Device.Services.STBService.*.ServiceMonitoring.MainStream.*.Total.MPEG2TSStats.', ['TSPacketsReceived', 'TSSyncByteErrorCount', 'TSSyncLossCount', 'PacketDiscontinuityCounter']),
    ...counters('Device.Services.STBService.*.ServiceMonitoring.MainStream.*.Total.VideoDecoderStats.', ['DecodedFrames', 'LostFrames', 'ConcealedFrames']),
    ...counters('Device.Services.STBService.*.ServiceMonitoring.MainStream.*.Total.DejitteringStats.', ['Overruns', 'Underruns']),
    ...UPTIME,
  ]),
];
