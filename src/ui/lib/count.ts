/**
 * How many devices a search matches: GET /devices?count answers it in one
 * request, exact without a precondition and counted up to 10,000 with one
 * (`exact` false past it, or when a sparse search stopped early: "at least").
 * The browser never walks the list to count it.
 */
import { api, withQuery } from './api';

export interface Count {
  n: number;
  /** More devices may match than `n`: the server stopped counting. */
  more: boolean;
}

export async function countDevices(search: Record<string, string | number>): Promise<Count> {
  const r = await api<{ count: number; exact: boolean }>('GET', withQuery('/devices', { ...search, count: 1 }));
  return { n: r.data.count, more: !r.data.exact };
}

export const countText = (c: Count): string => `${c.n.toLocaleString('en')}${c.more ? '+' : ''}`;

/** "12 devices match", "10,000+ devices match" (the server counts up to 10,000), "1 device matches". */
export function matchText(c: Count): string {
  const one = c.n === 1 && !c.more;
  return `${countText(c)} device${one ? '' : 's'} match${one ? 'es' : ''}`;
}
