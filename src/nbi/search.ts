/** The device search of a request's query string, shared by the device list and the bulk routes. */
import { compileDeviceQuery, type CompiledDeviceQuery, type DeviceQuery } from '../db/device-query';
import { AcsError } from '../errors';
import { fromGenieacsQuery } from './genieacs-query';
import { timeParam } from './params';

/**
 * The search of a device list request: `q` (a precondition, as presets
 * write them) or `query` (GenieACS's JSON query), and last-Inform bounds.
 */
export function searchOf(query: Record<string, unknown>): DeviceQuery {
  const text = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be given once`);
    return v;
  };
  const [q, genie] = [text('q'), text('query')];
  if (q !== undefined && genie !== undefined) throw new AcsError('ACS_ERR_BAD_REQUEST', 'give q (a precondition) or query (GenieACS JSON), not both');
  let search: DeviceQuery = { filter: q };
  if (genie !== undefined) {
    try {
      search = fromGenieacsQuery(genie);
    } catch (err) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', (err as Error).message);
    }
  }
  const before = timeParam(query.lastInformBefore, 'lastInformBefore');
  const after = timeParam(query.lastInformAfter, 'lastInformAfter');
  if (before !== undefined) search.lastInformBefore = Math.min(before, search.lastInformBefore ?? before);
  if (after !== undefined) search.lastInformAfter = Math.max(after, search.lastInformAfter ?? after);
  return search;
}


/** searchOf, checked and compiled; 400 naming the part at fault. */
export function compiledSearchOf(query: Record<string, unknown>): CompiledDeviceQuery {
  const compiled = compileDeviceQuery(searchOf(query));
  if (!compiled.ok) throw new AcsError('ACS_ERR_BAD_REQUEST', `${compiled.field === 'filter' ? 'q' : compiled.field}: ${compiled.message}`);
  return compiled.compiled;
}
