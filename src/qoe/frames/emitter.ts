/**
 * Sends frames (what a collection brought) to the ingest: the frames of
 * BATCH_MS go to a Redis stream in one XADD, from whichever process made
 * them (a front end after a session's commit, a file server taking a bulk
 * data report). A worker stores them (ingest.ts): front ends write no series.
 */
import type { Redis } from 'ioredis';
import { Coalescer } from '../../db/coalesce';
import type { Logger } from '../../log';
import type { Frame } from '../types';
import { qoeKeys } from './keys';

const BATCH_MS = 20;
const BATCH_MAX = 500;
/*
 * A cap on the stream while no worker reads it: at 100,000 devices every
 * 15 minutes (~110 frames/s), about an hour of frames. Trimmed approximately.
 */
const STREAM_MAX = 400_000;

export class FrameEmitter {
  private readonly batches = new Coalescer<Frame>((frames) => this.append(frames), { delayMs: BATCH_MS, max: BATCH_MAX });
  private readonly stream: string;

  constructor(private readonly redis: Redis, redisPrefix: string, private readonly log: Logger) {
    this.stream = qoeKeys(redisPrefix).frames;
  }

  /** Settles once the frames are in Redis; rejects when they could not be (a bulk data report is then answered 503, and the CPE retries). */
  async emit(frames: Frame[]): Promise<void> {
    if (frames.length > 0) await this.batches.add(frames);
  }

  /** As emit, but a failure is only logged: a session's frames are not worth failing anything for. */
  emitQuietly(frames: Frame[]): void {
    this.emit(frames).catch((err: unknown) => this.log.error({ err, frames: frames.length }, 'QoE frames not sent'));
  }

  async close(): Promise<void> {
    await this.batches.idle();
  }

  private async append(frames: Frame[]): Promise<void> {
    await this.redis.xadd(this.stream, 'MAXLEN', '~', STREAM_MAX, '*', 'f', JSON.stringify(frames));
  }
}
