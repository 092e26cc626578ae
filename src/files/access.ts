/**
 * Who may download a stored file from the file server. With FS_ACCESS=device
 * (the default) a CPE gets a file only through what the ACS gave it in a
 * Download or ScheduleDownload RPC:
 * - a signed URL, `<FS_URL>/<name>?d=<device>&e=<expiry>&s=<signature>`,
 *   good for that file, that device and FS_URL_TTL_MS;
 * - and, for CPEs that drop a URL's query string, credentials of its own in
 *   the RPC's Username/Password (when the task gave none): the device key as
 *   username and a password derived from it, answered to the file server's
 *   Basic or Digest challenge.
 * Both are HMACs under one key every ACS process shares (acs_secrets, made
 * on first use; FS_URL_SECRET overrides it), so any front end checks what
 * another signed, and nothing per URL is stored. FS_ACCESS=open serves any
 * file to anyone who knows its name, as GenieACS does.
 */
import { createHmac } from 'node:crypto';
import type { CpeRequest } from '../cwmp/soap/types';
import { Authenticator, claimedUsername, safeEqual } from '../cwmp/http/auth';
import { deploymentSecret } from '../db/secrets';
import type { SqlAccess } from '../db/types';

export type FileAccessMode = 'device' | 'open';

export interface AccessOptions {
  mode: FileAccessMode;
  /** Base of file URLs (FS_URL), without a trailing "/". */
  urlBase: string;
  urlTtlMs: number;
  /** FS_URL_SECRET; empty: the deployment's generated key. */
  secret: string;
}

/** What a file request carries that may grant it. */
export interface FileRequest {
  name: string;
  query: Record<string, string | string[] | undefined>;
  authorization: string | undefined;
  method: string;
  /** The request target, which a Digest answer must name. */
  uri: string;
}

export type AccessOutcome = { ok: true; device?: string } | { ok: false; reason: string; challenges: string[] };

const REALM = 'acs-files';
const SECRET_NAME = 'file-urls';

export class FileAccess {
  private key: Buffer | null = null;
  private auth: Authenticator | null = null;

  constructor(private readonly sql: SqlAccess, readonly options: AccessOptions) {}

  /** Loads (or, first of the deployment, makes) the signing key; grant() and check() need it. */
  async init(): Promise<void> {
    if (this.key) return;
    this.key = this.options.secret !== '' ? Buffer.from(this.options.secret) : await deploymentSecret(this.sql, SECRET_NAME, 'file URL signing key');
    this.auth = new Authenticator(REALM, this.key);
  }

  /** The request as the CPE `device` gets it: a Download of one of our files signed for it. */
  grant(request: CpeRequest, device: string, now = Date.now()): CpeRequest {
    if (this.options.mode === 'open' || (request.method !== 'Download' && request.method !== 'ScheduleDownload')) return request;
    const name = this.nameOf(request.URL);
    if (name === null) return request;
    const expires = Math.ceil((now + this.options.urlTtlMs) / 1000).toString(36);
    const url = `${request.URL}?d=${encodeURIComponent(device)}&e=${expires}&s=${this.sign(`url\n${name}\n${device}\n${expires}`)}`;
    const own = request.Username === '' && request.Password === '';
    return { ...request, URL: url, ...(own ? { Username: device, Password: this.passwordOf(device) } : {}) };
  }

  /** Whether the request may read file `name`. */
  check(req: FileRequest, now = Date.now()): AccessOutcome {
    if (this.options.mode === 'open') return { ok: true };
    const signed = this.checkUrl(req, now);
    if (signed.ok) return signed;
    const creds = this.checkCredentials(req);
    if (creds.ok) return creds;
    const reason = req.authorization ? creds.reason : signed.reason;
    return { ok: false, reason, challenges: [this.authenticator().challenge('digest'), this.authenticator().challenge('basic')] };
  }

  /** The password of the credentials `device` is given for file downloads. */
  passwordOf(device: string): string {
    return this.sign(`password\n${device}`);
  }

  private checkUrl(req: FileRequest, now: number): AccessOutcome {
    const [d, e, s] = ['d', 'e', 's'].map((k) => req.query[k]);
    if (d === undefined && e === undefined && s === undefined) return denied('no signed URL and no credentials');
    if (typeof d !== 'string' || typeof e !== 'string' || typeof s !== 'string') return denied('malformed signed URL');
    if (!safeEqual(s, this.sign(`url\n${req.name}\n${d}\n${e}`))) return denied('URL signature does not match');
    if (parseInt(e, 36) * 1000 < now) return denied('signed URL expired');
    return { ok: true, device: d };
  }

  private checkCredentials(req: FileRequest): AccessOutcome {
    const username = claimedUsername(req.authorization);
    if (username === null) return denied('no credentials');
    const outcome = this.authenticator().verify(req.authorization, 'basic', { username, password: this.passwordOf(username) }, req.method, req.uri);
    return outcome.ok ? { ok: true, device: username } : denied(outcome.reason);
  }

  /** The file name a URL of our file server names, or null for any other URL. */
  private nameOf(url: string): string | null {
    const prefix = `${this.options.urlBase}/`;
    if (!url.startsWith(prefix)) return null;
    const segment = url.slice(prefix.length);
    if (segment === '' || /[/?#]/.test(segment)) return null;
    try {
      return decodeURIComponent(segment);
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    if (!this.key) throw new Error('FileAccess.init() was not awaited');
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }

  private authenticator(): Authenticator {
    if (!this.auth) throw new Error('FileAccess.init() was not awaited');
    return this.auth;
  }
}

function denied(reason: string): AccessOutcome {
  return { ok: false, reason, challenges: [] };
}
