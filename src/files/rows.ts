/** SQL rows of the files table to StoredFile and back. */
import type { Row } from '../db/sql';
import type { FileFilter, FileMeta, StoredFile } from './types';

/** Metadata fields and their columns; the one place that pairs them. */
export const META_COLUMNS = {
  fileType: 'file_type',
  oui: 'oui',
  productClass: 'product_class',
  version: 'version',
  contentType: 'content_type',
  deviceKey: 'device_key',
} as const satisfies Record<keyof FileMeta, string>;

type MetaField = keyof typeof META_COLUMNS;
const META_FIELDS = Object.keys(META_COLUMNS) as MetaField[];

export const FILE_COLUMNS = ['name', 'content_id', 'size', 'chunk_size', 'md5', 'sha256', 'uploaded', ...Object.values(META_COLUMNS)];

/** What a reader needs beyond the public description. */
export interface FileRow {
  file: StoredFile;
  contentId: string;
  chunkSize: number;
}

export function fileOfRow(row: Row): FileRow {
  const file: StoredFile = {
    name: String(row.name),
    size: Number(row.size),
    md5: String(row.md5),
    sha256: String(row.sha256),
    uploaded: Number(row.uploaded),
  };
  for (const field of META_FIELDS) {
    const value = row[META_COLUMNS[field]];
    if (value !== null && value !== undefined) file[field] = String(value);
  }
  return { file, contentId: String(row.content_id), chunkSize: Number(row.chunk_size) };
}

/** The INSERT's values, in FILE_COLUMNS order. */
export function rowValues(file: StoredFile, contentId: string, chunkSize: number): unknown[] {
  return [file.name, contentId, file.size, chunkSize, file.md5, file.sha256, file.uploaded, ...META_FIELDS.map((f) => file[f] ?? null)];
}

/** "col = ? AND ..." for the filter's fields, with their values. */
export function whereOf(filter: FileFilter): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const field of ['fileType', 'oui', 'productClass', 'version', 'deviceKey'] as const) {
    if (filter[field] === undefined) continue;
    parts.push(`${META_COLUMNS[field]} = ?`);
    params.push(filter[field]);
  }
  return { where: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}
