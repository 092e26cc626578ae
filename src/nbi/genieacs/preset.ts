/**
 * GenieACS's preset JSON and our preset YAML (presets/load.ts), each way.
 * The GenieACS-compatible API's PUT /presets/:name uses it, and so may an
 * importer of a GenieACS installation.
 *
 *   {"weight": 0, "channel": "wifi", "events": {"0 BOOTSTRAP": true, "2 PERIODIC": false},
 *    "precondition": "{\"_tags\": \"test\"}", "schedule": "3600 0 2 * * *",
 *    "configurations": [{"type": "provision", "name": "wifi", "args": ["HomeNet"]}]}
 *
 * What maps: weight, channel, events (true: required, false: must be
 * absent), precondition (a MongoDB query, as a JSON string or object, made
 * into our precondition language; a string that is not JSON is taken as a
 * precondition already, as GenieACS 1.2 writes them), schedule ("<duration
 * in seconds> <cron>"), and configurations of type provision. The other
 * configuration types (value, add_tag, delete_tag, age, add_object,
 * delete_object, custom) set things without a provision: they do not map to
 * a preset here, and each is named as a problem.
 */
import { stringify } from 'yaml';
import { fromGenieacsQuery } from '../genieacs-query';
import type { Preset, ProvisionCall } from '../../presets/types';
import type { Doc, Json } from './doc-query';

export type PresetTranslation = { ok: true; yaml: string } | { ok: false; problems: string[] };

const KEYS = new Set(['_id', 'weight', 'channel', 'events', 'precondition', 'schedule', 'configurations']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isArg = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);

function events(v: unknown, problems: string[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) return void problems.push('events must be an object of event code to true or false');
  return Object.entries(v).flatMap(([code, on]) => {
    if (typeof on !== 'boolean') return (problems.push(`events[${JSON.stringify(code)}] must be true or false`), []);
    return [on ? code : `-${code}`];
  });
}

function precondition(v: unknown, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  const text = typeof v === 'string' ? v : isObject(v) ? JSON.stringify(v) : undefined;
  if (text === undefined) return void problems.push('precondition must be a JSON query (string or object) or a precondition string');
  if (!text.trim().startsWith('{')) return text;
  try {
    return fromGenieacsQuery(text).filter ?? undefined;
  } catch (err) {
    return void problems.push(`precondition: ${(err as Error).message}`);
  }
}

function schedule(v: unknown, problems: string[]): { cron: string; duration: number } | undefined {
  if (v === undefined || v === '' || v === null) return undefined;
  const m = typeof v === 'string' ? /^\s*(\d+)\s+(\S+(?:\s+\S+){4})\s*$/.exec(v) : null;
  if (!m) return void problems.push(`schedule must be "<duration in seconds> <cron of 5 fields>", not ${JSON.stringify(v)}`);
  return { cron: m[2], duration: Number(m[1]) };
}

function provisionOf(c: unknown, i: number, problems: string[]): (string | number | boolean)[] | null {
  const where = `configurations[${i}]`;
  if (!isObject(c)) return (problems.push(`${where} must be an object`), null);
  if (c.type !== 'provision') {
    problems.push(`${where} (type ${JSON.stringify(c.type)}${typeof c.name === 'string' ? ` on ${c.name}` : ''}) does not map: presets here only call provisions; write a provision that does it`);
    return null;
  }
  if (typeof c.name !== 'string' || c.name === '') return (problems.push(`${where}.name must name a provision`), null);
  const args = c.args ?? [];
  if (!Array.isArray(args) || !args.every(isArg)) return (problems.push(`${where}.args must be an array of strings, numbers and booleans`), null);
  return [c.name, ...args];
}

/** Our preset YAML for a GenieACS preset, or every problem that stops it. */
export function presetYamlOf(json: unknown): PresetTranslation {
  if (!isObject(json)) return { ok: false, problems: ['a preset is a JSON object'] };
  const problems = Object.keys(json).filter((k) => !KEYS.has(k)).map((k) => `${k} is not a preset field (${[...KEYS].join(', ')})`);
  if (json.weight !== undefined && !Number.isFinite(json.weight)) problems.push('weight must be a number');
  if (json.channel !== undefined && typeof json.channel !== 'string') problems.push('channel must be a string');
  const configurations = json.configurations ?? [];
  if (!Array.isArray(configurations)) problems.push('configurations must be an array');
  const preset = {
    events: events(json.events, problems),
    precondition: precondition(json.precondition, problems),
    schedule: schedule(json.schedule, problems),
    weight: json.weight,
    channel: json.channel || undefined,
    provisions: (Array.isArray(configurations) ? configurations : []).map((c, i) => provisionOf(c, i, problems)),
  };
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, yaml: stringify(Object.fromEntries(Object.entries(preset).filter(([, v]) => v !== undefined))) };
}

function configuration(p: ProvisionCall): Doc {
  return { type: 'provision', name: p.name, ...(p.args.length > 0 ? { args: p.args } : {}) };
}

/** A preset of ours as GenieACS's JSON (its precondition in our language, as GenieACS 1.2 keeps its own). */
export function genieacsPresetOf(p: Preset): Doc {
  const events: Record<string, Json> = {};
  for (const code of p.events.all) events[code] = true;
  for (const code of p.events.none) events[code] = false;
  return {
    _id: p.name,
    channel: p.channel,
    weight: p.weight,
    events,
    precondition: p.preconditionSource ?? '',
    ...(p.schedule ? { schedule: `${p.schedule.durationS} ${p.schedule.cron}` } : {}),
    configurations: p.provisions.map(configuration),
  };
}
