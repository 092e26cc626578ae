/**
 * The device store: openStore(url) gives a DeviceStore over MySQL/MariaDB
 * ("mysql://user:pass@host:port/db") or SQLite ("sqlite:./file.sqlite",
 * "sqlite::memory:"). Call migrate() once before use.
 */
import type { DeviceStore } from './types';
import { openDataSource } from './datasource';
import type { StoreLogger } from './logger';
import { SqlDeviceStore } from './store';

export type { StoreLogger } from './logger';
export { parseStoreUrl, redact } from './url';
export { CHANNEL_MAX, isValidChannel, listChannelFaults } from './channel-faults';
export * from './types';

export interface StoreOptions {
  /** Receives a debug line per committed session (rows written/deleted, duration). */
  logger?: StoreLogger;
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<DeviceStore> {
  const { dataSource, target } = await openDataSource(url);
  return new SqlDeviceStore(dataSource, target.driver, options.logger);
}
