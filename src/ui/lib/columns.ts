/**
 * The device list's columns: the identity fields the list always has, or any
 * parameter (fetched with ?projection=). The operator's choice is kept in
 * localStorage; nothing about devices is.
 */
import type { DeviceSummary } from '../../db/types';

/** A device of GET /devices (db/device-list.ts), parameters only with ?projection=. */
export interface ListedDevice extends DeviceSummary {
  parameters?: Record<string, { value: string | null; type: string | null }>;
}

export interface Column {
  key: string;
  label: string;
  /** The API's sort field; none for columns the list cannot sort on. */
  sort?: string;
  /** A parameter path: asked for with ?projection=. */
  parameter?: string;
  value(d: ListedDevice): string | null;
}

const FIELDS: Column[] = [
  { key: 'id', label: 'Device', sort: 'DeviceID.ID', value: (d) => d.deviceKey },
  { key: 'serialNumber', label: 'Serial number', sort: 'DeviceID.SerialNumber', value: (d) => d.serialNumber },
  { key: 'productClass', label: 'Product class', sort: 'DeviceID.ProductClass', value: (d) => d.productClass },
  { key: 'manufacturer', label: 'Manufacturer', sort: 'DeviceID.Manufacturer', value: (d) => d.manufacturer },
  { key: 'oui', label: 'OUI', sort: 'DeviceID.OUI', value: (d) => d.oui },
  { key: 'softwareVersion', label: 'Software version', value: (d) => d.softwareVersion },
  { key: 'lastInform', label: 'Last inform', sort: 'LastInform', value: (d) => (d.lastInform === null ? null : String(d.lastInform)) },
];

const DEFAULT = ['id', 'productClass', 'softwareVersion', 'lastInform'];
const STORED = 'acs.devices.columns';
/** As the API takes it (a leaf: no trailing dot). */
export const PARAMETER_PATH = /^(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))+$/;

export const fieldColumns = (): readonly Column[] => FIELDS;

export function columnOf(key: string): Column | null {
  const field = FIELDS.find((c) => c.key === key);
  if (field) return field;
  if (!PARAMETER_PATH.test(key)) return null;
  return { key, label: key.replace(/^(Device|InternetGatewayDevice)\./, ''), sort: key, parameter: key, value: (d) => d.parameters?.[key]?.value ?? null };
}

export function loadColumns(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(STORED) ?? 'null') as unknown;
    if (Array.isArray(stored) && stored.every((k) => typeof k === 'string' && columnOf(k))) return stored as string[];
  } catch {
    // A hand-edited or foreign value: the defaults.
  }
  return DEFAULT;
}

export function saveColumns(keys: string[]): void {
  localStorage.setItem(STORED, JSON.stringify(keys));
}
