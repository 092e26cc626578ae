/**
 * The host side of a run: what the in-isolate API asks synchronously
 * (lookups for declare() results, commit() checks, cached ext() results,
 * Date.now() windows), and
 * the read-only DeviceID.* and Events.* paths answered from the run's input.
 *
 * Host callbacks never throw into the isolate: a malformed path comes back as
 * an error the script sees (a TypeError at its declare() call); anything else
 * is a host bug, kept here, stops the run, and is rethrown by the pool.
 */
import type { CachedParameter } from '../db/types';
import { windowStart, type WindowSpec } from './date-window';
import { MemoryDeviceView } from './device-view';
import type { XsdType } from '../cwmp/soap/types';
import type { ExtResults, RunInput } from './types';
import { decodeDeclarations, encodeEntries, type Flat } from './wire';

export type HostError = { error: string; halt?: true };

/** One run in progress on an isolate. */
export class ActiveRun {
  hostError: unknown = null;
  private specials: MemoryDeviceView | null = null;

  constructor(readonly input: RunInput) {}

  /** declare()'s result for `path`, as JSON (wire.ts). */
  lookup(path: string): string | HostError {
    try {
      const first = path.split('.', 1)[0];
      const view = first === 'DeviceID' || first === 'Events' ? this.specialView() : this.input.view;
      return encodeEntries(view.lookup(path));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ACS_SANDBOX_PATH') return { error: `declare(): ${(error as Error).message}` };
      return this.failed(error);
    }
  }

  /** Whether the declarations (flat, wire.ts) are met: commit() goes on, or stops the run. */
  satisfied(declarations: Flat): boolean | HostError {
    try {
      return this.input.view.satisfied(decodeDeclarations(declarations));
    } catch (error) {
      return this.failed(error);
    }
  }

  ext(key: string): [true, unknown] | [false] {
    const results = this.input.extResults;
    if (results === undefined) return [false];
    if (isMap(results)) return results.has(key) ? [true, results.get(key)] : [false];
    return Object.prototype.hasOwnProperty.call(results, key) ? [true, results[key]] : [false];
  }

  /** Date.now(interval or cron, variance): the start of this device's current window, at the run's now. */
  window(every: WindowSpec['every'], variance: WindowSpec['variance']): number | HostError {
    try {
      return windowStart(this.input.now, this.input.deviceKey, { every, variance });
    } catch (error) {
      return this.failed(error);
    }
  }

  private failed(error: unknown): HostError {
    this.hostError ??= error;
    return { error: 'internal error', halt: true };
  }

  private specialView(): MemoryDeviceView {
    this.specials ??= MemoryDeviceView.from(specialRows(this.input));
    return this.specials;
  }
}

function isMap(results: ExtResults): results is ReadonlyMap<string, unknown> {
  return results instanceof Map;
}

/**
 * DeviceID.ID (the device key), .Manufacturer, .OUI, .ProductClass,
 * .SerialNumber; Events.Inform and Events.<code> for each EventCode of the
 * session ("1 BOOT" as Events.1_BOOT), valued with the session's time.
 */
function specialRows(input: RunInput): CachedParameter[] {
  const id = input.deviceId;
  const now = new Date(input.now).toISOString();
  const row = (path: string, value: string, type: XsdType): CachedParameter => ({
    path, kind: 'leaf', value, type, writable: false, notification: null, accessList: null,
    valueTime: input.now, namesTime: input.now, attributesTime: null,
  });
  const rows = [
    row('DeviceID.ID', input.deviceKey, 'xsd:string'),
    row('DeviceID.Manufacturer', id.Manufacturer, 'xsd:string'),
    row('DeviceID.OUI', id.OUI, 'xsd:string'),
    row('DeviceID.ProductClass', id.ProductClass, 'xsd:string'),
    row('DeviceID.SerialNumber', id.SerialNumber, 'xsd:string'),
    row('Events.Inform', now, 'xsd:dateTime'),
  ];
  for (const code of input.events) rows.push(row(`Events.${code.replace(/ /g, '_')}`, now, 'xsd:dateTime'));
  return rows;
}
