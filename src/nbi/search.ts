/** The device search of a request's query string, shared by the device list, the bulk tag routes and the GenieACS API. */
import { z } from 'zod';
import { compileDeviceQuery, type CompiledDeviceQuery, type DeviceQuery } from '../db/device-query';
import { AcsError, badRequest } from '../errors';
import { timeText } from './api/schemas';
import { fromGenieacsQuery } from './genieacs-query';

/**
 * The search's query parameters: `q` (a precondition, as presets write them)
 * or `query` (GenieACS's JSON query), and last-Inform bounds.
 */
export const searchQuery = {
  q: z.string({ error: 'must be given once' }).optional().meta({ description: 'a precondition, as presets write them ("Tags.lab"; TRUE for every device)' }),
  query: z.string({ error: 'must be given once' }).optional().meta({ description: 'a GenieACS JSON query', example: '{"_tags":"lab"}' }),
  lastInformBefore: timeText.optional(),
  lastInformAfter: timeText.optional(),
};

export type Search = { [K in keyof typeof searchQuery]?: z.output<(typeof searchQuery)[K]> };

function searchOf(s: Search, statementMs: number): DeviceQuery {
  if (s.q !== undefined && s.query !== undefined) badRequest('give q (a precondition) or query (GenieACS JSON), not both');
  let search: DeviceQuery = { filter: s.q };
  if (s.query !== undefined) {
    try {
      search = fromGenieacsQuery(s.query);
    } catch (err) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', (err as Error).message);
    }
  }
  return { ...search, lastInformBefore: s.lastInformBefore, lastInformAfter: s.lastInformAfter, statementMs };
}

/** The search, checked and compiled, each of its SELECTs bounded by `statementMs` (SEARCH_STATEMENT_MS); 400 naming the part at fault. */
export function compiledSearchOf(s: Search, statementMs: number): CompiledDeviceQuery {
  const compiled = compileDeviceQuery(searchOf(s, statementMs));
  if (!compiled.ok) badRequest(`${compiled.field === 'filter' ? 'q' : compiled.field}: ${compiled.message}`);
  return compiled.compiled;
}
