/**
 * TypeORM entity schemas (no decorators: the test runner is esbuild-based and
 * emits no decorator metadata). They map the tables the migrations create;
 * the schema itself comes only from migrations, never from `synchronize`.
 *
 * The hot path (commitSession) uses raw SQL; these serve the simple reads and
 * writes (queue, tags, device list, credentials).
 */
import { EntitySchema, type ValueTransformer } from 'typeorm';

/** BIGINT epoch ms: mysql2 may hand back strings for big numbers. */
const epochMs: ValueTransformer = {
  from: (v: unknown) => (v === null || v === undefined ? null : Number(v)),
  to: (v: unknown) => v,
};

export interface DeviceEntity {
  id: number;
  deviceKey: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  softwareVersion: string | null;
  hardwareVersion: string | null;
  firstInform: number | null;
  lastInform: number | null;
  lastBoot: number | null;
  lastBootstrap: number | null;
  remoteAddress: string | null;
  cwmpVersion: string | null;
  /** JSON array of HistoryEntry, at most HISTORY_LIMIT long. */
  history: string | null;
  cpeUsername: string | null;
  cpePassword: string | null;
}

export interface TagEntity {
  deviceId: number;
  tag: string;
}

export interface FaultEntity {
  id: number;
  deviceKey: string;
  requestId: number | null;
  request: string;
  code: number;
  message: string;
  detail: string | null;
  time: number;
}

const str = (name: string, length = 255, nullable = false) =>
  ({ name, type: 'varchar', length, nullable }) as const;
const epoch = (name: string) => ({ name, type: 'bigint', nullable: true, transformer: epochMs }) as const;

export const Device = new EntitySchema<DeviceEntity>({
  name: 'Device',
  tableName: 'devices',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    deviceKey: { ...str('device_key'), unique: true },
    manufacturer: str('manufacturer'),
    oui: str('oui', 64),
    productClass: str('product_class'),
    serialNumber: str('serial_number'),
    softwareVersion: str('software_version', 255, true),
    hardwareVersion: str('hardware_version', 255, true),
    firstInform: epoch('first_inform'),
    lastInform: epoch('last_inform'),
    lastBoot: epoch('last_boot'),
    lastBootstrap: epoch('last_bootstrap'),
    remoteAddress: str('remote_address', 255, true),
    cwmpVersion: str('cwmp_version', 16, true),
    history: { name: 'history', type: 'text', nullable: true },
    cpeUsername: str('cpe_username', 255, true),
    cpePassword: str('cpe_password', 255, true),
  },
});

export const DeviceTag = new EntitySchema<TagEntity>({
  name: 'DeviceTag',
  tableName: 'device_tags',
  columns: {
    deviceId: { name: 'device_id', type: 'int', primary: true },
    tag: { ...str('tag'), primary: true },
  },
});

export const DeviceFault = new EntitySchema<FaultEntity>({
  name: 'DeviceFault',
  tableName: 'device_faults',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    deviceKey: str('device_key'),
    requestId: { name: 'request_id', type: 'int', nullable: true },
    request: { name: 'request', type: 'text' },
    code: { name: 'code', type: 'int' },
    message: { name: 'message', type: 'text' },
    detail: { name: 'detail', type: 'text', nullable: true },
    time: { ...epoch('time'), nullable: false },
  },
});

export interface ChannelFaultEntity {
  deviceId: number;
  channel: string;
  code: string;
  message: string;
  preset: string | null;
  script: string | null;
  scriptLine: number | null;
  scriptColumn: number | null;
  retries: number;
  firstTime: number;
  time: number;
  nextRetry: number;
}

/** Mapped for completeness (and ad-hoc queries); the store reads and writes it with raw SQL. */
export const DeviceChannelFault = new EntitySchema<ChannelFaultEntity>({
  name: 'DeviceChannelFault',
  tableName: 'channel_faults',
  columns: {
    deviceId: { name: 'device_id', type: 'int', primary: true },
    channel: { ...str('channel'), primary: true },
    code: str('code'),
    message: { name: 'message', type: 'text' },
    preset: { name: 'preset', type: 'text', nullable: true },
    script: { name: 'script', type: 'text', nullable: true },
    scriptLine: { name: 'script_line', type: 'int', nullable: true },
    scriptColumn: { name: 'script_column', type: 'int', nullable: true },
    retries: { name: 'retries', type: 'int' },
    firstTime: { ...epoch('first_time'), nullable: false },
    time: { ...epoch('time'), nullable: false },
    nextRetry: { ...epoch('next_retry'), nullable: false },
  },
});

export interface ParameterEntity {
  deviceId: number;
  path: string;
  kind: string;
  value: string | null;
  type: string | null;
  writable: number | null;
  notification: number | null;
  accessList: string | null;
  valueTime: number | null;
  namesTime: number | null;
  attributesTime: number | null;
}

/** Mapped for completeness (and ad-hoc queries); the store reads and writes it with raw SQL. */
export const DeviceParameter = new EntitySchema<ParameterEntity>({
  name: 'DeviceParameter',
  tableName: 'device_parameters',
  withoutRowid: true,
  columns: {
    deviceId: { name: 'device_id', type: 'int', primary: true },
    path: { ...str('path', 512), primary: true },
    kind: str('kind', 8),
    value: { name: 'value', type: 'text', nullable: true },
    type: str('type', 32, true),
    writable: { name: 'writable', type: 'smallint', nullable: true },
    notification: { name: 'notification', type: 'smallint', nullable: true },
    accessList: str('access_list', 255, true),
    valueTime: epoch('value_time'),
    namesTime: epoch('names_time'),
    attributesTime: epoch('attributes_time'),
  },
});

export const ENTITIES = [Device, DeviceParameter, DeviceTag, DeviceFault, DeviceChannelFault];
