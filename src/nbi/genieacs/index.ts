/** The GenieACS-compatible REST API on its own port (GENIEACS_NBI_PORT; 0: off). */
import { FILE_SERVER_HTTP_OPTIONS } from '../../files';
import { tlsSettingsOf } from '../../infra/tls';
import { serve } from '../../roles/http';
import type { Shared } from '../../roles/shared';
import type { TaskService } from '../../tasks/service';
import { createGenieacsApp } from './app';

export { createGenieacsApp, type GenieacsApiDeps } from './app';
export { genieacsPresetOf, presetYamlOf, type PresetTranslation } from './preset';

/** Serves the API when GENIEACS_NBI_PORT is set; resolves to its port, or null when off. */
export async function startGenieacsApi(s: Shared, tasks: TaskService): Promise<number | null> {
  const { config, log } = s;
  if (config.genieacsNbiPort === 0) return null;
  const app = createGenieacsApp({
    store: s.store, log, tasks, files: s.files, tokenRate: config.nbiTokenRate, searchStatementMs: config.searchStatementMs,
    scripts: { dirs: config, stored: s.storedScripts, presets: s.presets, scriptTimeoutMs: config.scriptTimeoutMs, scriptMemoryMb: config.scriptMemoryMb },
  });
  // The REST API's certificate and client-certificate rule (NBI_TLS_*): the same clients, on another port.
  const tls = tlsSettingsOf(config, 'nbi');
  const port = await serve({ app, name: 'genieacs-nbi', options: FILE_SERVER_HTTP_OPTIONS, port: config.genieacsNbiPort, host: config.nbiHost, tls }, log, s.opened);
  log.info({ port }, 'GenieACS-compatible REST API listening');
  return port;
}
