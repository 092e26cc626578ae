/**
 * Declarative codecs: a CWMP struct or RPC is described once, as an ordered
 * map from element name to a field codec, and that one description both
 * decodes (lenient, with a precise path in every error) and encodes (in XSD
 * sequence order, which is the order of the spec object's keys).
 */
import { childNamed, childrenNamed, type XmlElement } from './xml-tree';
import { parseBoolean, parseInteger, quoted, stripLayout } from './values';
import { arrayElement, textElement } from './xml';

/** Thrown inside decoding only; decode() turns it into { kind: 'invalid-arguments' }. */
export class InvalidArguments extends Error {
  readonly code = 'ACS_ERR_SOAP_INVALID_ARGUMENTS';
}

/** Where decoding is, for error messages such as "Inform: DeviceId.OUI missing". */
export class Ctx {
  constructor(
    readonly method: string,
    readonly warnings: string[],
    private readonly parent?: Ctx,
    private readonly segment: string | number = '',
  ) {}

  /** A field name, or an array index (formatted lazily: only errors and warnings need the path). */
  at(segment: string | number): Ctx {
    return new Ctx(this.method, this.warnings, this, segment);
  }

  path(): string {
    const up = this.parent?.path() ?? '';
    if (typeof this.segment === 'number') return `${up}[${this.segment}]`;
    return up && this.segment ? `${up}.${this.segment}` : up + this.segment;
  }

  private where(): string {
    const p = this.path();
    return p ? `${this.method}: ${p}` : `${this.method}:`;
  }

  fail(problem: string): never {
    throw new InvalidArguments(`${this.where()} ${problem}`);
  }

  warn(problem: string): void {
    this.warnings.push(`${this.where()} ${problem}`);
  }
}

/** Reads/writes one element whose name the caller knows. */
export interface ElementCodec<T> {
  readonly readEl: (el: XmlElement, ctx: Ctx) => T;
  readonly writeEl: (name: string, value: T) => string;
}

/** Finds its element(s) among a parent's children: required, optional, repeated... */
export interface FieldCodec<T> {
  readonly read: (parent: XmlElement, name: string, ctx: Ctx) => T;
  readonly write: (name: string, value: T) => string;
}

type SpecEntry<T> = ElementCodec<T> | FieldCodec<T>;
/** One codec per field of T, in XSD sequence order. */
export type Spec<T> = { readonly [K in keyof T]-?: SpecEntry<T[K]> };

// ------------------------------------------------------------ field shapes

export function required<T>(codec: ElementCodec<T>): FieldCodec<T> {
  return {
    read: (parent, name, ctx) => {
      const el = childNamed(parent, name);
      return el ? codec.readEl(el, ctx.at(name)) : ctx.at(name).fail('missing');
    },
    write: codec.writeEl,
  };
}

/** XSD minOccurs="0" mapped to an optional TS property. */
export function optional<T>(codec: ElementCodec<T>): FieldCodec<T | undefined> {
  return {
    read: (parent, name, ctx) => {
      const el = childNamed(parent, name);
      return el ? codec.readEl(el, ctx.at(name)) : undefined;
    },
    write: (name, value) => (value === undefined ? '' : codec.writeEl(name, value)),
  };
}

/** XSD minOccurs="0" mapped to a required TS property (e.g. ChangeDUState CommandKey -> ''). */
export function withDefault<T>(codec: ElementCodec<T>, fallback: T): FieldCodec<T> {
  const opt = optional(codec);
  return { read: (parent, name, ctx) => opt.read(parent, name, ctx) ?? fallback, write: codec.writeEl };
}

/**
 * A repeated element (maxOccurs > 1 without a SOAP array wrapper, e.g.
 * ChangeDUState Operations). A member written as a SOAP array by a confused
 * peer (it carries soap-enc:arrayType) is flattened.
 */
export function repeated<T>(codec: ElementCodec<T>, min = 0): FieldCodec<T[]> {
  return {
    read: (parent, name, ctx) => {
      const els = childrenNamed(parent, name).flatMap((el) => (hasArrayType(el) ? el.children : [el]));
      if (els.length < min) ctx.at(name).fail('missing');
      return els.map((el, i) => codec.readEl(el, ctx.at(name).at(i)));
    },
    write: (name, values) => values.map((v) => codec.writeEl(name, v)).join(''),
  };
}

