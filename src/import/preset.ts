/**
 * One GenieACS preset as our preset file (YAML), plus the provision its
 * legacy configurations become. The preset itself — precondition (MongoDB
 * query or GenieACS 1.2 expression), events, schedule, weight, channel,
 * provision calls — is translated by the GenieACS-compatible API's
 * presetYamlOf (nbi/genieacs/preset.ts), as its PUT /presets/:name does;
 * here, before that:
 *
 * - the legacy configurations (value, age, add_tag, delete_tag: legacy.ts)
 *   become one call of `genieacs-<preset>` where the first of them was;
 * - provision calls name the provisions as imported (names made valid).
 *
 * Anything that would not run as it did in GenieACS is thrown as an Error
 * naming the field; the importer then leaves the whole preset out.
 */
import { presetYamlOf } from '../nbi/genieacs/preset';
import { legacyLines, legacyScript } from './legacy';
import type { GenieacsPreset, ImportItem, Json } from './types';

export interface PresetTranslation {
  /** The generated provision (when the preset has legacy configurations), then the preset. */
  items: ImportItem[];
}

/** The prefix of the provision generated from a preset's legacy configurations. */
export const GENERATED_PREFIX = 'genieacs-';

/**
 * Translates one preset; `provisionName` maps a GenieACS provision name to
 * the one it was imported under. Throws an Error saying what cannot be
 * translated.
 */
export function translatePreset(doc: GenieacsPreset, provisionName: (name: string) => string): PresetTranslation {
  const name = doc._id;
  const from = `preset ${name}`;
  const generated = generatedName(name);
  const { configurations, legacy } = configurationsOf(doc.configurations, provisionName, generated);
  // GenieACS keeps absent fields as null at times; presetYamlOf takes them as absent only when left out.
  const fields = Object.fromEntries(Object.entries({ ...doc, configurations }).filter(([, v]) => v !== null));
  const r = presetYamlOf(fields);
  if (!r.ok) throw new Error(r.problems.join('; '));
  const items: ImportItem[] = legacy.length > 0 ? [{ kind: 'provision', name: generated, source: legacyScript(name, legacy), from }] : [];
  const header = `# Imported from the GenieACS preset ${JSON.stringify(name)} (acs import genieacs).\n`;
  items.push({ kind: 'preset', name, source: header + r.yaml, from });
  return { items };
}

/** The generated provision's name: `genieacs-<preset>`, with what a provision name cannot hold made '_'. */
export function generatedName(preset: string): string {
  return `${GENERATED_PREFIX}${preset.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The configurations as provision calls only, and the legacy ones' script lines. */
function configurationsOf(v: Json | undefined, provisionName: (name: string) => string, generated: string): { configurations: Json; legacy: string[] } {
  if (!Array.isArray(v)) return { configurations: v ?? [], legacy: [] }; // presetYamlOf names the problem
  const configurations: Json[] = [];
  const legacy: string[] = [];
  v.forEach((c, i) => {
    if (c === null || typeof c !== 'object' || Array.isArray(c) || c.type === 'provision') {
      configurations.push(c !== null && typeof c === 'object' && !Array.isArray(c) && typeof c.name === 'string' ? { ...c, name: provisionName(c.name) } : c);
      return;
    }
    try {
      legacy.push(...legacyLines(c));
    } catch (err) {
      throw new Error(`configurations[${i}] (${String(c.type)}): ${(err as Error).message}`);
    }
    if (!configurations.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && x.name === generated)) configurations.push({ type: 'provision', name: generated });
  });
  return { configurations, legacy };
}
