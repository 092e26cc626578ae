/**
 * Presets: which provisions run on which devices, and when.
 *
 * A preset is one YAML file in the presets directory (PRESETS_DIR); its name
 * is the file's base name ("wifi.yaml" → "wifi"). See `load.ts` for the file
 * format and `expression.ts` for the precondition language.
 */
import type { Expression } from './expression';

/** One provision call of a preset: runs provisions/<name>.js with `args`. */
export interface ProvisionCall {
  /** The provision's name: its script's base name (no extension, no "/"). */
  name: string;
  args: (string | number | boolean)[];
}

/**
 * A window in which a preset may run: it opens at every start the cron
 * expression describes and stays open `durationS` seconds. Times are UTC.
 */
export interface PresetSchedule {
  /** Five fields (minute hour day-of-month month day-of-week), validated by `cron.ts`. */
  cron: string;
  durationS: number;
}

export interface Preset {
  /** The file's base name. */
  name: string;
  /** Absolute (or as given) path of the file it came from. */
  file: string;
  /**
   * Inform event codes. `all`: every one must be in the session's events;
   * `none`: none may be (written with a leading "-" in the file, e.g. "-2 PERIODIC").
   * Both empty: the preset is considered on every session.
   */
  events: { all: string[]; none: string[] };
  /** Compiled precondition; null when the file has none (always true). */
  precondition: Expression | null;
  /** The precondition as written, for display (null when none). */
  preconditionSource: string | null;
  schedule?: PresetSchedule;
  /** Order of application: lower weights first, ties by name. Default 0. */
  weight: number;
  /** Fault isolation: a fault in one channel does not stop the others. Default "default". */
  channel: string;
  provisions: ProvisionCall[];
}

/**
 * A rejected preset file (or a problem with the directory). `line` and
 * `column` are 1-based; `line` is 0 when no line applies (unreadable file,
 * missing directory).
 */
export interface PresetError {
  file: string;
  line: number;
  column?: number;
  message: string;
}

/** "presets/wifi.yaml:3:15: message" — the usual compiler format. */
export function formatPresetError(e: PresetError): string {
  const where = e.line > 0 ? `:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : '';
  return `${e.file}${where}: ${e.message}`;
}
