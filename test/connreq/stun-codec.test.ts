import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { isPrivateHost } from '../../src/connreq/addresses';
import { chooseOrder } from '../../src/connreq/requester';
import {
  Attr, MessageType, TR111_BINDING_VALUE, attribute, checkIntegrity, decodeAddress, decodeErrorCode, decodeStun, decodeXorAddress,
  encodeAddress, encodeErrorCode, encodeStun, encodeXorAddress, fingerprintOk, unknownRequired,
} from '../../src/connreq/stun/codec';
import { parseUdpAddress } from '../../src/connreq/udp-request';

describe('STUN codec (RFC 5389, RFC 3489, TR-111 attributes)', () => {
  const tid = randomBytes(12);

  it('encodes and decodes a TR-111 Binding Request with CONNECTION-REQUEST-BINDING, BINDING-CHANGE, USERNAME, integrity and fingerprint', () => {
    const raw = encodeStun({
      type: MessageType.BindingRequest,
      transactionId: tid,
      attributes: [
        { type: Attr.CONNECTION_REQUEST_BINDING, value: TR111_BINDING_VALUE },
        { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) },
        { type: Attr.USERNAME, value: Buffer.from('cpe-1') },
      ],
      integrityKey: 'secret',
      fingerprint: true,
    });
    const d = decodeStun(raw);
    assert.ok(d.ok);
    const m = d.message;
    assert.equal(m.classic, false);
    assert.deepEqual(m.transactionId, tid);
    assert.equal(attribute(m, Attr.CONNECTION_REQUEST_BINDING)?.value.toString('latin1'), 'dslforum.org/TR-111 ');
    assert.equal(attribute(m, Attr.BINDING_CHANGE)?.value.length, 0);
    assert.equal(attribute(m, Attr.USERNAME)?.value.toString(), 'cpe-1');
    assert.ok(checkIntegrity(m, 'secret'));
    assert.ok(!checkIntegrity(m, 'Secret'));
    assert.ok(fingerprintOk(m));
    assert.deepEqual(unknownRequired(m), []);
    const tampered = Buffer.from(raw);
    tampered[raw.indexOf('cpe-1')] ^= 1;
    const t = decodeStun(tampered);
    assert.ok(t.ok && !checkIntegrity(t.message, 'secret') && !fingerprintOk(t.message));
  });

  it('checks an RFC 3489 MESSAGE-INTEGRITY (the text before it zero-padded to 64 bytes) in a classic request', () => {
    const classicId = randomBytes(16);
    const body = encodeStun({ type: MessageType.BindingRequest, transactionId: classicId, attributes: [{ type: Attr.USERNAME, value: Buffer.from('user') }] });
    const withMi = Buffer.alloc(body.length + 24);
    body.copy(withMi);
    withMi.writeUInt16BE(body.length - 20 + 24, 2);
    const text = Buffer.concat([withMi.subarray(0, body.length), Buffer.alloc(64 - body.length)]);
    withMi.writeUInt16BE(Attr.MESSAGE_INTEGRITY, body.length);
    withMi.writeUInt16BE(20, body.length + 2);
    createHmac('sha1', 'pw').update(text).digest().copy(withMi, body.length + 4);
    const d = decodeStun(withMi);
    assert.ok(d.ok);
    assert.equal(d.message.classic, true);
    assert.equal(d.message.transactionId.length, 16);
    assert.ok(checkIntegrity(d.message, 'pw'));
    assert.ok(!checkIntegrity(d.message, 'other'));
  });

  it('round-trips MAPPED-ADDRESS and XOR-MAPPED-ADDRESS for IPv4 and IPv6, and ERROR-CODE', () => {
    for (const a of [{ address: '203.0.113.7', port: 51000 }, { address: '2001:db8:0:0:0:0:0:1', port: 3478 }]) {
      assert.deepEqual(decodeAddress(encodeAddress(a)), a);
      assert.deepEqual(decodeXorAddress(encodeXorAddress(a, tid), tid), a);
      assert.notDeepEqual(encodeXorAddress(a, tid), encodeAddress(a));
    }
    assert.deepEqual(decodeAddress(encodeAddress({ address: '2001:db8::1', port: 1 })), { address: '2001:db8:0:0:0:0:0:1', port: 1 });
    assert.deepEqual(decodeErrorCode(encodeErrorCode(420, 'Unknown Attribute')), { code: 420, reason: 'Unknown Attribute' });
    assert.equal(decodeAddress(Buffer.from([0, 9, 0, 1, 1, 2, 3, 4])), null, 'unknown family');
  });

  it('says why a datagram is not STUN, and never throws on any input', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.alloc(0), /shorter/],
      [Buffer.from('GET http://127.0.0.1:1?ts=1 HTTP/1.1\r\n\r\n'), /first two bits/],
      [Buffer.concat([Buffer.from([0, 1, 0, 8]), Buffer.alloc(16)]), /length field 8/],
      [Buffer.concat([Buffer.from([0, 1, 0, 2]), Buffer.alloc(18)]), /multiple of 4/],
      [Buffer.concat([Buffer.from([0, 1, 0, 4]), Buffer.alloc(16), Buffer.from([0, 6, 0, 9])]), /runs past the end/],
      [Buffer.alloc(1600), /longer than/],
    ];
    for (const [buf, reason] of cases) {
      const d = decodeStun(buf);
      assert.ok(!d.ok);
      assert.match(d.reason, reason);
    }
    for (let i = 0; i < 2000; i++) {
      const buf = randomBytes(Math.floor(Math.random() * 80));
      if (i % 2 === 0 && buf.length >= 20) {
        buf[0] &= 0x3f;
        buf.writeUInt16BE(buf.length - 20, 2);
      }
      const d = decodeStun(buf);
      if (d.ok) {
        checkIntegrity(d.message, 'k');
        fingerprintOk(d.message);
      }
    }
  });

  it('lists unknown comprehension-required attributes, not comprehension-optional ones', () => {
    const raw = encodeStun({ type: MessageType.BindingRequest, transactionId: tid, attributes: [{ type: 0x7777, value: Buffer.alloc(1) }, { type: 0xc0de, value: Buffer.alloc(0) }] });
    const d = decodeStun(raw);
    assert.ok(d.ok);
    assert.deepEqual(unknownRequired(d.message), [0x7777]);
  });

  it('refuses a transaction id that is neither 12 nor 16 bytes', () => {
    assert.throws(() => encodeStun({ type: MessageType.BindingRequest, transactionId: Buffer.alloc(5), attributes: [] }), /12 bytes/);
  });
});

