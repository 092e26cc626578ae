/**
 * GenieACS's skip and limit over listed documents (tasks, faults):
 * src/nbi/genieacs/doc-page.ts. A limit of 0 lists them all.
 */
import { strict as assert } from 'node:assert';
import { docListQuery, pageOf } from '../../../src/nbi/genieacs/doc-page';

const docs = [{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }];
const ids = (page: { _id: string }[]) => page.map((d) => d._id);

describe('GenieACS list paging (doc-page.ts)', () => {
  it('skips, then takes at most limit; limit 0 takes the rest', () => {
    assert.deepEqual(ids(pageOf(docs, { skip: 0, limit: 0 })), ['a', 'b', 'c']);
    assert.deepEqual(ids(pageOf(docs, { skip: 1, limit: 0 })), ['b', 'c']);
    assert.deepEqual(ids(pageOf(docs, { skip: 1, limit: 1 })), ['b']);
    assert.deepEqual(ids(pageOf(docs, { skip: 5, limit: 2 })), []);
  });

  it('the query schema defaults skip and limit to 0 and refuses a limit past its maximum', () => {
    const schema = docListQuery(10);
    assert.deepEqual(schema.parse({}), { skip: 0, limit: 0 });
    assert.deepEqual(schema.parse({ query: '{}', skip: '2', limit: '10' }), { query: '{}', skip: 2, limit: 10 });
    assert.equal(schema.safeParse({ limit: '11' }).success, false);
  });
});
