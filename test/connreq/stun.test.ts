import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { ConnectionRequester, loadBinding, startStunServer, type StunServer } from '../../src/connreq';
import {
  Attr, MessageType, TR111_BINDING_VALUE, attribute, checkIntegrity, decodeAddress, decodeErrorCode, decodeStun, decodeXorAddress, encodeStun,
  fingerprintOk, type AttributeInput, type StunMessage,
} from '../../src/connreq/stun/codec';
import { StunClient } from '../../src/sim/conn-request/stun-client';
import { UdpConnectionRequestListener, type UdpCrEvent } from '../../src/sim/conn-request/udp-listener';
import { describeEachDriver } from '../helpers/db';
import { sleep, until } from '../helpers/wait';
import { cachedDevice, log, testRedis, type TestRedis } from './helpers';

const FAST = { http: { timeoutMs: 300, attempts: 1, backoffMs: 10 }, udp: { copies: 3, intervalMs: 10 }, deviceIntervalMs: 0, ratePerSecond: 0 };

describeEachDriver('STUN server and UDP connection requests (TR-111 Part 2, TR-069 Annex G)', 'acs_test_connreq_stun', (ctx) => {
  let r: TestRedis;
  let stun: StunServer;
  let cpe: UdpConnectionRequestListener;
  let client: StunClient;
  let peer: dgram.Socket;
  let requests: string[];
  const events: UdpCrEvent[] = [];

  before(async () => {
    r = testRedis('stun');
    stun = await startStunServer({ port: 0, host: '127.0.0.1', redis: r.redis, prefix: r.prefix, store: ctx.store, log, lookupCacheMs: 0 });
    cpe = new UdpConnectionRequestListener({ onEvent: (e) => events.push(e) });
    await cpe.listen();
    client = new StunClient(cpe, { server: { host: '127.0.0.1', port: stun.port }, keepAliveMs: 0, rtoMs: 100 });
    peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });
  after(async () => {
    client.close();
    peer.close();
    await cpe.close();
    await stun.close();
    await r.close();
  });
  beforeEach(() => (requests = []));

  /** A device with stored connection-request credentials (= its STUNUsername/STUNPassword), served by the sim's UDP listener. */
  async function udpDevice(values: Record<string, string> = {}): Promise<{ key: string; username: string; password: string }> {
    const key = await cachedDevice(ctx.store, values);
    const username = `cr-${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(4).toString('hex')}`;
    await new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }).setCredentials(key, { username, password });
    cpe.register(username, { password, onRequest: () => requests.push(key) });
    return { key, username, password };
  }

  /** Sends a datagram from `peer` and waits for the answer (null: none within 300 ms). */
  function ask(datagram: Buffer): Promise<StunMessage | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        peer.off('message', on);
        resolve(null);
      }, 300);
      const on = (msg: Buffer): void => {
        clearTimeout(timer);
        peer.off('message', on);
        const d = decodeStun(msg);
        resolve(d.ok ? d.message : null);
      };
      peer.on('message', on);
      peer.send(datagram, stun.port, '127.0.0.1');
    });
  }

  function bindingRequest(attributes: AttributeInput[], integrityKey?: string, transactionId = randomBytes(12)): Buffer {
    return encodeStun({ type: MessageType.BindingRequest, transactionId, attributes, integrityKey, fingerprint: transactionId.length === 12 });
  }

  const tr111 = (username?: string): AttributeInput[] => [
    { type: Attr.CONNECTION_REQUEST_BINDING, value: TR111_BINDING_VALUE },
    ...(username ? [{ type: Attr.USERNAME, value: Buffer.from(username) }] : []),
  ];

  it('answers a Binding Request with the sender\'s address in XOR-MAPPED-ADDRESS (and MAPPED-ADDRESS), with a valid FINGERPRINT', async () => {
    const tid = randomBytes(12);
    const answer = await ask(bindingRequest([], undefined, tid));
    assert.ok(answer);
    assert.equal(answer.type, MessageType.BindingSuccess);
    assert.deepEqual(answer.transactionId, tid);
    const me = { address: '127.0.0.1', port: peer.address().port };
    assert.deepEqual(decodeXorAddress(attribute(answer, Attr.XOR_MAPPED_ADDRESS)!.value, tid), me);
    assert.deepEqual(decodeAddress(attribute(answer, Attr.MAPPED_ADDRESS)!.value), me);
    assert.ok(attribute(answer, Attr.FINGERPRINT) && fingerprintOk(answer));
  });

  it('answers a classic RFC 3489 request with MAPPED-ADDRESS only (no attribute it would not know)', async () => {
    const answer = await ask(bindingRequest([], undefined, randomBytes(16)));
    assert.ok(answer);
    assert.equal(answer.classic, true);
    assert.deepEqual(decodeAddress(attribute(answer, Attr.MAPPED_ADDRESS)!.value), { address: '127.0.0.1', port: peer.address().port });
    assert.equal(attribute(answer, Attr.XOR_MAPPED_ADDRESS), undefined);
    assert.equal(attribute(answer, Attr.FINGERPRINT), undefined);
  });

  it('asks a TR-111 request without MESSAGE-INTEGRITY for it (401), then records the binding of the sim\'s STUN client from its connection-request port', async () => {
    const device = await udpDevice();
    const challenged = stun.stats.challenged;
    const unregister = client.register(device.key, { username: device.username, password: device.password });
    try {
      await until('the binding', async () => (await loadBinding(r.redis, r.prefix, device.key)) !== null, 5000);
      const binding = await loadBinding(r.redis, r.prefix, device.key);
      assert.equal(binding?.host, '127.0.0.1');
      assert.equal(binding?.port, cpe.port, 'the source address of the Binding Request: the UDP connection-request socket');
      assert.equal(stun.stats.challenged, challenged + 1);
      assert.deepEqual(client.mapped(device.key), { address: '127.0.0.1', port: cpe.port });
      assert.equal(cpe.stats.malformed, 0, 'STUN answers went to the STUN client, not the connection-request parser');
    } finally {
      unregister();
    }
  });

  it('the server\'s answer to an authenticated request carries MESSAGE-INTEGRITY with the device\'s password', async () => {
    const device = await udpDevice();
    const answer = await ask(bindingRequest(tr111(device.username), device.password));
    assert.ok(answer);
    assert.equal(answer.type, MessageType.BindingSuccess);
    assert.ok(checkIntegrity(answer, device.password));
    assert.equal((await loadBinding(r.redis, r.prefix, device.key))?.port, peer.address().port);
  });

  it('a MESSAGE-INTEGRITY that does not verify is refused with 401 and records nothing', async () => {
    const device = await udpDevice();
    const refused = stun.stats.refused;
    const answer = await ask(bindingRequest(tr111(device.username), 'not-the-password'));
    assert.ok(answer);
    assert.equal(answer.type, MessageType.BindingError);
    assert.equal(decodeErrorCode(attribute(answer, Attr.ERROR_CODE)!.value)?.code, 401);
    assert.equal(stun.stats.refused, refused + 1);
    assert.equal(await loadBinding(r.redis, r.prefix, device.key), null);

    const unregister = client.register('wrong', { username: device.username, password: 'also-wrong' });
    try {
      const result = await client.bind('wrong');
      assert.deepEqual(result, { result: 'refused', code: 401, reason: 'Unauthorized' });
      assert.equal(await loadBinding(r.redis, r.prefix, device.key), null);
    } finally {
      unregister();
    }
  });

  it('an unknown USERNAME is refused (401): nobody\'s binding can be forged', async () => {
    const answer = await ask(bindingRequest(tr111('nobody-has-this'), 'x'));
    assert.equal(answer?.type, MessageType.BindingError);
    assert.equal(decodeErrorCode(attribute(answer!, Attr.ERROR_CODE)!.value)?.code, 401);
  });

  it('a new source address or BINDING-CHANGE moves the binding and its change time', async () => {
    const device = await udpDevice();
    await ask(bindingRequest(tr111(device.username), device.password));
    const first = await loadBinding(r.redis, r.prefix, device.key);
    assert.equal(first?.port, peer.address().port);
    await sleep(5);
    const other = new UdpConnectionRequestListener();
    await other.listen();
    const moved = new StunClient(other, { server: { host: '127.0.0.1', port: stun.port }, keepAliveMs: 0, rtoMs: 100 });
    try {
      moved.register(device.key, { username: device.username, password: device.password });
      await until('the binding to move', async () => (await loadBinding(r.redis, r.prefix, device.key))?.port === other.port, 5000);
      const second = await loadBinding(r.redis, r.prefix, device.key);
      assert.ok(second && first && second.changed > first.changed);
    } finally {
      moved.close();
      await other.close();
    }
    await sleep(5);
    await ask(bindingRequest([...tr111(device.username), { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) }], device.password));
    const third = await loadBinding(r.redis, r.prefix, device.key);
    assert.equal(third?.port, peer.address().port);
  });

  it('a UDP connection request reaches the simulated device at its STUN-learned address, sent from the STUN port, and is accepted once', async () => {
    const device = await udpDevice();
    const unregister = client.register(device.key, { username: device.username, password: device.password });
    try {
      await until('the binding', async () => (await loadBinding(r.redis, r.prefix, device.key)) !== null, 5000);
      const requester = new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log, stun }, FAST);
      const before = { ...cpe.stats };
      const outcome = await requester.request(device.key);
      assert.equal(outcome.outcome, 'udp-sent', outcome.message);
      assert.equal(outcome.via, 'udp');
      assert.match(outcome.message, /STUN binding\) from STUN port/);
      await until('the three copies', async () => cpe.stats.accepted + cpe.stats.replayed >= before.accepted + before.replayed + 3, 3000);
      assert.equal(cpe.stats.accepted, before.accepted + 1, 'one accepted');
      assert.equal(cpe.stats.replayed, before.replayed + 2, 'the copies are replays');
      assert.equal(cpe.stats['bad-signature'], before['bad-signature']);
      assert.deepEqual(requests, [device.key]);
      const accepted = events.filter((e) => e.outcome === 'accepted' && e.username === device.username);
      assert.deepEqual(accepted.map((e) => e.from), [`127.0.0.1:${stun.port}`], 'sent from the STUN socket, so the NAT binding lets it in');
      assert.equal((await requester.lastAttempt(device.key))?.outcome, 'udp-sent');
    } finally {
      unregister();
    }
  });

  it('falls back to UDP when HTTP finds nobody, and says both in the message', async () => {
    const device = await udpDevice({ ConnectionRequestURL: `http://127.0.0.1:${await closedPort()}/cr` });
    await ask(bindingRequest(tr111(device.username), device.password));
    // The binding is the test's socket: point it at the CPE's listener instead, as the sim's client would.
    await r.redis.set(`${r.prefix}cr:stun:${device.key}`, JSON.stringify({ host: '127.0.0.1', port: cpe.port, time: Date.now(), changed: Date.now() }));
    const requester = new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log, stun }, FAST);
    const outcome = await requester.request(device.key);
    assert.equal(outcome.outcome, 'udp-sent');
    assert.match(outcome.message, /^HTTP refused: .*; then UDP: 3 datagrams/);
    await until('the request', async () => requests.length === 1, 3000);
  });

  it('without a binding, uses the cached UDPConnectionRequestAddress (from an ephemeral port when no STUN server runs here)', async () => {
    const device = await udpDevice({ UDPConnectionRequestAddress: cpe.address });
    const requester = new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }, FAST);
    const outcome = await requester.request(device.key);
    assert.equal(outcome.outcome, 'udp-sent');
    assert.match(outcome.message, /UDPConnectionRequestAddress\) from an ephemeral port/);
    await until('the request', async () => requests.length === 1, 3000);
  });

  it('with a UDP address but no credentials to sign with: no-credentials', async () => {
    const key = await cachedDevice(ctx.store, { UDPConnectionRequestAddress: cpe.address });
    const outcome = await new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }, FAST).request(key);
    assert.equal(outcome.outcome, 'no-credentials');
  });

  it('malformed datagrams never crash the server and get no answer; 420 for unknown mandatory attributes; it keeps serving', async () => {
    const before = { ...stun.stats };
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([0]),
      Buffer.alloc(20, 0xff),
      Buffer.concat([Buffer.from([0, 1, 0, 8, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]),
      Buffer.concat([Buffer.from([0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12), Buffer.from([0, 6, 0, 200])]),
      Buffer.from('GET http://127.0.0.1:1?ts=1&id=1&un=a&cn=b&sig=00 HTTP/1.1\r\n\r\n'),
      Buffer.alloc(1400, 0),
      ...Array.from({ length: 200 }, () => randomBytes(1 + Math.floor(Math.random() * 100))),
    ];
    for (const g of garbage) peer.send(g, stun.port, '127.0.0.1');
    // A request whose FINGERPRINT is wrong is dropped too.
    const badFingerprint = bindingRequest([]);
    badFingerprint[badFingerprint.length - 1] ^= 0xff;
    assert.equal(await ask(badFingerprint), null);
    const unknown = await ask(bindingRequest([{ type: 0x7001, value: Buffer.alloc(4) }]));
    assert.equal(unknown?.type, MessageType.BindingError);
    assert.equal(decodeErrorCode(attribute(unknown!, Attr.ERROR_CODE)!.value)?.code, 420);
    assert.deepEqual(attribute(unknown!, Attr.UNKNOWN_ATTRIBUTES)?.value, Buffer.from([0x70, 0x01]));
    const fine = await ask(bindingRequest([]));
    assert.equal(fine?.type, MessageType.BindingSuccess, 'still serving');
    assert.ok(stun.stats.malformed >= before.malformed + 8, `malformed ${stun.stats.malformed - before.malformed}`);
    assert.equal(stun.stats.errors, before.errors);
  });
});

async function closedPort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
