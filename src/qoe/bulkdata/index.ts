/**
 * TR-232 / TR-069 Annex N bulk data reports: decoding what CPEs POST, and
 * the Name renames of their profiles. Pure functions for the collector route.
 */
export { decodeReport, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DECODED_BYTES } from './decode';
export { pathsFromNames, reportName, namedPrefix, type ReportParameter } from './names';
export type { DecodeOptions, DecodedReport, ReportFormat, ReportHeaders, ReportRow } from './report';
export type { CsvSyntax } from './csv-records';
