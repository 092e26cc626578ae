/**
 * Path patterns of the script API:
 *
 *   Device.WiFi.SSID.1.SSID                  a concrete path
 *   Device.WiFi.SSID.*.SSID                  `*` matches any one segment
 *   Device.WiFi.SSID.[SSID:Guest].Enable     an alias filter: the instances whose
 *   Device.IP.Interface.[Name:wan,Enable:true]   leaves equal the given values (all of them)
 *   Device.X.[Stats.Mode:auto]               a filter key may be a relative path
 *
 * A trailing "." is ignored (objects are named without it). Inside a filter,
 * "," separates conditions and the first ":" separates key from value; there
 * is no escaping, so values cannot contain "," or "]".
 */
export class PathSyntaxError extends Error {
  readonly code = 'ACS_SANDBOX_PATH';
}

export interface AliasFilter {
  /** Relative path of the leaf under the instance, split into segments. */
  key: string[];
  /** Expected value, compared as the leaf's type says (see values.ts). */
  value: string;
}

export type PathSegment =
  | { kind: 'name'; name: string }
  | { kind: 'any' }
  | { kind: 'alias'; filters: AliasFilter[] };

/** Patterns parsed lately: scripts declare and read the same paths step after step (a step plans each several times). */
const parsed = new Map<string, readonly PathSegment[]>();
const MAX_PARSED = 10_000;

/** The pattern's segments; frozen, shared by every caller that parses the same pattern. */
export function parsePattern(pattern: string): PathSegment[] {
  const known = parsed.get(pattern);
  // Frozen at run time (a caller that wrote into them would throw); the type stays the one every caller takes.
  if (known !== undefined) return known as PathSegment[];
  const segments = parseSegments(pattern);
  for (const s of segments) {
    if (s.kind === 'alias') for (const f of s.filters) Object.freeze(Object.freeze(f).key);
    Object.freeze(s.kind === 'alias' ? Object.freeze(s).filters : s);
  }
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(pattern, Object.freeze(segments));
  return segments;
}

function parseSegments(pattern: string): PathSegment[] {
  if (typeof pattern !== 'string' || pattern === '') throw new PathSyntaxError('path must be a non-empty string');
  const text = pattern.endsWith('.') ? pattern.slice(0, -1) : pattern;
  const segments: PathSegment[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) throw new PathSyntaxError(`unclosed "[" in path "${pattern}"`);
      segments.push({ kind: 'alias', filters: parseFilters(text.slice(i + 1, close), pattern) });
      i = close + 1;
      if (i < text.length && text[i] !== '.') throw new PathSyntaxError(`"]" must end a segment in path "${pattern}"`);
    } else {
      const dot = text.indexOf('.', i);
      const end = dot < 0 ? text.length : dot;
      segments.push(nameSegment(text.slice(i, end), pattern));
      i = end;
    }
    i++; // past the "."
  }
  return segments;
}

function nameSegment(name: string, pattern: string): PathSegment {
  if (name === '') throw new PathSyntaxError(`empty segment in path "${pattern}"`);
  if (name === '*') return { kind: 'any' };
  if (/[*[\]]/.test(name)) throw new PathSyntaxError(`"${name}": "*" and "[...]" must be whole segments in path "${pattern}"`);
  return { kind: 'name', name };
}

function parseFilters(body: string, pattern: string): AliasFilter[] {
  return body.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new PathSyntaxError(`alias filter "${part}" is not Key:Value in path "${pattern}"`);
    const key = part.slice(0, colon).split('.');
    if (key.some((k) => k === '' || k === '*')) throw new PathSyntaxError(`bad alias key "${part.slice(0, colon)}" in path "${pattern}"`);
    return { key, value: part.slice(colon + 1) };
  });
}

/** The pattern names one path (no wildcard, no filter). */
export function isConcrete(segments: readonly PathSegment[]): boolean {
  return segments.every((s) => s.kind === 'name');
}
