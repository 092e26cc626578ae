/**
 * What `acs import genieacs` reads — GenieACS's documents as its NBI answers
 * them (GET /presets/, /provisions/, /virtual_parameters/,
 * /devices/?projection=_tags) — and what it makes of them.
 */
import type { ScriptKind } from '../scripts/types';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A GenieACS preset. `precondition` is a MongoDB query as a JSON string (an
 * expression in GenieACS's own language from its 1.2 UI is taken too);
 * `events` maps event codes to true (required) or false (excluded);
 * `schedule` is "<duration seconds> <cron>".
 */
export interface GenieacsPreset {
  _id: string;
  weight?: Json;
  channel?: Json;
  precondition?: Json;
  events?: Json;
  schedule?: Json;
  configurations?: Json;
}

/** A provision or virtual parameter: its name and its JavaScript. */
export interface GenieacsScript {
  _id: string;
  script: string;
}

/** A device as `GET /devices/?projection=_tags` answers it. */
export interface GenieacsDeviceTags {
  _id: string;
  tags: string[];
}

/** Everything read from one GenieACS (its NBI or a folder of its exports). */
export interface GenieacsExport {
  presets: GenieacsPreset[];
  provisions: GenieacsScript[];
  virtualParameters: GenieacsScript[];
  /** Read only when device tags are asked for (--devices). */
  devices?: GenieacsDeviceTags[];
}

/** One script of ours to write: a preset's YAML, a provision's or a virtual parameter's JavaScript. */
export interface ImportItem {
  kind: ScriptKind;
  name: string;
  source: string;
  /** Where it came from in GenieACS ("preset wifi", "provision inform"), for the report. */
  from: string;
}

/** A GenieACS document left behind, and why. */
export interface Skipped {
  from: string;
  reason: string;
}
