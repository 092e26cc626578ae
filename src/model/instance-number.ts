/**
 * Instance numbers (TR-069 A.3.2.6, TR-106 3.6.1): an unsignedInt from 1,
 * written without sign or leading zero. A path segment of digits can only be
 * one (object names start with a letter), so "0" or "007" there is an error,
 * while "funcObj" is an object name, never an instance.
 */
const INSTANCE_NUMBER = /^[1-9]\d{0,9}$/;
const DIGITS = /^\d+$/;

export function isInstanceNumber(segment: string): boolean {
  return INSTANCE_NUMBER.test(segment) && Number(segment) <= 4294967295;
}

/** The first segment of `path` written in digits that is no instance number ("0", "007"), if any. */
export function badInstanceSegment(path: string): string | undefined {
  return path.split('.').find((s) => DIGITS.test(s) && !isInstanceNumber(s));
}
