/**
 * What every ACS process needs of collection: the profiles (read every few
 * seconds) and a way to send frames to the ingest. A session's reads become
 * frames after its commit; a bulk data report's rows become frames when the
 * file server takes it.
 */
import type { Redis } from 'ioredis';
import type { CacheOp, DeviceKey } from '../db/types';
import type { Logger } from '../log';
import { BulkDataAccess } from './collector/access';
import { FrameEmitter } from './frames/emitter';
import { framesOfSession } from './frames/from-session';
import { ProfileStore } from './profiles/store';
import { ProfileView } from './profiles/view';
import type { SqlAccess } from '../db/types';

export class QoeCollection {
  readonly profiles: ProfileStore;
  readonly view: ProfileView;
  readonly frames: FrameEmitter;
  private opening: Promise<BulkDataAccess> | null = null;

  constructor(private readonly o: { sql: SqlAccess; redis: Redis; redisPrefix: string; log: Logger }) {
    this.profiles = new ProfileStore(o.sql);
    this.view = new ProfileView(this.profiles, o.log);
    this.frames = new FrameEmitter(o.redis, o.redisPrefix, o.log);
  }

  /** Signs and checks bulk data report URLs and credentials (its key is read, or made, on first use). */
  access(): Promise<BulkDataAccess> {
    this.opening ??= BulkDataAccess.open(this.o.sql).catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  /** The frames of a committed session's reads, sent without waiting (a session never waits for its samples). */
  fromSession(device: DeviceKey, ops: readonly CacheOp[]): void {
    const frames = framesOfSession(device, ops, this.view.matcher());
    if (frames.length > 0) this.frames.emitQuietly(frames);
  }

  async close(): Promise<void> {
    this.view.close();
    await this.frames.close();
  }
}
