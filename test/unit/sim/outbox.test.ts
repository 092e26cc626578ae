import { strict as assert } from 'node:assert';
import type { AcsRequest, EventStruct } from '../../../src/cwmp/soap/types';
import { ev, Outbox } from '../../../src/sim/outbox';

const codes = (events: readonly EventStruct[]): string[] => events.map((e) => (e.CommandKey ? `${e.EventCode}/${e.CommandKey}` : e.EventCode));
const now = new Date(0).toISOString();
const tc = (key: string): AcsRequest => ({ method: 'TransferComplete', CommandKey: key, FaultStruct: { FaultCode: 0, FaultString: '' }, StartTime: now, CompleteTime: now });

describe('sim outbox: events kept until delivered (TR-069 §3.7.1.5)', () => {
  it('an event raised again while the first is on the wire is sent once, and both go with the InformResponse', () => {
    const o = new Outbox(['1 BOOT']);
    assert.deepEqual(codes(o.informEvents()), ['1 BOOT']);
    o.add('1 BOOT');
    o.add('6 CONNECTION REQUEST');
    o.add('6 CONNECTION REQUEST');
    o.endSession(); // no InformResponse: nothing was delivered
    assert.deepEqual(codes(o.informEvents()), ['1 BOOT', '6 CONNECTION REQUEST'], 'each event once on the wire');
    o.informDelivered();
    o.endSession();
    assert.deepEqual(o.events, []);
  });

  it('"M" events are kept per CommandKey; the events of a request stay until it is answered', () => {
    const o = new Outbox([]);
    o.queue(tc('a'), ev('7 TRANSFER COMPLETE'), ev('M Download', 'a'));
    o.queue(tc('b'), ev('7 TRANSFER COMPLETE'), ev('M Download', 'b'));
    assert.deepEqual(codes(o.informEvents()), ['7 TRANSFER COMPLETE', 'M Download/a', 'M Download/b']);
    o.informDelivered();
    assert.equal(o.events.length, 3, 'announcing two undelivered requests');
    assert.equal((o.nextRequest() as { CommandKey: string }).CommandKey, 'a');
    o.requestDelivered();
    assert.deepEqual(codes(o.events), ['7 TRANSFER COMPLETE', 'M Download/b'], '7 stays while b is undelivered');
    o.requestDelivered();
    assert.deepEqual(o.events, []);
    assert.equal(o.nextRequest(), undefined);
  });

  it('a request queued during the session is not sent in it, and its events wait with it', () => {
    const o = new Outbox(['2 PERIODIC']);
    o.informEvents();
    o.queue(tc('late'), ev('7 TRANSFER COMPLETE'), ev('M Upload', 'late'));
    o.informDelivered();
    assert.equal(o.nextRequest(), undefined);
    o.endSession();
    assert.deepEqual(codes(o.events), ['7 TRANSFER COMPLETE', 'M Upload/late']);
    o.informEvents();
    assert.equal((o.nextRequest() as { CommandKey: string }).CommandKey, 'late');
  });

  it('clear() (factory reset) forgets events and requests', () => {
    const o = new Outbox(['1 BOOT']);
    o.queue(tc('x'), ev('7 TRANSFER COMPLETE'));
    o.clear();
    assert.deepEqual(o.informEvents(), []);
    assert.equal(o.nextRequest(), undefined);
  });
});
