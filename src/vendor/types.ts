/**
 * Vendor profiles: what the engine does differently for one manufacturer or
 * product class, chosen per device by a precondition in the presets'
 * language (src/presets/expression.ts). A device no profile matches is
 * provisioned exactly as before: every setting's absence is the engine's
 * default behaviour.
 */
import type { Expression } from '../presets/expression';

/**
 * How xsd:boolean values are written in SetParameterValues (and the alias
 * keys of a new instance). XML Schema allows both; the engine writes
 * "true"/"false" unless the device wants digits.
 */
export type BooleanLiteral = 'true/false' | '1/0';

/**
 * How xsd:dateTime values are written:
 * - `iso`: as the provision gave it (epoch ms become ISO 8601 with
 *   milliseconds and "Z"), the default;
 * - `seconds`: no fractional seconds, the zone kept ("2026-12-05T10:00:00Z");
 * - `seconds-no-zone`: no fractional seconds and no zone, in UTC
 *   ("2026-12-05T10:00:00"), as devices that report their times so write them.
 */
export type DateTimeFormat = 'iso' | 'seconds' | 'seconds-no-zone';

/**
 * Where the engine learns whether a parameter is writable before a write:
 * - `write` (default): a parameter of unknown writability is written; a
 *   refusal with 9008 details says which were not writable (engine/recovery.ts);
 * - `listing`: the object above a parameter of unknown writability is listed
 *   (GetParameterNames NextLevel=true) first, and only what the listing says
 *   is writable is written, for devices whose refusals do not say which
 *   parameter was read-only.
 */
export type WritabilityFrom = 'write' | 'listing';

export interface VendorSettings {
  /**
   * The device has only the root object its Inform names: a declared path
   * under the other root ("Device." on a TR-098 CPE) is known absent without
   * listing the root (GetParameterNames of "").
   */
  skipRootListing?: boolean;
  writabilityFrom?: WritabilityFrom;
  booleanLiteral?: BooleanLiteral;
  dateTimeFormat?: DateTimeFormat;
  /**
   * Standard path → the vendor path the device has instead (same meaning).
   * Provisions name the standard path; on this device the engine reads and
   * writes the vendor one, and the script sees it under the standard name.
   * Either side may hold `*` for instance numbers, the same count on both
   * ("InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.X_ACME_Power").
   * A key names a parameter or an object (then everything under it).
   */
  aliases?: Readonly<Record<string, string>>;
}

export interface VendorProfile {
  /** Unique; an operator profile of a shipped profile's name replaces it. */
  name: string;
  /** As written, e.g. `DeviceID.Manufacturer = "MikroTik"`. */
  preconditionSource: string;
  precondition: Expression;
  settings: VendorSettings;
  /** Where it comes from: "shipped" or the YAML file. */
  source: string;
}

/** A rejected profile file (or folder): `line` 0 when no line applies. */
export interface VendorProfileError {
  file: string;
  line: number;
  message: string;
}
