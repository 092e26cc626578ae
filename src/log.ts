import pino from 'pino';

export type Logger = pino.Logger;

/** One structured JSON line per event; callers bind deviceId and sessionId with child(). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}
