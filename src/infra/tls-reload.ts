/**
 * Certificates replaced on disk are taken without a restart: the files are
 * polled (fs.watchFile follows a path, so a file replaced by rename, or a
 * Kubernetes secret's symlink swap, is seen as well as one rewritten in
 * place) and new connections get the new context; open ones keep theirs.
 * A new set that does not load (a key not yet copied next to its
 * certificate, a truncated PEM) is logged and the old one kept; the next
 * change tries again.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type tls from 'node:tls';
import type { Logger } from '../log';
import { readSecureContext, type TlsSettings } from './tls';

/** How often the files' status is polled. */
const POLL_MS = 1_000;
/** A certificate and its key are usually copied one after the other: one reload for both. */
const SETTLE_MS = 200;

export interface TlsWatch {
  close(): void;
}

/** Reloads `server`'s certificate, key and CA whenever one of the files changes. */
export function watchCertificates(server: tls.Server, s: TlsSettings, log: Logger): TlsWatch {
  const files = [s.cert, s.key, ...(s.ca ? [s.ca] : [])];
  let timer: NodeJS.Timeout | null = null;
  const reload = (): void => {
    timer = null;
    try {
      server.setSecureContext(readSecureContext(s));
      log.info({ server: s.server, files: files.map((f) => f.path) }, 'TLS certificate reloaded');
    } catch (err) {
      log.error({ server: s.server, reason: (err as Error).message }, 'TLS certificate not reloaded: the previous one is kept');
    }
  };
  const changed = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  };
  for (const f of files) watchFile(f.path, { interval: POLL_MS, persistent: false }, changed);
  return {
    close: () => {
      for (const f of files) unwatchFile(f.path, changed);
      if (timer) clearTimeout(timer);
    },
  };
}