function hasArrayType(el: XmlElement): boolean {
  for (const name in el.attrs) if (name === 'arrayType' || name.endsWith(':arrayType')) return true;
  return false;
}

function asField<T>(entry: SpecEntry<T>): FieldCodec<T> {
  return 'readEl' in entry ? required(entry) : entry;
}

// ---------------------------------------------------------- compound codecs

/** The children of one element, described by a spec (no wrapper tags). */
export interface FieldsCodec<T> {
  readonly read: (el: XmlElement, ctx: Ctx) => T;
  readonly write: (value: T) => string;
}

export function fields<T>(spec: Spec<T>): FieldsCodec<T> {
  const entries = Object.entries(spec).map(([k, e]) => [k, asField(e as SpecEntry<unknown>)] as const);
  return {
    read: (el, ctx) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of entries) {
        const v = f.read(el, k, ctx);
        if (v !== undefined) out[k] = v;
      }
      return out as T;
    },
    write: (value) => {
      let xml = '';
      for (const [k, f] of entries) xml += f.write(k, (value as Record<string, unknown>)[k]);
      return xml;
    },
  };
}

export function struct<T>(spec: Spec<T>): ElementCodec<T> {
  const f = fields(spec);
  return { readEl: f.read, writeEl: (name, value) => `<${name}>${f.write(value)}</${name}>` };
}

/**
 * A SOAP-encoded array. Every element child is a member, whatever its name;
 * the arrayType size is ignored on input (CPEs pad or miscount it) and
 * written exactly on output.
 */
export function array<T>(memberName: string, memberType: string, codec: ElementCodec<T>): ElementCodec<T[]> {
  return {
    readEl: (el, ctx) => el.children.map((c, i) => codec.readEl(c, ctx.at(i))),
    writeEl: (name, values) => {
      let members = '';
      for (const v of values) members += codec.writeEl(memberName, v);
      return arrayElement(name, memberType, values.length, members);
    },
  };
}

// ------------------------------------------------------------------ scalars

function scalar<T>(parse: (text: string, ctx: Ctx) => T, format: (value: T) => string): ElementCodec<T> {
  return {
    readEl: (el, ctx) => parse(el.text, ctx),
    writeEl: (name, value) => textElement(name, format(value)),
  };
}

/** Free text (xsd:string): keeps inner and meaningful edge spaces. */
export const str = scalar<string>(stripLayout, String);

/** Free text of at most `max` characters (xsd:string with a length limit). */
export function strUpTo(max: number): ElementCodec<string> {
  return scalar<string>((text, ctx) => {
    const s = stripLayout(text);
    return s.length <= max ? s : ctx.fail(`is longer than ${max} characters (${s.length})`);
  }, String);
}

/** Identifiers: parameter paths, OUI, event codes, URLs, dates... trimmed. */
export const trimmed = scalar<string>((t) => t.trim(), String);

function integerIn(min: number, max: number, what: string): ElementCodec<number> {
  return scalar<number>((text, ctx) => {
    const n = parseInteger(text);
    if (n === undefined) return ctx.fail(`is not a number (${quoted(text)})`);
    return n >= min && n <= max ? n : ctx.fail(`must be ${what} (${quoted(text)})`);
  }, (n) => String(Math.trunc(n)));
}

export const int = integerIn(-2147483648, 2147483647, 'an int');
export const uint = integerIn(0, 4294967295, 'an unsignedInt');
/** An instance number (TR-069 A.3.2.6: unsignedInt >= 1); anything else names no instance. */
export const instanceNumber = integerIn(1, 4294967295, 'an instance number (an integer from 1)');
export const status = integerIn(0, 1, '0 or 1') as ElementCodec<0 | 1>;

/**
 * xsd:boolean: 0/1/true/false. Another integer reads C-style (non-zero is
 * true) with a warning: a Cisco femtocell sends <Writable>30</Writable>.
 */
export const bool = scalar<boolean>((text, ctx) => {
  const b = parseBoolean(text);
  if (b !== undefined) return b;
  const n = parseInteger(text);
  if (n === undefined) return ctx.fail(`is not a boolean (${quoted(text)})`);
  ctx.warn(`is not a boolean (${quoted(text)}), read as ${n !== 0}`);
  return n !== 0;
}, String);
