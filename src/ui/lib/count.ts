/**
 * How many devices a search matches. GET /devices answers pages, not a
 * count, so the count walks the pages (the largest the API gives, only the
 * identity columns) up to a bound: past it the answer is "at least".
 */
import { api, withQuery } from './api';

export interface Count {
  n: number;
  /** More devices match than were counted. */
  more: boolean;
}

const PAGE = 1000;
const MAX_PAGES = 20;

export async function countDevices(search: Record<string, string | number>): Promise<Count> {
  let n = 0;
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const r = await api<unknown[]>('GET', withQuery('/devices', { ...search, limit: PAGE, cursor }));
    n += r.data.length;
    cursor = r.headers.get('X-Next-Cursor') ?? undefined;
    if (cursor === undefined) return { n, more: false };
  }
  return { n, more: true };
}

export const countText = (c: Count): string => `${c.n.toLocaleString('en')}${c.more ? '+' : ''}`;
