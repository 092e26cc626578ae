/**
 * GenieACS's list parameters for documents read whole and then filtered
 * (tasks, faults): ?query= (doc-query.ts), skip, and limit, where a limit
 * of 0 means all of them.
 */
import { z } from 'zod';
import { intQuery } from '../api/schemas';
import type { Doc } from './doc-query';

/** The query schema, `maxLimit` the largest limit taken. */
export function docListQuery(maxLimit: number) {
  return z.object({ query: z.string().optional(), skip: intQuery(0, Number.MAX_SAFE_INTEGER, 0), limit: intQuery(0, maxLimit, 0) });
}

/** The documents after `skip`, at most `limit` of them (0: no limit). */
export function pageOf<D extends Doc>(docs: D[], { skip, limit }: { skip: number; limit: number }): D[] {
  const rest = docs.slice(skip);
  return limit > 0 ? rest.slice(0, limit) : rest;
}
