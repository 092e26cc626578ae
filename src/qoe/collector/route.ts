/**
 * The bulk data collector (TR-232, TR-069 Annex N): `POST /bulkdata/<profile>`
 * on the file server, where the qoe-bulkdata provision points a device's
 * Device.BulkData.Profile. A report's rows become frames of the named
 * collection profile (only the profile's parameters are kept), sent to the
 * ingest; the CPE gets 204 once they are in Redis, 503 (it retries, per its
 * HTTP.RetryEnable) when they could not be, 400 naming what is wrong with a
 * report it should not send again, 401 without a grant.
 */
import type { Context } from 'koa';
import { readRawBody } from '../../cwmp/http/body';
import type { Logger } from '../../log';
import { decodeReport, DEFAULT_MAX_DECODED_BYTES } from '../bulkdata';
import type { FrameEmitter } from '../frames/emitter';
import type { ProfileView } from '../profiles/view';
import type { Frame, RawValue } from '../types';
import type { BulkDataAccess } from './access';

export const BULKDATA_PATH = /^\/bulkdata\/([^/]+)$/;

export interface CollectorDeps {
  access: BulkDataAccess;
  view: ProfileView;
  frames: FrameEmitter;
  log: Logger;
  /** QOE_REPORT_MAX_BYTES: a report's most bytes as sent. */
  maxBodyBytes: number;
}

const UPTIME = /^(Device|InternetGatewayDevice)\.DeviceInfo\.UpTime$/;

export async function receiveReport(ctx: Context, deps: CollectorDeps, encodedProfile: string): Promise<void> {
  const profileName = decodeSegment(encodedProfile);
  const granted = deps.access.check({ profile: profileName, query: ctx.query, authorization: ctx.get('Authorization') || undefined, method: ctx.method, uri: ctx.url });
  if (!granted.ok) {
    deps.log.info({ profile: profileName, reason: granted.reason, remote: ctx.ip }, 'bulk data report refused');
    ctx.set('WWW-Authenticate', granted.challenges);
    return answer(ctx, 401, granted.reason);
  }
  const profile = await deps.view.get(profileName);
  if (!profile) return answer(ctx, 404, `no collection profile named ${JSON.stringify(profileName)}`);
  const body = await readRawBody(ctx.req, deps.maxBodyBytes, 'QOE_REPORT_MAX_BYTES');
  const report = decodeReport(body, {
    contentType: ctx.get('Content-Type') || undefined,
    contentEncoding: ctx.get('Content-Encoding') || undefined,
    reportFormat: ctx.get('BBF-Report-Format') || undefined,
  }, { maxBodyBytes: deps.maxBodyBytes, maxDecodedBytes: Math.max(DEFAULT_MAX_DECODED_BYTES, deps.maxBodyBytes * 8) });
  const matcher = deps.view.matcher();
  const now = Date.now();
  const frames: Frame[] = [];
  for (const row of report.rows) {
    const values: Record<string, RawValue> = {};
    let uptimeS: number | undefined;
    for (const [path, value] of Object.entries(row.values)) {
      if (UPTIME.test(path) && typeof value === 'number') uptimeS = value;
      if (matcher.inProfile(profileName, path)) values[path] = value;
    }
    if (Object.keys(values).length > 0) frames.push({ device: granted.device, profile: profileName, time: row.time ?? now, values, ...(uptimeS !== undefined ? { uptimeS } : {}) });
  }
  try {
    await deps.frames.emit(frames);
  } catch (err) {
    deps.log.error({ err, deviceId: granted.device, profile: profileName }, 'bulk data report not passed on');
    return answer(ctx, 503, 'the report could not be stored now; send it again later');
  }
  deps.log.debug({ deviceId: granted.device, profile: profileName, rows: report.rows.length, frames: frames.length, format: report.format }, 'bulk data report');
  ctx.status = 204;
}

function answer(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.body = `${text}\n`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
