/**
 * Parses the store URL given on the command line or in the config:
 *   mysql://user:pass@host:port/database   (MySQL / MariaDB, production)
 *   sqlite:./path/file.sqlite | sqlite::memory:   (embedded default)
 * Errors name the problem but never echo the password.
 */

export interface MysqlTarget {
  driver: 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface SqliteTarget {
  driver: 'sqlite';
  /** A file path, or ":memory:". */
  file: string;
}

export type StoreTarget = MysqlTarget | SqliteTarget;

/** Database names we accept: they end up in CREATE DATABASE, so keep them boring. */
const DB_NAME = /^[A-Za-z0-9_$]{1,64}$/;

export function parseStoreUrl(url: string): StoreTarget {
  if (typeof url !== 'string' || url.trim() === '') throw badUrl(url, 'it is empty');
  if (url.startsWith('sqlite:')) return parseSqlite(url);
  if (/^(mysql|mariadb):\/\//.test(url)) return parseMysql(url);
  throw badUrl(url, 'the scheme must be "mysql://" or "sqlite:"');
}

function parseSqlite(url: string): SqliteTarget {
  const file = url.slice('sqlite:'.length);
  if (file === '') throw badUrl(url, 'the SQLite file path is missing (use sqlite:./file.sqlite or sqlite::memory:)');
  return { driver: 'sqlite', file };
}

function parseMysql(url: string): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'it is not a valid URL');
  }
  if (parsed.hostname === '') throw badUrl(url, 'the host is missing');
  if (parsed.search !== '' || parsed.hash !== '') throw badUrl(url, 'query strings and fragments are not supported');
  return {
    driver: 'mysql',
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsePort(url, parsed.port),
    user: decode(url, parsed.username) || 'root',
    password: decode(url, parsed.password),
    database: parseDatabase(url, parsed.pathname),
  };
}

function parsePort(url: string, port: string): number {
  if (port === '') return 3306;
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw badUrl(url, `invalid port "${port}"`);
  return n;
}

function parseDatabase(url: string, pathname: string): string {
  const name = decode(url, pathname.replace(/^\//, ''));
  if (name === '') throw badUrl(url, 'the database name is missing (mysql://user:pass@host:port/database)');
  if (!DB_NAME.test(name)) throw badUrl(url, `invalid database name "${name}" (letters, digits, _ and $ only)`);
  return name;
}

function decode(url: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badUrl(url, 'bad percent-encoding');
  }
}

function badUrl(url: string, problem: string): Error {
  return new Error(`Invalid store URL "${redact(url)}": ${problem}`);
}

/** The URL with its password replaced, fit for logs and error messages. */
export function redact(url: string): string {
  return String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
