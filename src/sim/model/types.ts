/**
 * Shared vocabulary of the simulator's data model: node flags, the xsd type
 * codes, value constraints and the per-device identity.
 *
 * Nodes are stored in typed arrays (see base.ts), so their properties are
 * small integers: a bit set of {@link NodeFlag}s, an index into
 * {@link XSD_TYPES}, an {@link ActiveNotify} policy.
 */
import type { NotificationLevel, XsdType } from '../../cwmp/soap/types';

/** Bits of a node's flags. */
export const NodeFlag = {
  /** An object (its path ends in "."); otherwise a parameter. */
  Object: 1,
  /** Parameter: SetParameterValues allowed. Table: AddObject allowed. Instance: DeleteObject allowed. */
  Writable: 2,
  /** A multi-instance object ("X.Table."); its children are instances. */
  Table: 4,
  /** An instance of a table ("X.Table.3."). */
  Instance: 8,
  /** A secret (passwords, keys): GetParameterValues returns "". */
  Hidden: 16,
} as const;

/** The xsi:types in code order: a node's type is an index into this array. */
export const XSD_TYPES: readonly XsdType[] = [
  'xsd:string',
  'xsd:int',
  'xsd:unsignedInt',
  'xsd:long',
  'xsd:unsignedLong',
  'xsd:boolean',
  'xsd:dateTime',
  'xsd:base64',
  'xsd:hexBinary',
];

const TYPE_CODES: ReadonlyMap<XsdType, number> = new Map(XSD_TYPES.map((t, i) => [t, i]));

/** The type code of an xsi:type. */
export function typeCode(type: XsdType): number {
  return TYPE_CODES.get(type) ?? 0;
}

/**
 * TR-106 activeNotify: which Notification settings the CPE accepts.
 * normal: any; canDeny: the CPE may refuse active notification (counters);
 * forceEnabled: always active, cannot be turned off; forceDefaultEnabled:
 * active by default (ConnectionRequestURL), may be changed.
 */
export const ActiveNotify = { normal: 0, canDeny: 1, forceEnabled: 2, forceDefaultEnabled: 3 } as const;
export type ActiveNotifyPolicy = (typeof ActiveNotify)[keyof typeof ActiveNotify];

/** An inclusive numeric range; bounds are decimal strings (unsignedLong does not fit a number). */
export interface Range {
  readonly min?: string;
  readonly max?: string;
  readonly step?: string;
}

/** Value constraints from the BBF data model (CSV models have none). */
export interface Constraint {
  /** Allowed values (each item of a list). */
  readonly enumeration?: readonly string[];
  /** Each value (or list item) must match one of these (anchored). */
  readonly patterns?: readonly RegExp[];
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Integers: the value must fall in one of these ranges. */
  readonly ranges?: readonly Range[];
  /** The value is a comma-separated list; the facets above apply to each item. */
  readonly list?: { readonly minItems?: number; readonly maxItems?: number; readonly maxLength?: number };
}

/**
 * Per-device identity, set when a device view is created and re-applied on
 * factory reset. Each field overrides the base model's value of the
 * corresponding parameter under the model's root (only if the parameter
 * exists); absent fields keep the base value.
 */
export interface DeviceIdentity {
  /** DeviceInfo.SerialNumber */
  readonly SerialNumber: string;
  /** DeviceInfo.ProductClass */
  readonly ProductClass?: string;
  /** DeviceInfo.ManufacturerOUI */
  readonly OUI?: string;
  /** DeviceInfo.Manufacturer */
  readonly Manufacturer?: string;
  /** ManagementServer.ConnectionRequestURL */
  readonly ConnectionRequestURL?: string;
  /** ManagementServer.ConnectionRequestUsername */
  readonly ConnectionRequestUsername?: string;
  /** ManagementServer.ConnectionRequestPassword */
  readonly ConnectionRequestPassword?: string;
  /** ManagementServer.URL (the ACS) */
  readonly URL?: string;
  /** ManagementServer.Username (CPE -> ACS authentication) */
  readonly Username?: string;
  /** ManagementServer.Password */
  readonly Password?: string;
  /**
   * First MAC address of the device, "aa:bb:cc:dd:ee:ff". The base model's
   * distinct own MAC addresses (see BaseModel.macCount) become this address + 0, + 1, ...
   * Give each device a block of at least macCount addresses.
   */
  readonly MACAddress?: string;
}

export type IdentityKey = keyof DeviceIdentity;

/** Identity fields that map to parameters, with their path below the root. */
export const IDENTITY_PATHS: ReadonlyArray<readonly [Exclude<IdentityKey, 'MACAddress'>, string]> = [
  ['SerialNumber', 'DeviceInfo.SerialNumber'],
  ['ProductClass', 'DeviceInfo.ProductClass'],
  ['OUI', 'DeviceInfo.ManufacturerOUI'],
  ['Manufacturer', 'DeviceInfo.Manufacturer'],
  ['ConnectionRequestURL', 'ManagementServer.ConnectionRequestURL'],
  ['ConnectionRequestUsername', 'ManagementServer.ConnectionRequestUsername'],
  ['ConnectionRequestPassword', 'ManagementServer.ConnectionRequestPassword'],
  ['URL', 'ManagementServer.URL'],
  ['Username', 'ManagementServer.Username'],
  ['Password', 'ManagementServer.Password'],
];

/** Which standard root a model has. */
export type RootKind = 'tr181' | 'tr098';

/** Parameter/object attributes as stored in a device overlay. */
export interface Attributes {
  readonly notification: NotificationLevel;
  readonly accessList: readonly string[];
}

/** The Unknown Time (TR-069 A.2.1). */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';
