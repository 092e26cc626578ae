/**
 * Reads a GenieACS: from its NBI (`--url`), or from a folder of what the NBI
 * answers, saved as files (`--dir`):
 *
 *   presets.json            GET /presets/
 *   provisions.json         GET /provisions/
 *   virtualParameters.json  GET /virtual_parameters/ (virtual_parameters.json is read too)
 *   devices.json            GET /devices/?projection=_tags (only with --devices)
 *
 * Each file is the JSON array the NBI answers; a missing file is an empty
 * list (noted). A document that is not what GenieACS answers (no `_id`, no
 * `script`) is skipped with the reason; a file that is not JSON, or an NBI
 * that does not answer, is an {@link ImportInputError}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GenieacsDeviceTags, GenieacsExport, GenieacsPreset, GenieacsScript, Json, Skipped } from './types';

export class ImportInputError extends Error {}

export interface ReadResult {
  data: GenieacsExport;
  skipped: Skipped[];
  notes: string[];
}

/** Devices per NBI request. */
const PAGE = 1000;
const TIMEOUT_MS = 30_000;
const TAGGED = JSON.stringify({ _tags: { $exists: true } });

type Collection = 'presets' | 'provisions' | 'virtualParameters' | 'devices';

const FILES: Record<Collection, string[]> = {
  presets: ['presets.json'],
  provisions: ['provisions.json'],
  virtualParameters: ['virtualParameters.json', 'virtual_parameters.json'],
  devices: ['devices.json'],
};

const ROUTES: Record<Exclude<Collection, 'devices'>, string> = { presets: '/presets/', provisions: '/provisions/', virtualParameters: '/virtual_parameters/' };

export function readDir(dir: string, devices: boolean): ReadResult {
  const out = collector();
  const list = (c: Collection): Json[] => {
    for (const name of FILES[c]) {
      const file = path.join(dir, name);
      const text = readIfThere(file);
      if (text !== null) return arrayOf(file, parse(file, text));
    }
    out.notes.push(`${path.join(dir, FILES[c][0])}: not there, no ${c === 'virtualParameters' ? 'virtual parameters' : c}`);
    return [];
  };
  return out.take(list('presets'), list('provisions'), list('virtualParameters'), devices ? list('devices') : undefined);
}

/** `page`: devices per request (GenieACS's limit); a shorter answer is the last page. */
export async function readNbi(url: string, devices: boolean, page = PAGE): Promise<ReadResult> {
  const base = new URL(url);
  const auth = base.username !== '' ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}` : undefined;
  base.username = '';
  base.password = '';
  const get = async (route: string): Promise<Json[]> => {
    const target = new URL(route, base);
    let res: Response;
    try {
      res = await fetch(target, { headers: auth ? { authorization: auth } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new ImportInputError(`GET ${target}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ImportInputError(`GET ${target}: ${res.status} ${res.statusText} ${text.slice(0, 200)}`);
    return arrayOf(`GET ${target}`, parse(`GET ${target}`, text));
  };
  const [presets, provisions, virtualParameters] = await Promise.all(Object.values(ROUTES).map(get));
  let tagged: Json[] | undefined;
  if (devices) {
    tagged = [];
    for (let skip = 0; ; skip += page) {
      const answer = await get(`/devices/?query=${encodeURIComponent(TAGGED)}&projection=_tags&skip=${skip}&limit=${page}`);
      tagged.push(...answer);
      if (answer.length < page) break;
    }
  }
  return collector().take(presets, provisions, virtualParameters, tagged);
}

function collector() {
  const skipped: Skipped[] = [];
  const notes: string[] = [];
  const take = (presets: Json[], provisions: Json[], virtualParameters: Json[], devices: Json[] | undefined): ReadResult => {
    const data: GenieacsExport = {
      presets: keep(presets, 'preset', skipped, asPreset),
      provisions: keep(provisions, 'provision', skipped, asScript),
      virtualParameters: keep(virtualParameters, 'virtual parameter', skipped, asScript),
      ...(devices ? { devices: keep(devices, 'device', skipped, asDevice) } : {}),
    };
    return { data, skipped, notes };
  };
  return { notes, take };
}

function keep<T>(docs: Json[], what: string, skipped: Skipped[], as: (doc: { [key: string]: Json }) => T | string): T[] {
  const out: T[] = [];
  docs.forEach((doc, i) => {
    const id = isObject(doc) && typeof doc._id === 'string' ? doc._id : null;
    const r = isObject(doc) && id !== null ? as(doc) : 'no "_id" string';
    if (typeof r === 'string') skipped.push({ from: `${what} ${id ?? `#${i + 1}`}`, reason: r });
    else out.push(r);
  });
  return out;
}

function asPreset(doc: { [key: string]: Json }): GenieacsPreset {
  return doc as unknown as GenieacsPreset; // its fields are checked as they are translated (preset.ts)
}

function asScript(doc: { [key: string]: Json }): GenieacsScript | string {
  return typeof doc.script === 'string' ? { _id: doc._id as string, script: doc.script } : 'no "script" string';
}

function asDevice(doc: { [key: string]: Json }): GenieacsDeviceTags | string {
  const tags = doc._tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) return '"_tags" is not an array of strings';
  return { _id: doc._id as string, tags: tags as string[] };
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ImportInputError(`${file}: ${(err as Error).message}`);
  }
}

function parse(where: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new ImportInputError(`${where}: not JSON: ${(err as Error).message}`);
  }
}

function arrayOf(where: string, v: Json): Json[] {
  if (!Array.isArray(v)) throw new ImportInputError(`${where}: expected a JSON array, as GenieACS's NBI answers a collection`);
  return v;
}
