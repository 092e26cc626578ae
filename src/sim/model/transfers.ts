/**
 * A device's queue of file transfers (Download, Upload, ScheduleDownload):
 * what GetQueuedTransfers / GetAllQueuedTransfers report and CancelTransfer
 * removes. The simulator moves entries to in progress and removes them when
 * their TransferComplete has been sent.
 */
import type { Download, ScheduleDownload, Upload } from '../../cwmp/soap/types';

export type TransferRequest = Download | Upload | ScheduleDownload;

/** TR-069 QueuedTransferStruct State: 1 not yet started, 2 in progress, 3 completed. */
export type TransferState = 1 | 2 | 3;

export interface QueuedTransfer {
  /** Unique within the device's life (CommandKeys may repeat). */
  readonly id: number;
  readonly CommandKey: string;
  State: TransferState;
  readonly IsDownload: boolean;
  readonly FileType: string;
  readonly FileSize: number;
  readonly TargetFileName: string;
  readonly request: TransferRequest;
}

export class TransferQueue {
  private items: QueuedTransfer[] = [];
  private lastId = 0;

  get size(): number {
    return this.items.length;
  }

  /** Queues a transfer in state 1 and returns it. */
  add(request: TransferRequest): QueuedTransfer {
    const isDownload = request.method !== 'Upload';
    const t: QueuedTransfer = {
      id: ++this.lastId,
      CommandKey: request.CommandKey,
      State: 1,
      IsDownload: isDownload,
      FileType: request.FileType,
      FileSize: request.method === 'Upload' ? 0 : request.FileSize,
      TargetFileName: request.method === 'Upload' ? '' : request.TargetFileName,
      request,
    };
    this.items.push(t);
    return t;
  }

  list(): readonly QueuedTransfer[] {
    return this.items;
  }

  get(id: number): QueuedTransfer | undefined {
    return this.items.find((t) => t.id === id);
  }

  byCommandKey(commandKey: string): QueuedTransfer[] {
    return this.items.filter((t) => t.CommandKey === commandKey);
  }

  setState(id: number, state: TransferState): void {
    const t = this.get(id);
    if (t) t.State = state;
  }

  /** Removes a transfer (done, failed or cancelled); false if it was not queued. */
  remove(id: number): boolean {
    const before = this.items.length;
    this.items = this.items.filter((t) => t.id !== id);
    return this.items.length !== before;
  }
}
