/** The session cookie's name. */
export const SESSION_COOKIE = 'session';

/**
 * Reads one cookie, tolerating RFC 2965 style headers that old CPEs send back
 * (`$Version="0"; session="abc"; $Path=/`), comma separators and quotes.
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return null;
}

export function sessionCookie(sid: string): string {
  return `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly`;
}
