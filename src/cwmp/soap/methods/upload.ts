/**
 * Upload (TR-069 A.4.1.5), ACS -> CPE.
 * In: CommandKey, FileType ("1 Vendor Configuration File", "2 Vendor Log File", ...), URL,
 * Username, Password, DelaySeconds. Out: Status, StartTime, CompleteTime. Faults: 9011, 9012, 9013, 9001-9004.
 */
import { str, trimmed, uint } from '../codec';
import type { Upload as Request, UploadResponse as Response } from '../types';
import { transferResult } from '../structs';
import { rpc } from './shared';

export const Upload = rpc<Request>('Upload', {
  CommandKey: str,
  FileType: trimmed,
  URL: trimmed,
  Username: str,
  Password: str,
  DelaySeconds: uint,
});
export const UploadResponse = rpc<Response>('UploadResponse', transferResult);
