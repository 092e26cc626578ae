/**
 * Parameter path helpers. Object paths end in "."; parameter paths do not.
 */

const DIGITS = /^\d+$/;

/** "3" -> true: a path segment that is an instance number. */
export function isInstanceSegment(segment: string): boolean {
  return DIGITS.test(segment);
}

/** The last segment of a path: "A.B.C" -> "C", "A.B.3." -> "3". */
export function lastSegment(path: string): string {
  const end = path.endsWith('.') ? path.length - 1 : path.length;
  return path.slice(path.lastIndexOf('.', end - 1) + 1, end);
}

/** The path of the object holding a node: "A.B.C" -> "A.B.", "A.B." -> "A.", "A." -> "". */
export function parentPath(path: string): string {
  const end = path.endsWith('.') ? path.length - 1 : path.length;
  return path.slice(0, path.lastIndexOf('.', end - 1) + 1);
}

/** Instance numbers replaced by "{i}": "Device.WiFi.SSID.2.Name" -> "Device.WiFi.SSID.{i}.Name". */
export function genericPath(path: string): string {
  return path.replace(/\.\d+(?=\.|$)/g, '.{i}');
}

/** Number of "{i}" (or instance numbers) in a path: the table nesting depth. */
export function instanceDepth(path: string): number {
  let n = 0;
  for (const seg of path.split('.')) if (seg === '{i}' || DIGITS.test(seg)) n++;
  return n;
}

/** Compares sibling segments: instance numbers numerically, before names; names keep their order (returns 0). */
export function compareInstances(a: string, b: string): number {
  const an = DIGITS.test(a);
  const bn = DIGITS.test(b);
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return 0;
}
