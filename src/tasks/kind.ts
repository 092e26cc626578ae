/**
 * What each task type is: the body fields it takes (their JSON shape, as the
 * REST API documents them), how they are checked and normalized into the
 * task's args, and the first CPE request built from those args. `request` is
 * pure and trusts its args (they come out of `normalize`, and are stored as
 * such), so a session rebuilds the same request from a stored task without
 * the lookups that checked it.
 */
import type { z } from 'zod';
import type { CpeRequest, XsdType } from '../cwmp/soap/types';
import type { ProvisionCall } from '../presets/types';
import type { Body } from './fields';

/** What the checks may ask the rest of the ACS; every member is optional. */
export interface TaskLookup {
  /** The xsd type of a parameter (the device's cached type, else the BBF models'); undefined when unknown. */
  typeOf?(path: string): XsdType | undefined;
  /** The URL a CPE downloads a file of the ACS's file store from; undefined when there is no such file. */
  fileUrl?(fileName: string): string | undefined;
  /** The URL a CPE uploads a file to, to be kept in the ACS's file store under that name. */
  uploadUrl?(fileName: string): string;
  /** Whether a provision script of that name exists. */
  hasProvision?(name: string): boolean;
}

export interface TaskKind<A extends object = Body> {
  /** Body fields besides "name", by name: their shape (body-shapes.ts); the only fields taken. */
  body: Record<string, z.ZodType>;
  /** A body of this type, without "name", for the REST API's document. */
  example: Body;
  normalize(body: Body, lookup: TaskLookup): A;
  /** Absent for tasks that send no request of their own (provision). */
  request?(args: A): CpeRequest;
  /** The provisions a provision task runs, instead of a request. */
  provisions?(args: A): ProvisionCall[];
}

/** Ties a kind's args type to its functions; stored as the loose TaskKind. */
export function kind<A extends object>(k: TaskKind<A>): TaskKind {
  return k as unknown as TaskKind;
}
