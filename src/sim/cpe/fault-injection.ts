/**
 * Fault injection for campaigns and benchmarks: which devices of a fleet
 * misbehave, and how, as RpcOptions of each device. The choice is a pure
 * function of the device's index, so a test can compute the expected set:
 * every `every`-th index (index % every === 0), or a seeded fraction (an
 * integer hash of seed and index below fraction * 2^32), or both combined.
 */
import type { Fault, SetParameterValues } from '../../cwmp/soap/types';
import { fail, spvEntry, spvFail } from './cpe-faults';
import type { RpcOptions } from './options';

export interface FaultInjection {
  /** Devices whose index is a multiple of this (0, n, 2n ...). */
  readonly every?: number;
  /** This fraction (0-1) of devices, chosen by a hash of `seed` and the index. */
  readonly fraction?: number;
  /** Seed of the fraction's choice (default 1). */
  readonly seed?: number;
  /** The chosen devices refuse SetParameterValues with this fault. */
  readonly spv?: 9002 | 9007;
  /** The chosen devices fail every Download with 9010. */
  readonly download?: boolean;
}

/** A 32-bit integer hash (splitmix-style finaliser) of seed and index. */
function mix(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ index) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** True when the device at `index` is one of the chosen (misbehaving) devices. */
export function isFaultyDevice(injection: FaultInjection, index: number): boolean {
  if (injection.every !== undefined && index % injection.every === 0) return true;
  if (injection.fraction !== undefined) return mix(injection.seed ?? 1, index) < injection.fraction * 2 ** 32;
  return false;
}

/** Throws on an injection that cannot mean anything (the CLI's errors). */
export function checkFaultInjection(injection: FaultInjection): void {
  const { every, fraction, spv } = injection;
  if (every !== undefined && !(Number.isInteger(every) && every >= 1)) throw new Error(`fault injection: every must be an integer >= 1, got ${every}`);
  if (fraction !== undefined && !(fraction >= 0 && fraction <= 1)) throw new Error(`fault injection: fraction must be 0-1, got ${fraction}`);
  if (spv !== undefined && spv !== 9002 && spv !== 9007) throw new Error(`fault injection: spv must be 9002 or 9007, got ${String(spv)}`);
  if (every === undefined && fraction === undefined) throw new Error('fault injection: give every or fraction');
  if (spv === undefined && !injection.download) throw new Error('fault injection: give spv and/or download');
}

/** The RpcOptions that make the device at `index` misbehave ({} for the others or without injection). */
export function injectedFaults(injection: FaultInjection | undefined, index: number): RpcOptions {
  if (!injection || !isFaultyDevice(injection, index)) return {};
  return {
    ...(injection.spv !== undefined ? { refuseSetParameterValues: injection.spv } : {}),
    ...(injection.download ? { failDownloads: true } : {}),
  };
}

/** The fault a device with refuseSetParameterValues answers, or undefined. */
export function injectedSpvFault(options: RpcOptions, req: SetParameterValues): Fault | undefined {
  const code = options.refuseSetParameterValues;
  if (code === undefined) return undefined;
  if (code === 9002) return fail(options, 9002, 'injected fault');
  return spvFail(req.ParameterList.map((p) => spvEntry(options, p.Name, 9007, 'injected fault')));
}

/** The sim CLI's fault flags as given (strings, absent when not given). */
export interface FaultFlags {
  readonly every?: string;
  readonly fraction?: string;
  readonly seed?: string;
  readonly spv?: string;
  readonly download?: boolean;
}

function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--fault-${name} ${raw}: expected a number`);
  return n;
}

/**
 * --fault-every N | --fault-fraction F [--fault-seed S], with --fault-spv
 * 9002|9007 and/or --fault-download; undefined when no fault flag is given.
 * Throws a clear Error on a bad or incomplete combination.
 */
export function faultInjectionFromFlags(flags: FaultFlags): FaultInjection | undefined {
  const given = [flags.every, flags.fraction, flags.seed, flags.spv].some((v) => v !== undefined) || flags.download === true;
  if (!given) return undefined;
  const spv = numberFlag('spv', flags.spv);
  const injection: FaultInjection = {
    every: numberFlag('every', flags.every),
    fraction: numberFlag('fraction', flags.fraction),
    seed: numberFlag('seed', flags.seed),
    spv: spv as FaultInjection['spv'],
    download: flags.download === true,
  };
  checkFaultInjection(injection);
  return injection;
}
