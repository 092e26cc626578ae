/**
 * The ACS's Lua scripts, registered by the modules that use them (at import)
 * and defined on every connection the moment it is made, before it carries
 * any command. ioredis copies a connection's scripts into each pipeline it
 * makes, auto-pipelines included: a script defined later (on first use) is
 * missing from a pipeline already made in that tick, and queuing it there
 * threw inside ioredis and ended the process ("results[i] is not
 * iterable", redis/ioredis#1931).
 */
import type { Redis } from 'ioredis';

export interface ScriptDefinition {
  lua: string;
  /** Its KEYS count; on a cluster some scripts leave out a key of another slot. */
  keys: (cluster: boolean) => number;
}

const SCRIPTS = new Map<string, ScriptDefinition>();

/** Registers a script under `name` (as a command of every connection made after). */
export function registerScript(name: string, definition: ScriptDefinition): string {
  SCRIPTS.set(name, definition);
  return name;
}

/** Defines the registered scripts `redis` lacks; connections made by infra/redis.ts get them at once. */
export function defineScripts(redis: Redis): Redis {
  for (const [name, d] of SCRIPTS) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: d.keys(redis.isCluster), lua: d.lua });
  }
  return redis;
}
