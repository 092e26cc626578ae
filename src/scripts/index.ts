/** Presets, provisions and virtual parameters held in the database, beside the folders (a file wins on a name clash). */
export { ScriptStore } from './store';
export { StoredScripts, provisionLookup, STORED_POLL_MS } from './stored';
export { ScriptChecks, checkScriptName } from './validate';
export type { ScriptKind, ScriptVersion, StoredScript, StoredSource } from './types';
