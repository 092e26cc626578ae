/**
 * The provisioning-script API, for editors: put `/// <reference path="./index.d.ts" />`
 * at the top of a script (or list this file in a tsconfig.json) to get
 * completion and type checks. Scripts are the body of a function: they may
 * `return` early, and what they declare at the top level stays theirs.
 *
 * A script runs again from the start whenever the ACS has fetched or set
 * something it declared (replay), so it must be deterministic: Date.now() is
 * the session's start time and Math.random() is seeded per device. There is
 * no require, process, timers or network; scripts run in strict mode, with
 * a memory limit (default 32 MiB) and a time limit per run (default 50 ms).
 */

/** xsi:type of a parameter value. */
type XsdType =
  | 'xsd:string'
  | 'xsd:int'
  | 'xsd:unsignedInt'
  | 'xsd:long'
  | 'xsd:unsignedLong'
  | 'xsd:boolean'
  | 'xsd:dateTime'
  | 'xsd:base64'
  | 'xsd:hexBinary';

/**
 * A value as scripts see it: xsd:boolean as a boolean, integer types as
 * numbers (an unsignedLong past 2^53 stays a string), everything else
 * (dateTime included) as the string the device sent.
 */
type ScriptValue = string | number | boolean;

/** A time: epoch milliseconds or a Date. */
type Timestamp = number | Date;

/**
 * How fresh what the ACS knows must be: the attribute must have been read
 * from the device at or after this time. `Date.now()` = read it in this
 * session; `1` = any known value will do. Omitted: not needed.
 */
interface DeclareTimestamps {
  /** The path exists (for `*` and alias filters: the list of instances). */
  path?: Timestamp;
  object?: Timestamp;
  writable?: Timestamp;
  value?: Timestamp;
  notification?: Timestamp;
  accessList?: Timestamp;
}

/** The desired state of every matched parameter. Omitted: left as it is. */
interface DeclareValues {
  /**
   * Desired value, optionally with its type: `true`, `300`, `['2024-01-01T00:00:00Z', 'xsd:dateTime']`. A number
   * for an xsd:dateTime is epoch ms. Checked against the parameter's type on devices that have it (a value the
   * type cannot take faults the channel: `engine.value`).
   */
  value?: ScriptValue | [ScriptValue, XsdType?];
  /** 0 off, 1 passive, 2 active (3-6: CWMP 1.4 lightweight modes). */
  notification?: 0 | 1 | 2 | 3 | 4 | 5 | 6;
  accessList?: string[];
  /** How many instances the path must match (the ACS adds or deletes): exactly, or [min, max]. */
  instances?: number | [number, number];
  /** The same as `instances` (GenieACS's name). */
  path?: number | [number, number];
}

/** One matched parameter or object, as the ACS last knew it. */
interface DeclaredParameter {
  /** Concrete path, without a trailing "." even for objects ("Device.WiFi.SSID.1"). */
  readonly path: string;
  /** [value, type]; absent for objects and values never read. */
  readonly value?: [ScriptValue, XsdType];
  readonly writable?: boolean;
  readonly object?: boolean;
  readonly notification?: number;
  readonly accessList?: string[];
}

/**
 * What declare() returns: the matched parameters as the ACS knows them
 * (iterate over it), with the attributes of the first one as shortcuts.
 * Reading any of it commits implicitly, as GenieACS does: while what was
 * declared so far is not met yet, the run stops at the read, the ACS
 * fetches and sets what is needed, and the script runs again from the
 * start. A read therefore sees the device as declared. (`DeviceID.*` and
 * `Events.*` come from the session and commit nothing.)
 */
interface DeclareResult extends Iterable<DeclaredParameter> {
  /** How many parameters or instances matched. */
  readonly size: number;
  readonly path: string | undefined;
  readonly value: [ScriptValue, XsdType] | undefined;
  readonly writable: boolean | undefined;
  readonly object: boolean | undefined;
  readonly notification: number | undefined;
  readonly accessList: string[] | undefined;
}

/**
 * Declares what the device's data model must look like, and returns what
 * the ACS knows of it. The path may use `*` for any one segment and alias
 * filters for instances, `[Key:Value,Key2:Value2]` (keys may be relative
 * paths; no escaping: values cannot contain "," or "]").
 *
 * Read-only paths: `DeviceID.ID`, `DeviceID.Manufacturer`, `DeviceID.OUI`,
 * `DeviceID.ProductClass`, `DeviceID.SerialNumber`; `Events.Inform` and
 * `Events.<code>` for the session's events ("1 BOOT" is `Events.1_BOOT`),
 * valued with the session's time.
 *
 * @example
 * const now = Date.now();
 * declare('Device.ManagementServer.PeriodicInformInterval', { value: now - 86400000 }, { value: 300 });
 * for (const ssid of declare('Device.WiFi.SSID.*.SSID', { path: now, value: now })) log(ssid.path, ssid.value?.[0]);
 * declare('Device.WiFi.SSID.[SSID:guest].Enable', null, { value: false });
 * declare('Device.IP.Interface.*', { path: now }, { instances: [1, 4] });
 */
declare function declare(path: string, timestamps?: DeclareTimestamps | null, values?: DeclareValues | null): DeclareResult;

/** Forgets what the ACS knows of `path` (and below) from before `timestamp`, so it is read again. */
declare function clear(path: string, timestamp: Timestamp): void;

/**
 * Makes the declarations so far take effect before going on: if they are
 * not met yet, the run stops here, the ACS reads and sets what they need,
 * and the script runs again from the start.
 */
declare function commit(): void;

/** Writes a line to the device's provisioning log (values other than strings as JSON). */
declare function log(...values: unknown[]): void;

/**
 * Calls the operator extension `name` (a host-side function with its own
 * time limit). The answer is cached for the session: the first call stops
 * the run, the extension runs outside the sandbox, and the replayed run gets
 * the answer. Arguments and results must be JSON data.
 *
 * `ext('orders.lookup', serial)` calls `lookup(serial)` of orders.js;
 * `ext('orders', serial)` the module's own function. GenieACS's form,
 * `ext('orders', 'lookup', serial)`, calls `exports.lookup([serial], callback)`
 * (arguments as strings) when orders.js exports a function by that name.
 */
declare function ext<T = unknown>(name: string, ...args: unknown[]): T;

/**
 * The arguments the preset gives this provision (a global, as in GenieACS:
 * a script may declare its own `args`). Virtual parameter scripts get
 * [declared timestamps, declared values, current timestamps, current values].
 */
declare const args: readonly unknown[];

interface DateConstructor {
  /**
   * No argument: the session's start. `Date.now(interval[, variance])`: the
   * start of the device's current window of `interval` ms, shifted by an
   * offset drawn from the device's id within `variance` (default: the
   * interval; 0: none). `Date.now(cron[, variance])`: the latest time at or
   * before now the cron (five fields, UTC) names, shifted only when a
   * variance is given. `{ value: Date.now(3600000) }` reads at most once an
   * hour per device.
   */
  now(intervalOrCron?: number | string | null, variance?: number | null): number;
}
