/**
 * Channel faults: how a script fault, a refused RPC or an engine limit is
 * recorded against the channel that caused it, with its retry backoff.
 */
import type { ChannelFault, EpochMs } from '../db/types';
import type { ScriptFault } from '../sandbox';

/** Backoff of a faulted channel: 1 min, doubling per fault in a row, at most a day. */
function nextRetry(retries: number, now: EpochMs): EpochMs {
  return now + Math.min(60_000 * 2 ** Math.max(0, retries - 1), 86_400_000);
}

/** What a fault says, before it is counted against a channel (retries, backoff). */
export type FaultSource = Pick<ChannelFault, 'code' | 'message' | 'preset' | 'script' | 'line' | 'column'>;

/** A fault for `channel`, continuing the streak of the fault stored for it (if any). */
export function channelFault(channel: string, source: FaultSource, stored: ChannelFault | undefined, now: EpochMs): ChannelFault {
  const retries = (stored?.retries ?? 0) + 1;
  const fault: ChannelFault = {
    channel,
    code: source.code,
    message: source.message,
    retries,
    firstTime: stored?.firstTime ?? now,
    time: now,
    nextRetry: nextRetry(retries, now),
  };
  if (source.preset !== undefined) fault.preset = source.preset;
  if (source.script !== undefined) fault.script = source.script;
  if (source.line !== undefined) fault.line = source.line;
  if (source.column !== undefined) fault.column = source.column;
  return fault;
}

export function fromScriptFault(f: ScriptFault, preset: string): FaultSource {
  const out: FaultSource = { code: f.code, message: f.message, preset, script: f.script };
  if (f.line !== undefined) out.line = f.line;
  if (f.column !== undefined) out.column = f.column;
  return out;
}

/** "provisions/wifi.js:12:5: script.error: message" */
export function formatFault(f: ScriptFault, file = f.script): string {
  const where = f.line !== undefined ? `:${f.line}${f.column !== undefined ? `:${f.column}` : ''}` : '';
  return `${file}${where}: ${f.code}: ${f.message}`;
}
