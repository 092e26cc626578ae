import { schema, type Config } from './schema';

export type { Config } from './schema';

/** A setting that could not be read; the message names the variable and the problem. */
export class ConfigError extends Error {
  readonly code = 'ACS_ERR_CONFIG';
}

const enums: Partial<Record<keyof Config, readonly string[]>> = {
  cwmpAuth: ['none', 'basic', 'digest'],
  logLevel: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  fsAccess: ['device', 'open'],
  webhookScheduling: ['idle', 'normal'],
  filesStorage: ['disk', 'database'],
  metricsAuth: ['token', 'none'],
  cwmpTlsClientAuth: ['none', 'optional', 'require'],
  cwmpTlsIdentity: ['cn-serial', 'cn-device-id', 'contains-serial', 'none'],
  nbiTlsClientAuth: ['none', 'optional', 'require'],
  fsTlsClientAuth: ['none', 'optional', 'require'],
};

function parseOne(key: keyof Config, raw: string): Config[keyof Config] {
  const spec = schema[key];
  if (typeof spec.default === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${spec.env}=${raw}: expected a non-negative number`);
    return n;
  }
  if (typeof spec.default === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${spec.env}=${raw}: expected true or false`);
  }
  const allowed = enums[key];
  if (allowed && !allowed.includes(raw)) {
    throw new ConfigError(`${spec.env}=${raw}: expected one of ${allowed.join(', ')}`);
  }
  return raw;
}

/** Reads every setting from `env` (default: process.env), validates it, and freezes the result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema) as (keyof Config)[]) {
    const raw = env[schema[key].env];
    out[key] = raw === undefined || raw === '' ? schema[key].default : parseOne(key, raw);
  }
  return Object.freeze({ ...(out as unknown as Config), ...overrides });
}

/**
 * Whether the operator set `key` (non-empty) rather than leaving its default:
 * a default REDIS_URL may fall back to a private redis-server, a chosen one may not.
 */
export function isSet(key: keyof Config, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[schema[key].env];
  return raw !== undefined && raw !== '';
}
