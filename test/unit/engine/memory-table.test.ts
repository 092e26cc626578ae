import { strict as assert } from 'node:assert';
import { MemoryTable } from '../../../src/engine/memory-table';
import { childrenListedAt } from '../../../src/sandbox/device-view';

describe('engine: the in-memory cache (same cache ops as the store)', function () {
  it('a listing stamps the listed object even when the CPE names it in its answer', async () => {
    const named = new MemoryTable();
    await named.applyOp({ op: 'names', path: 'Device.NAT.PortMapping.', nextLevel: true, time: 1000, parameters: [{ Name: 'Device.NAT.PortMapping.', Writable: true }] });
    const plain = new MemoryTable();
    await plain.applyOp({ op: 'names', path: 'Device.NAT.PortMapping.', nextLevel: true, time: 1000, parameters: [] });
    for (const t of [named, plain]) {
      const node = t.root.children.get('Device')?.children.get('NAT')?.children.get('PortMapping');
      assert.ok(node, 'the listed object is in the tree');
      assert.equal(childrenListedAt(node), 1000, 'an empty table is known to be empty');
    }
  });

  it('keeps its path tree in step with its rows: writes, deletes, subtree deletes', async () => {
    const t = new MemoryTable();
    await t.applyOp({ op: 'values', time: 1, parameters: [
      { Name: 'A.B.1.X', Value: '1', type: 'xsd:string' },
      { Name: 'A.B.2.X', Value: '2', type: 'xsd:string' },
      { Name: 'A.C', Value: 'c', type: 'xsd:string' },
    ] });
    const b = () => t.root.children.get('A')?.children.get('B');
    assert.deepEqual([...(b()?.children.keys() ?? [])], ['1', '2']);
    await t.applyOp({ op: 'delete-subtree', path: 'A.B.1.', time: 2 });
    assert.deepEqual([...(b()?.children.keys() ?? [])], ['2']);
    assert.equal(t.get('A.B.1.X'), undefined);
    await t.deletePaths(['A.B.2.X', 'A.B.2.']);
    assert.equal(b()?.children.size ?? 0, 0, 'emptied nodes are pruned');
    assert.equal(t.get('A.C')?.value, 'c');
    await t.deletePrefix('');
    assert.equal(t.size, 0);
    assert.equal(t.root.children.size, 0);
  });
});