describe('connection request addresses and order', () => {
  it('knows private, shared and link-local hosts from public ones and names', () => {
    for (const h of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.1.1', '[fd00::1]', 'fe80::1', '::ffff:10.0.0.1']) {
      assert.ok(isPrivateHost(h), h);
    }
    for (const h of ['127.0.0.1', '172.32.0.1', '100.128.0.1', '203.0.113.9', '2001:db8::1', 'cpe.example.net']) assert.ok(!isPrivateHost(h), h);
  });

  it('goes UDP first for a private URL when a UDP address is known; HTTP first otherwise', () => {
    const privateUrl = new URL('http://192.168.1.1:7547/cr');
    const publicUrl = new URL('http://203.0.113.9:7547/cr');
    assert.equal(chooseOrder(privateUrl, true, true), 'udp');
    assert.equal(chooseOrder(privateUrl, true, false), 'http');
    assert.equal(chooseOrder(privateUrl, false, true), 'http');
    assert.equal(chooseOrder(publicUrl, true, true), 'http');
    assert.equal(chooseOrder(null, true, true), 'udp');
    assert.equal(chooseOrder(null, false, true), 'none');
  });

  it('reads UDPConnectionRequestAddress as host:port or [v6]:port, and nothing else', () => {
    assert.deepEqual(parseUdpAddress('198.51.100.4:30005'), { host: '198.51.100.4', port: 30005 });
    assert.deepEqual(parseUdpAddress('[2001:db8::5]:7547'), { host: '2001:db8::5', port: 7547 });
    for (const bad of ['198.51.100.4', 'host:0', 'host:70000', ':1', '', null]) assert.equal(parseUdpAddress(bad), null, String(bad));
  });
});
