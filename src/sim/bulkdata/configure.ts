/**
 * Writes a bulk data profile into a simulated CPE's data model as an ACS
 * would (AddObject of the profile and its Parameter entries, then
 * SetParameterValues): for tests and demos that start a reporting device
 * without an ACS. A provision does the same through the ACS.
 */
import type { DeviceModel } from '../model/device';

export interface ProfileSetup {
  url: string;
  encoding: 'JSON' | 'CSV';
  intervalS: number;
  /** xsd:dateTime; default the Unknown Time. */
  timeReference?: string;
  parameters: { reference: string; name?: string; exclude?: boolean }[];
  username?: string;
  password?: string;
  compression?: 'None' | 'GZIP' | 'Deflate';
  method?: 'POST' | 'PUT';
  retryEnable?: boolean;
  retryMinWaitS?: number;
  retryMultiplier?: number;
  retained?: number;
  /** Relative to the profile: "CSVEncoding.FieldSeparator", "JSONEncoding.ReportFormat", "HTTP.UseDateHeader"... */
  extra?: Record<string, string>;
  uriParameters?: { name: string; reference: string }[];
  /**
   * Write into the model's first Profile instance (and its first Parameter
   * entry) when it has them, instead of adding new ones: a change of a few
   * values per device, where AddObject materialises a whole profile (the way
   * to give 100,000 simulated devices a profile).
   */
  reuseFirst?: boolean;
}

function set(model: DeviceModel, path: string, value: string): void {
  const ref = model.lookup(path);
  if (ref === undefined || model.isObject(ref)) throw new Error(`configureProfile: the model has no parameter ${path}`);
  model.setValue(ref, value);
}

/** The table's first instance, if `reuse` and it has one; else a new instance. */
function instance(model: DeviceModel, tablePath: string, reuse: boolean): string {
  const table = model.lookup(tablePath);
  const first = reuse && table !== undefined ? model.children(table).find((c) => model.isInstance(c)) : undefined;
  return first !== undefined ? model.pathOf(first) : addInstance(model, tablePath);
}

function addInstance(model: DeviceModel, tablePath: string): string {
  const table = model.lookup(tablePath);
  if (table === undefined || !model.isTable(table)) throw new Error(`configureProfile: the model has no table ${tablePath}`);
  return `${tablePath}${model.addInstance(table)}.`;
}

/** Adds an enabled profile (and turns BulkData.Enable on); returns its path ("Device.BulkData.Profile.2."). */
export function configureProfile(model: DeviceModel, setup: ProfileSetup): string {
  const root = `${model.root}BulkData.`;
  const reuse = setup.reuseFirst === true;
  const profile = instance(model, root + 'Profile.', reuse);
  const values: Record<string, string | undefined> = {
    Protocol: 'HTTP',
    EncodingType: setup.encoding,
    ReportingInterval: String(setup.intervalS),
    TimeReference: setup.timeReference,
    NumberOfRetainedFailedReports: setup.retained === undefined ? undefined : String(setup.retained),
    'HTTP.URL': setup.url,
    'HTTP.Username': setup.username,
    'HTTP.Password': setup.password,
    'HTTP.Compression': setup.compression,
    'HTTP.Method': setup.method,
    'HTTP.RetryEnable': setup.retryEnable === undefined ? undefined : String(setup.retryEnable),
    'HTTP.RetryMinimumWaitInterval': setup.retryMinWaitS === undefined ? undefined : String(setup.retryMinWaitS),
    'HTTP.RetryIntervalMultiplier': setup.retryMultiplier === undefined ? undefined : String(setup.retryMultiplier),
    ...setup.extra,
  };
  for (const [rel, v] of Object.entries(values)) if (v !== undefined) set(model, profile + rel, v);
  setup.parameters.forEach((p, i) => {
    const entry = instance(model, profile + 'Parameter.', reuse && i === 0);
    set(model, entry + 'Reference', p.reference);
    if (p.name !== undefined) set(model, entry + 'Name', p.name);
    if (p.exclude !== undefined) set(model, entry + 'Exclude', String(p.exclude));
  });
  for (const u of setup.uriParameters ?? []) {
    const entry = addInstance(model, profile + 'HTTP.RequestURIParameter.');
    set(model, entry + 'Name', u.name);
    set(model, entry + 'Reference', u.reference);
  }
  set(model, profile + 'Enable', 'true');
  set(model, root + 'Enable', 'true');
  return profile;
}
