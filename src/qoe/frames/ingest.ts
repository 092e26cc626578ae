/**
 * The worker side of collection: one worker of the cluster at a time reads
 * the frames' stream (infra/leased-stream.ts), stores them in the series
 * store, copies them to the export stream when QOE_EXPORT_MAX > 0 (for
 * ClickHouse, Prometheus remote-write and the like), then deletes them.
 * While the database refuses them, they stay in the stream.
 */
import type { Redis } from 'ioredis';
import { jsonArrayField, readLeasedStream, type LeasedStreamReader } from '../../infra/leased-stream';
import type { Logger } from '../../log';
import type { ProfileView } from '../profiles/view';
import type { SeriesStore } from '../series';
import type { Frame } from '../types';
import { qoeKeys } from './keys';

/** Entries per read: each holds up to the emitter's BATCH_MAX frames. */
const READ_COUNT = 50;
/** Series are for charts and alerts, not for a session: a read waits to gather several front ends' batches. */
const GATHER_MS = 200;

export interface FrameIngestDeps {
  redis: Redis;
  reader: Redis;
  redisPrefix: string;
  view: ProfileView;
  series: Pick<SeriesStore, 'ingest'>;
  /** Frames kept in the export stream (approximately); 0: no export. */
  exportMax: number;
  log: Logger;
}

export function startFrameIngest(d: FrameIngestDeps): LeasedStreamReader {
  const keys = qoeKeys(d.redisPrefix);
  return readLeasedStream({
    redis: d.redis, reader: d.reader, stream: keys.frames, lease: keys.lease, log: d.log, what: 'QoE ingest', count: READ_COUNT, gatherMs: GATHER_MS,
    handle: async (entries) => {
      const frames: Frame[] = [];
      for (const [entry, fields] of entries) {
        const read = jsonArrayField<Frame>(fields, 'f');
        if (read) frames.push(...read);
        else d.log.error({ entry }, 'QoE frames unreadable: dropped');
      }
      const profiles = await d.view.current();
      const result = await d.series.ingest(frames, (name) => profiles.get(name)?.profile);
      if (result.droppedCount > 0) d.log.warn({ dropped: result.droppedCount, examples: result.dropped.slice(0, 3) }, 'QoE values dropped');
      if (d.exportMax > 0 && frames.length > 0) await d.redis.xadd(keys.export, 'MAXLEN', '~', d.exportMax, '*', 'f', JSON.stringify(frames));
    },
  });
}
