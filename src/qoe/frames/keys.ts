/** The Redis keys of QoE frames: the stream front ends append to, the ingest lease, and the export stream for outside stores. */
export function qoeKeys(redisPrefix: string): { frames: string; lease: string; export: string } {
  return { frames: `${redisPrefix}qoe:frames`, lease: `${redisPrefix}qoe:ingest`, export: `${redisPrefix}qoe:export` };
}
