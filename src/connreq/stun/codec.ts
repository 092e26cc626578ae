/**
 * STUN messages (RFC 5389, and the classic RFC 3489 form TR-111 CPEs often
 * speak) with TR-111 Part 2's two attributes. Used by the ACS's STUN server
 * and by the simulator's STUN client, so both sides read the wire alike.
 *
 * Why not an npm STUN library: the maintained one (@msimerson/stun) checks
 * MESSAGE-INTEGRITY by re-encoding the decoded message, and it drops
 * attributes it does not know when encoding; TR-111's
 * CONNECTION-REQUEST-BINDING (0xC001) and BINDING-CHANGE (0xC002) are such
 * attributes, so every TR-111 request's integrity check would be computed over
 * the wrong bytes, and it cannot build them either. The codec is small:
 * a 20-byte header and type-length-value attributes. Integrity here is always
 * computed over the bytes as received.
 *
 * Decoding never throws: a datagram is a message or a one-line reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { crc32 } from 'node:zlib';

export const MAGIC_COOKIE = 0x2112a442;
const FINGERPRINT_XOR = 0x5354554e;
const HEADER = 20;
/** Larger datagrams are not STUN we answer (a Binding Request is a few dozen bytes). */
export const MAX_STUN_BYTES = 1500;

export const MessageType = {
  BindingRequest: 0x0001,
  BindingIndication: 0x0011,
  BindingSuccess: 0x0101,
  BindingError: 0x0111,
} as const;

export const Attr = {
  MAPPED_ADDRESS: 0x0001,
  RESPONSE_ADDRESS: 0x0002,
  CHANGE_REQUEST: 0x0003,
  SOURCE_ADDRESS: 0x0004,
  CHANGED_ADDRESS: 0x0005,
  USERNAME: 0x0006,
  PASSWORD: 0x0007,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  REFLECTED_FROM: 0x000b,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_MAPPED_ADDRESS: 0x0020,
  SOFTWARE: 0x8022,
  FINGERPRINT: 0x8028,
  /** TR-111 Part 2: marks a Binding Request sent from the UDP connection-request port. */
  CONNECTION_REQUEST_BINDING: 0xc001,
  /** TR-111 Part 2: empty; the CPE's mapped address changed since its last Binding Request. */
  BINDING_CHANGE: 0xc002,
} as const;

/** The value of CONNECTION-REQUEST-BINDING: 20 bytes, the trailing space included. */
export const TR111_BINDING_VALUE = Buffer.from('dslforum.org/TR-111 ', 'latin1');

export interface StunAttribute {
  type: number;
  value: Buffer;
  /** Where the attribute's own header starts in `raw` (integrity is computed over what precedes it). */
  offset: number;
}

export interface StunMessage {
  type: number;
  /** RFC 3489 form: no magic cookie, a 16-byte transaction id. */
  classic: boolean;
  /** 12 bytes (RFC 5389) or 16 (classic). */
  transactionId: Buffer;
  attributes: StunAttribute[];
  raw: Buffer;
}

export type StunDecodeResult = { ok: true; message: StunMessage } | { ok: false; reason: string };

export interface StunAddress {
  address: string;
  port: number;
}

export function isStunRequest(m: StunMessage): boolean {
  return m.type === MessageType.BindingRequest;
}

/** Reads a datagram; RFC 5389 §7.3: anything that is not well-formed STUN is discarded, never answered. */
export function decodeStun(buf: Buffer): StunDecodeResult {
  if (buf.length < HEADER) return { ok: false, reason: 'shorter than a STUN header' };
  if (buf.length > MAX_STUN_BYTES) return { ok: false, reason: `longer than ${MAX_STUN_BYTES} bytes` };
  if ((buf[0] & 0xc0) !== 0) return { ok: false, reason: 'first two bits are not zero' };
  const length = buf.readUInt16BE(2);
  if (length !== buf.length - HEADER) return { ok: false, reason: `length field ${length} is not the ${buf.length - HEADER} bytes that follow the header` };
  if (length % 4 !== 0) return { ok: false, reason: 'length is not a multiple of 4' };
  const classic = buf.readUInt32BE(4) !== MAGIC_COOKIE;
  const attributes = readAttributes(buf);
  if (typeof attributes === 'string') return { ok: false, reason: attributes };
  const transactionId = Buffer.from(buf.subarray(classic ? 4 : 8, HEADER));
  return { ok: true, message: { type: buf.readUInt16BE(0), classic, transactionId, attributes, raw: buf } };
}

