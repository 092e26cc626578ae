/**
 * The cookies of one CWMP session, as a CPE keeps them: every cookie the ACS
 * sets is returned on every later POST of the session, and forgotten when the
 * session ends (TR-069 §3.4.1: the CPE MUST support cookies for the session;
 * we model a CPE that keeps none across sessions). Domain and Path are
 * ignored: a CPE talks to one URL. A cookie set with Max-Age <= 0 or an
 * Expires in the past is removed.
 */

export type CookieStyle = 'plain' | 'rfc2965';

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  get size(): number {
    return this.cookies.size;
  }

  clear(): void {
    this.cookies.clear();
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Takes the Set-Cookie headers of one response. */
  store(setCookie: readonly string[] | undefined, now = Date.now()): void {
    for (const header of setCookie ?? []) this.storeOne(header, now);
  }

  private storeOne(header: string, now: number): void {
    const [pair, ...attrs] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    if (!name || name.startsWith('$')) return;
    const value = pair.slice(eq + 1).trim();
    if (expired(attrs, now)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /**
   * The Cookie header, or undefined when the jar is empty. `rfc2965` writes
   * it as old Thomson firmware does: `$Version="0"; name=value; $Path=/`.
   */
  header(style: CookieStyle = 'plain'): string | undefined {
    if (this.cookies.size === 0) return undefined;
    const parts: string[] = [];
    for (const [name, value] of this.cookies) {
      parts.push(style === 'rfc2965' ? `${name}=${value}; $Path=/` : `${name}=${value}`);
    }
    return style === 'rfc2965' ? `$Version="0"; ${parts.join('; ')}` : parts.join('; ');
  }
}

function expired(attrs: readonly string[], now: number): boolean {
  for (const attr of attrs) {
    const eq = attr.indexOf('=');
    const key = (eq < 0 ? attr : attr.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : attr.slice(eq + 1).trim();
    // RFC 6265 §5.3: Max-Age wins over Expires.
    if (key === 'max-age' && /^-?\d+$/.test(value)) return Number(value) <= 0;
    if (key === 'expires') {
      const at = Date.parse(value);
      if (!Number.isNaN(at) && at <= now) return true;
    }
  }
  return false;
}
