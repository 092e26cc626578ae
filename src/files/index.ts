/**
 * The ACS's file server: firmware images and configuration backups (names
 * and metadata in the database, bytes on disk or in the database), served to
 * the CPEs the ACS sent them to on FS_PORT, managed through the NBI's /files
 * routes, and received from CPEs' Uploads through single-use URLs.
 */
export { createFileService, defaultUrlBase, fileOptionsOf, fileUrl, type FileService } from './service';
export { FileAccess, type FileAccessMode } from './access';
export { createFileServerApp, FILE_SERVER_HTTP_OPTIONS, type FileServerDeps } from './server';
export { fileRoutes } from './routes';
export type { FileStore } from './store';
export type { UploadRequest, UploadTarget } from './uploads';
export { DEFAULT_FILE_OPTIONS, FS_DEFAULT_PORT } from './types';
export type { ByteRange, FileFilter, FileMeta, FileReader, FileServiceOptions, FileSource, StoredFile } from './types';
export { MAX_NAME_LENGTH, nameProblem } from './validate';
