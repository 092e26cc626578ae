/**
 * Presets, provisions and virtual parameters held in the database (written
 * through the REST API), beside the read-only folders. On a name clash the
 * folder's file is the active one: the database's version is "shadowed".
 */

export type ScriptKind = 'preset' | 'provision' | 'virtual-parameter';

export const SCRIPT_KINDS: readonly ScriptKind[] = ['preset', 'provision', 'virtual-parameter'];

/** The current version of a script held in the database. */
export interface StoredScript {
  kind: ScriptKind;
  name: string;
  /** 1 for the first write, one more for each later write or deletion of the name. */
  version: number;
  /** YAML for a preset, JavaScript for the others. */
  source: string;
  updatedAt: number;
  /** The API token that wrote it. */
  updatedBy: string;
}

/** One entry of a script's history; a deletion is a version without source. */
export interface ScriptVersion {
  version: number;
  time: number;
  by: string;
  deleted: boolean;
}

/** One kind's scripts held in the database, as this process last read them. */
export interface StoredSource {
  /** By name. */
  current(): ReadonlyMap<string, StoredScript>;
  /** Calls `listener` after each read that changed them; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Reads the database now rather than at the next poll. */
  refresh(): Promise<void>;
}

/** What names a stored script in file-shaped messages and logs: "database:provision/wifi@3". */
export function storedLabel(script: Pick<StoredScript, 'kind' | 'name' | 'version'>): string {
  return `database:${script.kind}/${script.name}@${script.version}`;
}
