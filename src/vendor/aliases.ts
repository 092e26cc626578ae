/**
 * Aliases of a vendor profile: a standard path and the vendor path a device
 * has instead. Provisions are written for the standard path; the engine
 * plans on the vendor one (toVendor) and shows what it finds under the
 * standard name (toStandard). Matching is segment by segment: a `*` of the
 * alias stands for any one segment of the path (an instance number, a `*`,
 * an alias filter `[Key:Value]`), which lands in the other side's `*` of the
 * same rank. An alias names a parameter or an object and everything below it.
 */

export interface Alias {
  from: readonly string[];
  to: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Path segments, dots inside an alias filter ("[SSID:my.net]") kept. */
export function segmentsOf(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '.' && depth === 0) {
      out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  out.push(path.slice(start));
  return out;
}

/** Why a set of aliases is unusable, or null. */
export function checkAliases(aliases: Readonly<Record<string, string>>): string | null {
  for (const [from, to] of Object.entries(aliases)) {
    const problem = checkOne(from, 'standard') ?? checkOne(to, 'vendor');
    if (problem) return problem;
    const [a, b] = [segmentsOf(from), segmentsOf(to)];
    if (stars(a) !== stars(b)) return `${from} and ${to} must hold as many * (instance numbers)`;
    // A vendor path under its own standard path would be rewritten again and again.
    if (prefixMatch(a, b) || prefixMatch(b, a)) return `${from} and ${to} must not lie one under the other`;
  }
  return null;
}

function checkOne(path: string, side: string): string | null {
  if (path === '' || path.endsWith('.')) return `${side} path "${path}": a parameter or object path without the final "."`;
  const bad = segmentsOf(path).find((s) => s !== '*' && !NAME.test(s));
  return bad === undefined ? null : `${side} path "${path}": "${bad}" is neither a name nor *`;
}

function stars(segs: readonly string[]): number {
  return segs.filter((s) => s === '*').length;
}

/** Whether `pattern` (alias side, with *) matches the first segments of `segs`. */
function prefixMatch(pattern: readonly string[], segs: readonly string[]): boolean {
  return pattern.length <= segs.length && pattern.every((p, i) => p === '*' || p === segs[i]);
}

export function compileAliases(aliases: Readonly<Record<string, string>> | undefined): Alias[] {
  return Object.entries(aliases ?? {}).map(([from, to]) => ({ from: segmentsOf(from), to: segmentsOf(to) }));
}

/** The path with the first alias whose `side` matches its start replaced by the other side; the path itself when none does. */
function rewrite(aliases: readonly Alias[], path: string, side: 'from' | 'to'): string {
  if (aliases.length === 0) return path;
  const segs = segmentsOf(path);
  for (const alias of aliases) {
    const [here, there] = side === 'from' ? [alias.from, alias.to] : [alias.to, alias.from];
    if (!prefixMatch(here, segs)) continue;
    const filled = here.map((p, i) => (p === '*' ? segs[i] : null)).filter((x): x is string => x !== null);
    let k = 0;
    const head = there.map((p) => (p === '*' ? filled[k++] : p));
    return [...head, ...segs.slice(here.length)].join('.');
  }
  return path;
}

/** Standard → vendor: what the engine asks the device for. */
export function toVendor(aliases: readonly Alias[], path: string): string {
  return rewrite(aliases, path, 'from');
}

/** Vendor → standard: what the script sees. */
export function toStandard(aliases: readonly Alias[], path: string): string {
  return rewrite(aliases, path, 'to');
}
