/**
 * Who may post a bulk data report for a device: the URL the ACS configured
 * on it (`<FS_URL>/bulkdata/<profile>?d=<device>&s=<signature>`), or, for a
 * CPE that cannot keep a query string, its own credentials in the profile's
 * HTTP.Username/Password (the device key and a password derived from it),
 * answered to a Basic or Digest challenge. Both are HMACs under a key every
 * ACS process shares (acs_secrets "bulkdata-urls"): nothing per device is
 * stored, and any file server checks what any worker signed. The URL does
 * not expire: it stays in the device's configuration.
 */
import { createHmac } from 'node:crypto';
import { Authenticator, claimedUsername, safeEqual } from '../../cwmp/http/auth';
import { deploymentSecret } from '../../db/secrets';
import type { SqlAccess } from '../../db/types';

const SECRET_NAME = 'bulkdata-urls';
const REALM = 'acs-bulkdata';

export type ReportAccess = { ok: true; device: string } | { ok: false; reason: string; challenges: string[] };

export class BulkDataAccess {
  private constructor(private readonly key: Buffer, private readonly auth: Authenticator) {}

  static async open(sql: SqlAccess): Promise<BulkDataAccess> {
    const key = await deploymentSecret(sql, SECRET_NAME, 'bulk data URL signing key');
    return new BulkDataAccess(key, new Authenticator(REALM, key));
  }

  /** Where `device` posts its reports of `profile`, and the credentials it may use instead of the query string. */
  target(urlBase: string, profile: string, device: string): { url: string; username: string; password: string } {
    const url = `${urlBase}/bulkdata/${encodeURIComponent(profile)}?d=${encodeURIComponent(device)}&s=${this.sign(`url\n${profile}\n${device}`)}`;
    return { url, username: device, password: this.passwordOf(device) };
  }

  check(req: { profile: string; query: Record<string, string | string[] | undefined>; authorization?: string; method: string; uri: string }): ReportAccess {
    const { d, s } = req.query;
    if (typeof d === 'string' && typeof s === 'string') {
      if (safeEqual(s, this.sign(`url\n${req.profile}\n${d}`))) return { ok: true, device: d };
      return this.denied('URL signature does not match (device or profile changed?)');
    }
    const username = claimedUsername(req.authorization);
    if (username === null) return this.denied(req.authorization ? 'unreadable Authorization header' : 'no signed URL and no credentials');
    const outcome = this.auth.verify(req.authorization, 'basic', { username, password: this.passwordOf(username) }, req.method, req.uri);
    return outcome.ok ? { ok: true, device: username } : this.denied(outcome.reason);
  }

  private passwordOf(device: string): string {
    return this.sign(`password\n${device}`);
  }

  private denied(reason: string): ReportAccess {
    return { ok: false, reason, challenges: [this.auth.challenge('digest'), this.auth.challenge('basic')] };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}
