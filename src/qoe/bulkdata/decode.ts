/**
 * decodeReport: a bulk data report's body (TR-069 Annex N, TR-181
 * Device.BulkData / TR-098 InternetGatewayDevice.BulkData) into rows of
 * values by time. Pure: no I/O, no knowledge of devices or profiles.
 *
 * The encoding comes from Content-Type (application/json, text/csv), else
 * from the body's first character; the format from the body (a CSV header
 * row "...ParameterName,ParameterValue..." is ParameterPerRow, a JSON object
 * below the top is ObjectHierarchy), helped by BBF-Report-Format.
 *
 * Errors are AcsErrors: ACS_ERR_BODY_TOO_LARGE (413) beyond a size limit,
 * ACS_ERR_BAD_ENCODING (415) for a Content-Encoding or Content-Type it cannot
 * read, ACS_ERR_BAD_BODY (400) for a malformed report, the message naming
 * the line, field or report at fault.
 */
import { AcsError } from '../../errors';
import { decodeContent, utf8Text } from './body';
import { decodeCsv } from './csv';
import { decodeJson } from './json';
import type { DecodeOptions, DecodedReport, ReportHeaders, ReportRow } from './report';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DECODED_BYTES = 8 * 1024 * 1024;

type Encoding = 'JSON' | 'CSV';

function encodingOf(contentType: string | undefined, text: string): Encoding {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/json' || media.endsWith('+json') || media === 'text/json') return 'JSON';
  if (media === 'text/csv' || media === 'application/csv' || media === 'text/comma-separated-values') return 'CSV';
  if (media !== '' && media !== 'text/plain' && media !== 'application/octet-stream') {
    throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported Content-Type "${media}" for a bulk data report (use application/json or text/csv)`);
  }
  return /^\s*[[{]/.test(text) ? 'JSON' : 'CSV';
}

function checkCharset(contentType: string | undefined): void {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (charset && !/^(utf-?8|us-ascii|ascii)$/i.test(charset)) {
    throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported charset "${charset}" for a bulk data report (TR-069 Annex N: UTF-8)`);
  }
}

/** A time more than this ahead of the collector's clock is not a time: a CPE counting milliseconds since boot looks like one. */
const MAX_AHEAD_MS = 86_400_000;

function dropFutureTimes(rows: ReportRow[], now: number): ReportRow[] {
  for (const row of rows) if (row.time !== undefined && row.time > now + MAX_AHEAD_MS) delete row.time;
  return rows;
}

/** Decodes one report body. Throws an AcsError naming what is wrong (see the file comment). */
export function decodeReport(body: Buffer, headers: ReportHeaders, options: DecodeOptions = {}): DecodedReport {
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxDecodedBytes: options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
  };
  checkCharset(headers.contentType);
  const text = utf8Text(decodeContent(body, headers.contentEncoding, limits));
  const encoding = encodingOf(headers.contentType, text);
  const headerAbsent = /header\s*=\s*"?absent/i.test(headers.contentType ?? '');
  const decoded = encoding === 'JSON' ? decodeJson(text, headers.reportFormat) : decodeCsv(text, options.csv ?? {}, { format: headers.reportFormat, headerAbsent });
  return { encoding, format: decoded.format, rows: dropFutureTimes(decoded.rows, options.now ?? Date.now()) };
}