function readAttributes(buf: Buffer): StunAttribute[] | string {
  const out: StunAttribute[] = [];
  for (let at = HEADER; at < buf.length; ) {
    if (at + 4 > buf.length) return 'truncated attribute header';
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    if (at + 4 + len > buf.length) return `attribute 0x${type.toString(16)} runs past the end`;
    out.push({ type, value: Buffer.from(buf.subarray(at + 4, at + 4 + len)), offset: at });
    at += 4 + pad4(len);
  }
  return out;
}

const pad4 = (n: number): number => (n + 3) & ~3;

export function attribute(m: StunMessage, type: number): StunAttribute | undefined {
  return m.attributes.find((a) => a.type === type);
}

export function hasAttribute(m: StunMessage, type: number): boolean {
  return m.attributes.some((a) => a.type === type);
}

/** Comprehension-required attributes (0x0000-0x7FFF) this codec does not know: RFC 5389 §7.3.1 answers them with 420. */
export function unknownRequired(m: StunMessage): number[] {
  const known = new Set<number>(Object.values(Attr));
  return m.attributes.filter((a) => a.type < 0x8000 && !known.has(a.type)).map((a) => a.type);
}

/** An attribute to encode: its type and unpadded value. */
export interface AttributeInput {
  type: number;
  value: Buffer;
}

export interface StunEncodeInput {
  type: number;
  /** 12 bytes: RFC 5389 with the magic cookie; 16 bytes: the classic RFC 3489 form. */
  transactionId: Buffer;
  attributes: AttributeInput[];
  /** Appends MESSAGE-INTEGRITY keyed with this (short-term credential: the password). */
  integrityKey?: string;
  /** Appends FINGERPRINT (RFC 5389 only: a classic peer would not know it). */
  fingerprint?: boolean;
}

