/** The scripts and script_versions tables on both drivers: versions, deletions, history, the generation, the polled copy. */
import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/log';
import { ScriptStore } from '../../src/scripts/store';
import { StoredScripts } from '../../src/scripts/stored';
import type { ScriptKind } from '../../src/scripts/types';
import { describeEachDriver } from '../helpers/db';

describeEachDriver('stored scripts', 'acs_test_stored_scripts', (ctx) => {
  let store: ScriptStore;
  before(() => {
    store = new ScriptStore(ctx.store.sql);
  });

  it('keeps every version with who wrote it; a deletion is a version without source, and a new write continues the numbering', async () => {
    const g0 = await store.generation();
    assert.equal((await store.put('provision', 'wifi', 'log("v1");', 'alice', 1000)).version, 1);
    assert.equal((await store.put('provision', 'wifi', 'log("v2");', 'bob', 2000)).version, 2);
    assert.ok((await store.generation()) > g0, 'a write moves the generation');
    assert.deepEqual(await store.get('provision', 'wifi'), { kind: 'provision', name: 'wifi', version: 2, source: 'log("v2");', updatedAt: 2000, updatedBy: 'bob' });
    assert.equal(await store.get('preset', 'wifi'), null, 'kinds are apart');
    const g1 = await store.generation();
    assert.equal(await store.remove('provision', 'wifi', 'carol', 3000), 3);
    assert.ok((await store.generation()) > g1, 'a deletion moves the generation');
    assert.equal(await store.get('provision', 'wifi'), null);
    assert.equal(await store.remove('provision', 'wifi', 'carol'), null, 'deleting nothing is no version');
    assert.equal(await store.source('provision', 'wifi', 1), 'log("v1");');
    assert.equal(await store.source('provision', 'wifi', 3), null, 'a deletion has no source');
    assert.equal((await store.put('provision', 'wifi', 'log("v4");', 'dave', 4000)).version, 4);
    assert.deepEqual(await store.versions('provision', 'wifi'), [
      { version: 1, time: 1000, by: 'alice', deleted: false },
      { version: 2, time: 2000, by: 'bob', deleted: false },
      { version: 3, time: 3000, by: 'carol', deleted: true },
      { version: 4, time: 4000, by: 'dave', deleted: false },
    ]);
  });

  it('two writes of one name at once: each gets its own version, or the second a 409 (never a lost version)', async () => {
    const results = await Promise.allSettled([1, 2, 3].map((n) => store.put('preset', 'race', `weight: ${n}\n`, `w${n}`)));
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ version: number }>).value.version);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ACS_ERR_CONFLICT');
    assert.ok(ok.length >= 1);
    const versions = await store.versions('preset', 'race');
    assert.deepEqual(versions.map((v) => v.version), ok.sort((a, b) => a - b).map((_, i) => i + 1));
    assert.equal((await store.get('preset', 'race'))?.version, versions.length);
  });

  it('the polled copy sees writes of others at its next read, tells which kinds changed, and keeps the last good copy when the database fails', async () => {
    const log = createLogger('silent');
    let down = false;
    // The database going away under the copy: its reads fail until it is back.
    const flaky = { generation: () => (down ? Promise.reject(new Error('database gone')) : store.generation()), all: () => store.all() } as unknown as ScriptStore;
    const copy = new StoredScripts(flaky, { log, pollMs: 0 });
    await copy.start();
    const changes: ScriptKind[][] = [];
    copy.onChange((kinds) => changes.push([...kinds]));
    await store.put('virtual-parameter', 'uptime', 'return { value: [1, "xsd:int"] };', 'alice');
    assert.equal(copy.has('virtual-parameter', 'uptime'), false, 'not before its read');
    await copy.refresh();
    assert.equal(copy.has('virtual-parameter', 'uptime'), true);
    assert.deepEqual(changes, [['virtual-parameter']]);
    await copy.refresh();
    assert.equal(changes.length, 1, 'no change, no news');
    down = true;
    await store.remove('virtual-parameter', 'uptime', 'alice');
    await copy.refresh();
    assert.equal(copy.has('virtual-parameter', 'uptime'), true, 'what was read stays while the database is away');
    down = false;
    await copy.refresh();
    assert.equal(copy.has('virtual-parameter', 'uptime'), false, 'and follows it once back');
  });
});
