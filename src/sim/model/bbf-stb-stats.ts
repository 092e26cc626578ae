/**
 * TR-135 main-stream statistics that move: a simulated STB watching a
 * multicast channel receives RTP packets (~6 Mbit/s of MPEG-2 TS, seven
 * 188-byte TS packets per RTP packet) and loses a few, more on some devices
 * than others, so a collection of `ServiceMonitoring.MainStream.{i}.Total`
 * sees counters grow at plausible, device-specific rates. Only enabled main
 * streams of an enabled service count; the device's own changes go through
 * `deviceChange` (Notification attributes apply).
 */
import type { DeviceModel } from './device';

/** RTP packets per second of a ~6 Mbit/s stream (7 × 188-byte TS packets each). */
const RTP_PER_SECOND = 570;
const TS_PER_RTP = 7;
/** Decoded video frames per second (25 fps); a lost RTP packet costs about one frame, mostly concealed. */
const FPS = 25;
/** unsignedInt counters wrap at 2^32. */
const WRAP = 2 ** 32;

/** A small number from the device's serial number: a device loses packets at its own rate. */
function lossPerMillion(serial: string): number {
  let h = 2166136261;
  for (let i = 0; i < serial.length; i++) h = Math.imul(h ^ serial.charCodeAt(i), 16777619) >>> 0;
  // Most lines lose ~0.01 %; one device in eight loses ten times more (a bad line).
  return (h % 8 === 0 ? 1000 : 100) + (h % 50);
}

function add(model: DeviceModel, path: string, delta: number): void {
  const now = Number(model.getValue(path));
  if (!Number.isFinite(now)) return; // the model lacks the counter
  model.deviceChange(path, String((now + delta) % WRAP));
}

/** Main-stream object paths ("Device.Services.STBService.1.ServiceMonitoring.MainStream.1.") that are enabled. */
function enabledStreams(model: DeviceModel): string[] {
  const out: string[] = [];
  const root = model.root;
  for (let s = 1; model.lookup(`${root}Services.STBService.${s}.`) !== undefined; s++) {
    const stb = `${root}Services.STBService.${s}.`;
    if (model.getValue(`${stb}Enable`) !== 'true') continue;
    for (let m = 1; model.lookup(`${stb}ServiceMonitoring.MainStream.${m}.`) !== undefined; m++) {
      const ms = `${stb}ServiceMonitoring.MainStream.${m}.`;
      if (model.getValue(`${ms}Enable`) === 'true') out.push(ms);
    }
  }
  return out;
}

/**
 * Advances the statistics of the device's enabled main streams by `seconds`
 * of viewing. Returns how many main streams moved.
 */
export function advanceStbStatistics(model: DeviceModel, seconds: number): number {
  if (!(seconds > 0)) return 0;
  const streams = enabledStreams(model);
  const received = Math.round(seconds * RTP_PER_SECOND);
  const lost = Math.floor((received * lossPerMillion(model.identity.SerialNumber)) / 1_000_000);
  const whole = Math.floor(seconds);
  for (const ms of streams) {
    const total = `${ms}Total.`;
    add(model, `${total}TotalSeconds`, whole);
    add(model, `${total}RTPStats.TotalSeconds`, whole);
    add(model, `${total}RTPStats.PacketsExpected`, received + lost);
    add(model, `${total}RTPStats.PacketsReceived`, received);
    add(model, `${total}RTPStats.PacketsLost`, lost);
    add(model, `${total}RTPStats.LossEvents`, Math.ceil(lost / 7));
    add(model, `${total}MPEG2TSStats.TotalSeconds`, whole);
    add(model, `${total}MPEG2TSStats.TSPacketsReceived`, received * TS_PER_RTP);
    add(model, `${total}MPEG2TSStats.PacketDiscontinuityCounter`, Math.ceil(lost / 7));
    add(model, `${total}VideoDecoderStats.TotalSeconds`, whole);
    add(model, `${total}VideoDecoderStats.DecodedFrames`, Math.round(seconds * FPS));
    add(model, `${total}VideoDecoderStats.LostFrames`, Math.floor(lost / 10));
    add(model, `${total}VideoDecoderStats.ConcealedFrames`, lost - Math.floor(lost / 10));
    add(model, `${total}DejitteringStats.TotalSeconds`, whole);
    add(model, `${total}DejitteringStats.Underruns`, lost > 0 ? 1 : 0);
    if (model.getValue(`${ms}Status`) === 'Disabled') model.deviceChange(`${ms}Status`, 'Enabled');
  }
  return streams.length;
}
