/**
 * RequestDownload (TR-069 A.4.2.2), CPE -> ACS asking for a file.
 * In: FileType, FileTypeArg ArgStruct{Name(64), Value(256)}[0..16]. Out: empty.
 */
import { array, str, struct, trimmed } from '../codec';
import type { ArgStruct, RequestDownload as Request, RequestDownloadResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

const argStruct = struct<ArgStruct>({ Name: trimmed, Value: str });

export const RequestDownload = rpc<Request>('RequestDownload', {
  FileType: trimmed,
  FileTypeArg: array('ArgStruct', 'cwmp:ArgStruct', argStruct),
});
export const RequestDownloadResponse = noArguments<Response>('RequestDownloadResponse');
