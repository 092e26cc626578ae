/**
 * GenieACS idioms that run here as they did there, but cost RPCs in every
 * session; lint warns about them, naming the declare() line:
 *
 * - a secret (a password, passphrase, pre-shared or WEP key) declared with a
 *   value and `{value: Date.now()}`: CPEs read secrets back empty (TR-069
 *   hides them), so each session reads it, finds it "changed" and sets it
 *   again. Without the timestamp the ACS sets it once and keeps what it set.
 * - `{path: Date.now()}` on a wildcard or alias filter: the instances are
 *   listed again (GetParameterNames) in every session.
 *
 * "Every session" is a timestamp at the run's clock: the script's
 * `Date.now()`. `Date.now(interval)` or `Date.now() - age` are not flagged.
 */
import type { Declaration } from '../sandbox';
import type { Finding } from './check-declaration';

const SECRET = /(password|passphrase|presharedkey|psk|wepkey|secret)[^.]*$/i;

export function costlyIdioms(d: Declaration, now: number): Finding[] {
  const out: Finding[] = [];
  const last = d.path.slice(d.path.lastIndexOf('.') + 1);
  const everySession = (t: number | undefined): boolean => t !== undefined && t >= now;
  if (d.values.value !== undefined && everySession(d.timestamps.value) && SECRET.test(last)) {
    out.push({
      severity: 'warning',
      message:
        `${d.path}: {value: Date.now()} on a secret re-sets it in every session (the CPE reads it back empty, so it always looks changed); ` +
        'leave the value timestamp out: the ACS sets it once and remembers what it set',
    });
  }
  if (everySession(d.timestamps.path) && /(\*|\])/.test(d.path)) {
    out.push({
      severity: 'warning',
      message: `${d.path}: {path: Date.now()} lists the instances again in every session (GetParameterNames); use Date.now(3600000) or Date.now() - <age> to refresh them at most that often`,
    });
  }
  return out;
}
