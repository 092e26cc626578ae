/**
 * A simulated CPE's bulk data profiles as the ACS configured them in its
 * data model (TR-181 Device.BulkData.Profile.{i}.): read again after every
 * session, so SetParameterValues / AddObject / DeleteObject take effect as
 * on a real CPE. Only HTTP profiles with JSON or CSV encoding report; the
 * TR-098 InternetGatewayDevice.BulkData object defines IPDR transports
 * only, so TR-098 models never report.
 */
import type { DeviceModel } from '../model/device';
import type { ReportParameter } from '../../qoe/bulkdata/names';
import { UNKNOWN_TIME } from '../model/types';

export type TimestampFormat = 'Unix-Epoch' | 'ISO-8601' | 'None';

export interface CsvEncoding {
  fieldSeparator: string;
  rowSeparator: string;
  escapeCharacter: string;
  format: 'ParameterPerRow' | 'ParameterPerColumn';
  timestamp: TimestampFormat;
}

export interface JsonEncoding {
  format: 'ObjectHierarchy' | 'NameValuePair';
  timestamp: TimestampFormat;
}

export interface ProfileConfig {
  /** "Device.BulkData.Profile.1." */
  path: string;
  encoding: 'JSON' | 'CSV';
  intervalS: number;
  /** TimeReference in epoch ms; undefined for the Unknown Time (the CPE picks the phase). */
  timeReference?: number;
  url: string;
  username: string;
  password: string;
  compression: 'None' | 'GZIP' | 'Deflate';
  method: 'POST' | 'PUT';
  useDateHeader: boolean;
  retryEnable: boolean;
  retryMinWaitS: number;
  /** RetryIntervalMultiplier / 1000. */
  retryMultiplier: number;
  /** NumberOfRetainedFailedReports: -1 as many as possible. */
  retained: number;
  persistAcrossReboot: boolean;
  parameters: (ReportParameter & { exclude: boolean })[];
  uriParameters: { name: string; reference: string }[];
  csv: CsvEncoding;
  json: JsonEncoding;
}

/** A profile that cannot report, and why (for the fleet's report). */
export interface ProfileProblem {
  path: string;
  reason: string;
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/**
 * A separator or escape character as an ACS may write it: itself, an XML
 * character reference ("&#10;", "&#x0D;&#x0A;", "&quot;") or a C escape
 * ("\n", "\t"); the data model's own defaults come as references.
 */
export function unescapeSeparator(raw: string): string {
  return raw
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(quot|amp|lt|gt|apos);/g, (_, name: string) => ENTITIES[name])
    .replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c] as string);
}

/** Reads one parameter of a profile. */
type Reader = (rel: string) => string;

function bool(v: string): boolean {
  return v === 'true' || v === '1';
}

function num(v: string, fallback: number): number {
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : fallback;
}

function oneOf<T extends string>(v: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

function timeReference(v: string): number | undefined {
  if (v === '' || v === UNKNOWN_TIME) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Instance paths of a table ("X.Table." -> ["X.Table.1.", ...]). */
export function instancesOf(model: DeviceModel, tablePath: string): string[] {
  const table = model.lookup(tablePath);
  if (table === undefined || !model.isObject(table)) return [];
  return model.children(table).filter((c) => model.isInstance(c)).map((c) => model.pathOf(c));
}

function csvEncoding(get: Reader): CsvEncoding {
  return {
    fieldSeparator: unescapeSeparator(get('CSVEncoding.FieldSeparator')) || ',',
    rowSeparator: unescapeSeparator(get('CSVEncoding.RowSeparator')) || '\n',
    escapeCharacter: unescapeSeparator(get('CSVEncoding.EscapeCharacter')) || '"',
    format: oneOf(get('CSVEncoding.ReportFormat'), ['ParameterPerRow', 'ParameterPerColumn'], 'ParameterPerColumn'),
    timestamp: oneOf(get('CSVEncoding.RowTimestamp'), ['Unix-Epoch', 'ISO-8601', 'None'], 'Unix-Epoch'),
  };
}

function jsonEncoding(get: Reader): JsonEncoding {
  return {
    format: oneOf(get('JSONEncoding.ReportFormat'), ['ObjectHierarchy', 'NameValuePair'], 'ObjectHierarchy'),
    timestamp: oneOf(get('JSONEncoding.ReportTimestamp'), ['Unix-Epoch', 'ISO-8601', 'None'], 'Unix-Epoch'),
  };
}

function readProfile(model: DeviceModel, path: string): ProfileConfig | ProfileProblem {
  const get: Reader = (rel) => model.getValue(path + rel) ?? '';
  const encoding = get('EncodingType');
  const protocol = get('Protocol');
  const url = get('HTTP.URL');
  if (protocol !== '' && protocol !== 'HTTP') return { path, reason: `Protocol ${protocol} is not simulated (HTTP only)` };
  if (encoding !== 'JSON' && encoding !== 'CSV') return { path, reason: `EncodingType "${encoding}" is not JSON or CSV` };
  if (!/^https?:\/\//i.test(url)) return { path, reason: `HTTP.URL "${url}" is not an http(s) URL` };
  const parameters = instancesOf(model, path + 'Parameter.').map((p) => ({
    name: model.getValue(p + 'Name') ?? '',
    reference: model.getValue(p + 'Reference') ?? '',
    exclude: bool(model.getValue(p + 'Exclude') ?? 'false'),
  }));
  const uriParameters = instancesOf(model, path + 'HTTP.RequestURIParameter.').map((p) => ({
    name: model.getValue(p + 'Name') ?? '',
    reference: model.getValue(p + 'Reference') ?? '',
  }));
  return {
    path,
    encoding,
    intervalS: Math.max(1, num(get('ReportingInterval'), 86_400)),
    timeReference: timeReference(get('TimeReference')),
    url,
    username: get('HTTP.Username'),
    password: get('HTTP.Password'),
    compression: oneOf(get('HTTP.Compression'), ['None', 'GZIP', 'Deflate'], 'None'),
    method: oneOf(get('HTTP.Method'), ['POST', 'PUT'], 'POST'),
    useDateHeader: bool(get('HTTP.UseDateHeader') || 'true'),
    retryEnable: bool(get('HTTP.RetryEnable')),
    retryMinWaitS: Math.max(1, num(get('HTTP.RetryMinimumWaitInterval'), 5)),
    retryMultiplier: Math.max(1000, num(get('HTTP.RetryIntervalMultiplier'), 2000)) / 1000,
    retained: num(get('NumberOfRetainedFailedReports'), 0),
    persistAcrossReboot: bool(get('HTTP.PersistAcrossReboot')),
    parameters: parameters.filter((p) => p.reference !== ''),
    uriParameters: uriParameters.filter((p) => p.reference !== ''),
    csv: csvEncoding(get),
    json: jsonEncoding(get),
  };
}

/** The enabled profiles of a device (none while BulkData.Enable is false), and those that cannot report. */
export function readProfiles(model: DeviceModel): { profiles: ProfileConfig[]; problems: ProfileProblem[] } {
  const root = `${model.root}BulkData.`;
  const profiles: ProfileConfig[] = [];
  const problems: ProfileProblem[] = [];
  if (!bool(model.getValue(root + 'Enable') ?? 'false')) return { profiles, problems };
  for (const path of instancesOf(model, root + 'Profile.')) {
    if (!bool(model.getValue(path + 'Enable') ?? 'false')) continue;
    const p = readProfile(model, path);
    if ('reason' in p) problems.push(p);
    else profiles.push(p);
  }
  return { profiles, problems };
}
