/**
 * A 400 a service words (a check no schema can make) carries `field` as a
 * schema's 400 does, when its message starts with a field the request or
 * its route's schema names; other messages carry none. Over HTTP against the
 * real server, then the rule alone.
 */
import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { fieldOfMessage } from '../../src/nbi/api/message-field';
import { startTestAcs, type TestAcs } from '../helpers/acs';

interface ErrorBody {
  error: string;
  code: string;
  field?: string;
}

describe('northbound API: the field of a service\'s 400', function () {
  this.timeout(60_000);
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('message_field');
  });
  after(async () => t?.stop());

  async function refused(path: string, init: RequestInit): Promise<ErrorBody> {
    const res = await t.nbi(path, init);
    const body = (await res.json()) as ErrorBody;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(body.code, 'ACS_ERR_BAD_REQUEST');
    return body;
  }

  it('names the body field a service refused (an order\'s preset that does not exist)', async () => {
    const body = await refused('/orders', { method: 'POST', body: JSON.stringify({ id: 'ord-mf-1', device: { serialNumber: 'MF-1' }, service: { preset: 'no-such-preset' } }) });
    assert.match(body.error, /^service\.preset: no preset named "no-such-preset"/);
    assert.equal(body.field, 'body.service.preset');
    assert.equal((await t.nbi('/orders/ord-mf-1')).status, 404, 'nothing stored');
  });

  it('names a query parameter a handler refused (from after to)', async () => {
    const body = await refused('/qoe/devices/00AA11-Box-SN1/series?from=2000&to=1000', {});
    assert.equal(body.error, 'query parameter from must be before to');
    assert.equal(body.field, 'query.from');
  });

  it('names a path parameter a service refused (a fault id without its channel)', async () => {
    const body = await refused('/faults/only-a-device', { method: 'DELETE' });
    assert.equal(body.field, 'path.id');
  });

  it('names a webhook subscription\'s filter that does not compile', async () => {
    const body = await refused('/webhooks', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['device.inform'], secret: 'a-secret-of-enough-length', filter: 'DeviceID.SerialNumber = ' }) });
    assert.match(body.error, /^filter: /);
    assert.equal(body.field, 'body.filter');
  });

  it('a message that names no field carries none', async () => {
    const body = await refused('/devices?q=TRUE&query=%7B%7D', {});
    assert.match(body.error, /^give q .* not both/);
    assert.equal(body.field, undefined);
  });

  describe('the rule', () => {
    const schemas = { body: z.object({ provisions: z.array(z.object({ provision: z.string() })).optional(), provision: z.string().optional() }), query: z.object({ sort: z.string().optional() }) };
    const parts = (body: unknown, query: unknown = {}) => ({ params: {}, query, body, schemas });
    it('takes a nested path whose top-level name the request has', () => {
      assert.equal(fieldOfMessage('provisions[1].provision: unknown provision "x"', parts({ provisions: [{}, {}] })), 'body.provisions[1].provision');
    });
    it('takes a top-level name the schema names though the request lacks it (a required field)', () => {
      assert.equal(fieldOfMessage('provision is required', parts({})), 'body.provision');
    });
    it('takes the query\'s names, and "query parameter" only for the query', () => {
      assert.equal(fieldOfMessage('sort: unknown key', parts({})), 'query.sort');
      assert.equal(fieldOfMessage('query parameter provision must be set', parts({ provision: 'x' })), null);
    });
    it('leaves a message whose first word is no field', () => {
      assert.equal(fieldOfMessage('give provision or provisions, not both', parts({ provision: 'x' })), null);
      assert.equal(fieldOfMessage('a bulk change needs q=', parts({})), null);
      assert.equal(fieldOfMessage('', parts({})), null);
    });
  });
});
