/**
 * FileType and WindowMode strings (TR-069 A.3.2.8, A.4.1.4, A.4.1.8; the
 * DownloadFileType / UploadFileType / TimeWindowModeValueType patterns of
 * cwmp-1-2.xsd): "<n> <words>" or a vendor "X <OUI or name> <words>",
 * string(64). The numbers TR-069 defines must carry their names; an operator
 * may write just the number ("1" or 1).
 */
import { bad, show, text } from './fields';

const STANDARD = /^[1-9]\d*( \S+)+$/;
const VENDOR = /^X (?:[0-9A-F]{6}|\S+) .+$/;

export const DOWNLOAD_FILE_TYPES = ['1 Firmware Upgrade Image', '2 Web Content', '3 Vendor Configuration File', '4 Tone File', '5 Ringer File'];
/** Upload types 3 and 4 name an instance: "3 Vendor Configuration File 2". */
export const UPLOAD_FILE_TYPES = ['1 Vendor Configuration File', '2 Vendor Log File', '3 Vendor Configuration File', '4 Vendor Log File'];
export const WINDOW_MODES = ['1 At Any Time', '2 Immediately', '3 When Idle', '4 Confirmation Needed'];

export function downloadFileType(value: unknown, field = 'fileType'): string {
  return enumLike(value, field, DOWNLOAD_FILE_TYPES, []);
}

export function uploadFileType(value: unknown, field = 'fileType'): string {
  return enumLike(value, field, UPLOAD_FILE_TYPES, ['3', '4']);
}

export function windowMode(value: unknown, field: string): string {
  return enumLike(value, field, WINDOW_MODES, []);
}

/**
 * `known[n-1]` is the name of number n; numbers in `withInstance` are followed
 * by an instance number (and have no short form).
 */
function enumLike(value: unknown, field: string, known: readonly string[], withInstance: readonly string[]): string {
  const raw = typeof value === 'number' ? String(value) : value;
  const s = text(raw, field, 64);
  const short = known[Number(s) - 1];
  if (/^\d+$/.test(s) && short !== undefined && !withInstance.includes(s)) return short;
  if (VENDOR.test(s)) return s;
  if (!STANDARD.test(s)) bad(`${field} must be one of ${listOf(known, withInstance)}, or a vendor "X <OUI> <name>"; found ${show(value)}`);
  const n = s.slice(0, s.indexOf(' '));
  const name = known[Number(n) - 1];
  if (name === undefined) return s; // a number TR-069 defined after this list: the schema's pattern is all we know
  const expected = withInstance.includes(n) ? new RegExp(`^${name} [1-9]\\d*$`) : new RegExp(`^${name}$`);
  if (!expected.test(s)) bad(`${field}: ${show(s)} must be ${withInstance.includes(n) ? `"${name} <instance>"` : `"${name}"`}`);
  return s;
}

function listOf(known: readonly string[], withInstance: readonly string[]): string {
  return known.map((k) => (withInstance.some((n) => k.startsWith(`${n} `)) ? `"${k} <i>"` : `"${k}"`)).join(', ');
}
