/**
 * What a decoded bulk data report is: the shapes the collector receives from
 * {@link decodeReport} (./decode.ts).
 */
import type { ParameterPath } from '../../cwmp/soap/types';
import type { EpochMs } from '../../db/types';
import type { RawValue } from '../types';
import type { CsvSyntax } from './csv-records';

/** One collection in a report: the current one, or a retained failed one (NumberOfRetainedFailedReports). */
export interface ReportRow {
  /** The CollectionTime / ReportTimestamp; absent when the report has none (RowTimestamp None), only a time since boot, or one more than a day ahead. */
  time?: EpochMs;
  /** By the name the report uses: the parameter path, or the profile's Parameter.{i}.Name (see ./names.ts). */
  values: Record<ParameterPath, RawValue>;
}

export type ReportFormat = 'ObjectHierarchy' | 'NameValuePair' | 'ParameterPerRow' | 'ParameterPerColumn';

export interface DecodedReport {
  encoding: 'JSON' | 'CSV';
  format: ReportFormat;
  rows: ReportRow[];
}

/** The request headers the decoder reads. */
export interface ReportHeaders {
  contentType?: string;
  contentEncoding?: string;
  /** BBF-Report-Format (TR-069 N.2.1): ObjectHierarchy, NameValuePair, ParameterPerRow or ParameterPerColumn. */
  reportFormat?: string;
}

export interface DecodeOptions {
  /** Most bytes of the body as received; default 1 MiB. */
  maxBodyBytes?: number;
  /** Most bytes once decompressed (gzip bombs); default 8 MiB. */
  maxDecodedBytes?: number;
  /** The profile's CSVEncoding, when the collector knows it; guessed otherwise. */
  csv?: CsvSyntax;
  /** The collector's clock (default Date.now()): row times more than a day ahead of it are dropped (a time since boot in ms, a wrong clock). */
  now?: number;
}
