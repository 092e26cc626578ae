/**
 * HTTP Basic for GenieACS's clients, which send a username and password:
 * the password is an API token (`acs token create`), the username anything
 * (clients insist on one; the token's name is a good choice). The Basic
 * credentials are made into the Bearer token the REST API's guard checks
 * (auth/guard.ts), so scopes, rates and the audit log are the same. A 401
 * says both schemes in WWW-Authenticate.
 */
import type { Middleware } from 'koa';
import { AcsError } from '../../errors';

const BASIC = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i;
const CHALLENGE = 'Basic realm="acs", charset="UTF-8", Bearer';

/** The API token of Basic credentials: the part after the first ":". */
function tokenOfBasic(encoded: string): string {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const token = colon < 0 ? '' : decoded.slice(colon + 1);
  if (!/^\S+$/.test(token)) throw new AcsError('ACS_ERR_TOKEN', 'HTTP Basic: the password must be an API token (acs token create); the username may be anything');
  return token;
}

export function basicAsBearer(): Middleware {
  return async (ctx, next) => {
    try {
      const basic = BASIC.exec(ctx.get('Authorization'));
      if (basic) ctx.request.headers.authorization = `Bearer ${tokenOfBasic(basic[1])}`;
      await next();
    } catch (err) {
      if ((err as { status?: unknown }).status === 401) ctx.set('WWW-Authenticate', CHALLENGE);
      throw err;
    }
  };
}
