/**
 * The import: GenieACS's provisions, virtual parameters and presets (with
 * the provisions generated from their legacy configurations), then device
 * tags, each checked and written by the target, in that order — a preset's
 * check knows the provisions written before it. Whatever cannot be
 * translated or is refused is reported with its reason; the rest goes on.
 */
import { checkTag } from '../db/tags';
import { PROVISION_NAME } from '../presets/load';
import { checkScriptName } from '../scripts/validate';
import { translatePreset } from './preset';
import type { Target } from './target';
import type { GenieacsExport, GenieacsScript, ImportItem, Skipped } from './types';

export interface Imported {
  item: ImportItem;
  warnings: string[];
}

export interface ImportReport {
  imported: Imported[];
  skipped: Skipped[];
  notes: string[];
  /** Devices whose tags were written (or would be, in a dry run), and how many tags in all. */
  tagged: { devices: number; tags: number };
}

export async function runImport(data: GenieacsExport, target: Target): Promise<ImportReport> {
  const report: ImportReport = { imported: [], skipped: [], notes: [], tagged: { devices: 0, tags: 0 } };
  const names = provisionNames(data.provisions, report.notes);
  const write = async (item: ImportItem): Promise<boolean> => {
    try {
      checkScriptName(item.kind, item.name);
      report.imported.push({ item, warnings: await target.write(item) });
      return true;
    } catch (err) {
      report.skipped.push({ from: item.from, reason: reasonOf(err) });
      return false;
    }
  };
  // Virtual parameters first: a provision that declares one is checked against the scripts there are.
  for (const v of data.virtualParameters) await write({ kind: 'virtual-parameter', name: v._id, source: v.script, from: `virtual parameter ${v._id}` });
  for (const p of data.provisions) await write({ kind: 'provision', name: names.of(p._id), source: p.script, from: `provision ${p._id}` });
  for (const doc of data.presets) {
    let items: ImportItem[];
    try {
      items = translatePreset(doc, (n) => names.of(n)).items;
    } catch (err) {
      report.skipped.push({ from: `preset ${doc._id}`, reason: reasonOf(err) });
      continue;
    }
    const generated = items.find((i) => i.kind === 'provision');
    if (generated && names.taken(generated.name)) {
      report.skipped.push({ from: `preset ${doc._id}`, reason: `its configurations would become the provision ${generated.name}, which is an imported provision's name` });
      continue;
    }
    for (const item of items) if (!(await write(item))) break; // no preset without its generated provision
  }
  for (const d of data.devices ?? []) await tagDevice(d._id, d.tags, target, report);
  return report;
}

async function tagDevice(id: string, tags: string[], target: Target, report: ImportReport): Promise<void> {
  if (tags.length === 0) return;
  try {
    tags.forEach(checkTag);
    if (!(await target.tag(id, tags))) return;
    report.tagged.devices++;
    report.tagged.tags += tags.length;
  } catch (err) {
    report.skipped.push({ from: `device ${id}`, reason: `tags: ${reasonOf(err)}` });
  }
}

/**
 * GenieACS provision names as ours: a preset calls a provision by a name
 * made of letters, digits, '_', '-' and '.'; any other character becomes
 * '_' (noted). Two names that become one keep the first.
 */
function provisionNames(provisions: GenieacsScript[], notes: string[]): { of(name: string): string; taken(name: string): boolean } {
  const map = new Map<string, string>();
  const ours = new Set<string>();
  const convert = (name: string): string => {
    const fixed = name.replace(/[^A-Za-z0-9_.-]/g, '_');
    return PROVISION_NAME.test(fixed) ? fixed : `_${fixed}`;
  };
  for (const p of provisions) {
    const name = convert(p._id);
    if (name !== p._id) notes.push(`provision ${p._id} is imported as ${name} (and called so by the presets)`);
    if (ours.has(name)) notes.push(`provision ${p._id} and another one are both ${name} here: the later one replaces the first`);
    map.set(p._id, name);
    ours.add(name);
  }
  return { of: (name) => map.get(name) ?? convert(name), taken: (name) => ours.has(name) };
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