export function encodeStun(input: StunEncodeInput): Buffer {
  const classic = input.transactionId.length === 16;
  if (!classic && input.transactionId.length !== 12) throw new Error('a STUN transaction id is 12 bytes (or 16, RFC 3489)');
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(input.type, 0);
  if (classic) input.transactionId.copy(header, 4);
  else {
    header.writeUInt32BE(MAGIC_COOKIE, 4);
    input.transactionId.copy(header, 8);
  }
  let body = Buffer.concat(input.attributes.map((a) => tlv(a.type, a.value)));
  if (input.integrityKey !== undefined) {
    header.writeUInt16BE(body.length + 24, 2);
    const mac = hmac(input.integrityKey, Buffer.concat([header, body]));
    body = Buffer.concat([body, tlv(Attr.MESSAGE_INTEGRITY, mac)]);
  }
  if (input.fingerprint && !classic) {
    header.writeUInt16BE(body.length + 8, 2);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE((crc32(Buffer.concat([header, body])) ^ FINGERPRINT_XOR) >>> 0, 0);
    body = Buffer.concat([body, tlv(Attr.FINGERPRINT, crc)]);
  }
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function tlv(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + pad4(value.length));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function hmac(key: string, data: Buffer): Buffer {
  return createHmac('sha1', Buffer.from(key, 'utf8')).update(data).digest();
}

/**
 * Checks MESSAGE-INTEGRITY against `key` over the bytes as received. Lenient
 * about the two ways peers compute it: RFC 5389 (length field counting up to
 * the end of MESSAGE-INTEGRITY) and RFC 3489 (the length as sent, the text
 * zero-padded to a multiple of 64 bytes), as TR-111-era CPEs do. False when
 * the message has none.
 */
export function checkIntegrity(m: StunMessage, key: string): boolean {
  const mi = attribute(m, Attr.MESSAGE_INTEGRITY);
  if (!mi || mi.value.length !== 20) return false;
  const before = Buffer.from(m.raw.subarray(0, mi.offset));
  const candidates: Buffer[] = [];
  const adjusted = Buffer.from(before);
  adjusted.writeUInt16BE(mi.offset - HEADER + 24, 2);
  candidates.push(adjusted, before, Buffer.concat([before, Buffer.alloc(pad64(before.length) - before.length)]));
  return candidates.some((text) => timingSafeEqual(hmac(key, text), mi.value));
}

const pad64 = (n: number): number => Math.ceil(n / 64) * 64;

/** FINGERPRINT, when present, must match (RFC 5389 §15.5); true when absent. */
export function fingerprintOk(m: StunMessage): boolean {
  const fp = attribute(m, Attr.FINGERPRINT);
  if (!fp) return true;
  if (fp.value.length !== 4) return false;
  const before = Buffer.from(m.raw.subarray(0, fp.offset));
  before.writeUInt16BE(fp.offset - HEADER + 8, 2);
  return ((crc32(before) ^ FINGERPRINT_XOR) >>> 0) === fp.value.readUInt32BE(0);
}

/** MAPPED-ADDRESS value (RFC 3489/5389 §15.1). */
export function encodeAddress(a: StunAddress): Buffer {
  const ip = ipBytes(a.address);
  const out = Buffer.alloc(4 + ip.length);
  out[1] = ip.length === 4 ? 1 : 2;
  out.writeUInt16BE(a.port, 2);
  ip.copy(out, 4);
  return out;
}

/** XOR-MAPPED-ADDRESS value (RFC 5389 §15.2): port and address XORed with the cookie (and the transaction id for IPv6). */
export function encodeXorAddress(a: StunAddress, transactionId: Buffer): Buffer {
  const out = encodeAddress(a);
  out.writeUInt16BE(a.port ^ (MAGIC_COOKIE >>> 16), 2);
  xorInPlace(out, transactionId);
  return out;
}

export function decodeAddress(value: Buffer): StunAddress | null {
  if (value.length < 8) return null;
  const family = value[1];
  if ((family === 1 && value.length !== 8) || (family === 2 && value.length !== 20) || (family !== 1 && family !== 2)) return null;
  return { address: ipText(value.subarray(4)), port: value.readUInt16BE(2) };
}

export function decodeXorAddress(value: Buffer, transactionId: Buffer): StunAddress | null {
  if (value.length < 8) return null;
  const copy = Buffer.from(value);
  copy.writeUInt16BE(copy.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16), 2);
  xorInPlace(copy, transactionId);
  return decodeAddress(copy);
}

function xorInPlace(value: Buffer, transactionId: Buffer): void {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4, 0, 12);
  for (let i = 4; i < value.length; i++) value[i] ^= mask[i - 4];
}

/** ERROR-CODE value (RFC 5389 §15.6): class and number, then a UTF-8 reason. */
export function encodeErrorCode(code: number, reason: string): Buffer {
  const head = Buffer.from([0, 0, Math.floor(code / 100) & 0x07, code % 100]);
  return Buffer.concat([head, Buffer.from(reason, 'utf8')]);
}

export function decodeErrorCode(value: Buffer): { code: number; reason: string } | null {
  if (value.length < 4) return null;
  return { code: (value[2] & 0x07) * 100 + value[3], reason: value.subarray(4).toString('utf8') };
}

function ipBytes(address: string): Buffer {
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(v4)) return Buffer.from(v4.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  const [head, tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes('::') ? [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
