/**
 * The text every match of a regular expression (regex.ts) must contain, so
 * that a search can ask the database for it (a LIKE) before its evaluator
 * runs the expression: `^SN[0-9]+7` needs a value that begins "SN" and holds
 * a "7" after it. What is found is necessary, never sufficient: whatever this
 * cannot read (an alternation, a class, an escape it is unsure of) counts as
 * "any text here", and a pattern it cannot parse at all gives null.
 *
 * A value is matched on its first MAX_SUBJECT characters, so `$` anchors
 * nothing here: `abc$` matches a long value whose 4,096th character ends
 * "abc". Only characters a LIKE compares as themselves on both databases are
 * kept: printable ASCII, and (case kept) other characters of the BMP; control
 * characters and surrogate halves become "any text".
 */
import { prepareRegex } from './regex';

export interface RequiredText {
  /** The text a match begins the value with ('' when it need not begin with anything). */
  prefix: string;
  /** Texts found after the prefix, in this order, with anything between them. */
  inner: string[];
  /** ASCII letters of the texts are lower case and stand for either case (the pattern's (?i)). */
  fold: boolean;
}

/** "Any text here" in a run of tokens. */
const GAP = null;
type Token = string | typeof GAP;

class GiveUp extends Error {}

/** What `source` (a pattern compileRegex accepts) needs of a value; null when nothing is known. */
export function requiredText(source: string): RequiredText | null {
  const prepared = prepareRegex(source);
  if ('ok' in prepared) return null;
  let tokens: Token[];
  try {
    tokens = new Reader(prepared.pattern, prepared.multiline, prepared.fold).read();
  } catch (err) {
    if (err instanceof GiveUp) return null;
    throw err;
  }
  const texts = tokens.filter((t): t is string => t !== GAP);
  const prefix = tokens[0] === GAP ? '' : texts[0];
  const inner = prefix === '' ? texts : texts.slice(1);
  return prefix === '' && inner.length === 0 ? null : { prefix, inner, fold: prepared.fold };
}

/** Appends a token: texts next to each other join, gaps merge. */
function push(out: Token[], t: Token): void {
  const last = out.length > 0 ? out[out.length - 1] : undefined;
  if (t === GAP) {
    if (last !== GAP) out.push(GAP);
  } else if (t !== '') {
    if (typeof last === 'string') out[out.length - 1] = last + t;
    else out.push(t);
  }
}

/** An atom: one character of a known text, a part of unknown text, or a group's tokens. */
type Atom = { text: string } | { unknown: true } | { group: Token[] };

const UNKNOWN: Atom = { unknown: true };
const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

/** A recursive descent over JavaScript's regular expression syntax (without the u flag). */
class Reader {
  private i = 0;

  constructor(
    private readonly p: string,
    private readonly multiline: boolean,
    private readonly fold: boolean,
  ) {}

  read(): Token[] {
    const out: Token[] = [];
    // Without (?m), a leading ^ anchors the match at the value's start.
    if (this.p.startsWith('^') && !this.multiline) this.i = 1;
    else push(out, GAP);
    for (const t of this.alternation()) push(out, t);
    if (this.i !== this.p.length) throw new GiveUp();
    push(out, GAP);
    return out;
  }

  /** Alternatives up to a `)` or the end: one alternative's tokens, or a gap when there are several. */
  private alternation(): Token[] {
    const first = this.sequence();
    if (this.p[this.i] !== '|') return first;
    while (this.p[this.i] === '|') {
      this.i++;
      this.sequence();
    }
    return [GAP];
  }

  private sequence(): Token[] {
    const out: Token[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      const [min, max] = this.quantifier();
      for (const t of repeated(atom, min, max)) push(out, t);
    }
    return out;
  }

  private atom(): Atom {
    const c = this.p[this.i++];
    switch (c) {
      case '^':
      case '$':
      case '.':
        return UNKNOWN;
      case '[':
        return this.charClass();
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
        throw new GiveUp();
      default:
        return this.literal(c);
    }
  }

  private literal(c: string): Atom {
    const code = c.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) return { text: c };
    // Folded subjects keep other characters' case, and a case-blind LIKE (or LOWER) would not.
    if (code >= 0xa0 && (code < 0xd800 || code > 0xdfff) && !this.fold) return { text: c };
    return UNKNOWN;
  }

  /** A class: one character when it holds one (`[.]`, `[\\-]`, a common way to write a literal), else unknown. */
  private charClass(): Atom {
    const start = this.i;
    while (this.i < this.p.length && this.p[this.i] !== ']') this.i += this.p[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.p.length) throw new GiveUp();
    const body = this.p.slice(start, this.i++);
    if (/^[^\\^]$/.test(body)) return this.literal(body);
    if (/^\\[^0-9A-Za-z]$/.test(body)) return this.literal(body[1]);
    return UNKNOWN;
  }

  private group(): Atom {
    if (this.p[this.i] === '?') {
      const named = /^\?<[A-Za-z_$][\w$]*>/.exec(this.p.slice(this.i));
      if (this.p[this.i + 1] === ':') this.i += 2;
      else if (named) this.i += named[0].length;
      else throw new GiveUp();
    }
    const inner = this.alternation();
    if (this.p[this.i] !== ')') throw new GiveUp();
    this.i++;
    return { group: inner };
  }

  private escape(): Atom {
    const c = this.p[this.i++];
    if (c === undefined) throw new GiveUp();
    if ('dDwWsSbBtnrvf'.includes(c)) return UNKNOWN;
    if (c === '0' && !/[0-9]/.test(this.p[this.i] ?? '')) return UNKNOWN;
    const hex = c === 'x' ? /^[0-9A-Fa-f]{2}/.exec(this.p.slice(this.i)) : c === 'u' ? /^[0-9A-Fa-f]{4}/.exec(this.p.slice(this.i)) : null;
    if (hex) {
      this.i += hex[0].length;
      return this.literal(String.fromCharCode(parseInt(hex[0], 16)));
    }
    // Back-references, \c, \k, \x or \u without their digits, and letters whose meaning varies.
    if (/[0-9A-Za-z]/.test(c)) throw new GiveUp();
    return this.literal(c);
  }

  /** The quantifier after an atom, as [min, max] (max Infinity: unbounded); [1, 1] when there is none. */
  private quantifier(): [number, number] {
    const c = this.p[this.i];
    let range: [number, number] = [1, 1];
    if (c === '*') range = [0, Infinity];
    else if (c === '+') range = [1, Infinity];
    else if (c === '?') range = [0, 1];
    else if (c === '{') {
      const m = QUANTIFIER.exec(this.p.slice(this.i));
      if (!m) throw new GiveUp();
      const min = Number(m[1]);
      range = [min, m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])];
      this.i += m[0].length - 1;
    } else return range;
    this.i++;
    if (this.p[this.i] === '?') this.i++;
    return range;
  }
}

/** The tokens of `atom` repeated min to max times: what the first repetitions need, then a gap if more may follow. */
function repeated(atom: Atom, min: number, max: number): Token[] {
  if (min === 0 || 'unknown' in atom) return [GAP];
  if ('text' in atom) return [atom.text.repeat(Math.min(min, 64)), min === max && min <= 64 ? '' : GAP];
  // A group's tokens once: later repetitions may differ from the first.
  return min === 1 && max === 1 ? atom.group : [...atom.group, GAP];
}
