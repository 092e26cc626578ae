/**
 * POST /devices/:id/dry-run: what provisioning would send a device at its
 * next Inform, played against its stored state by the engine `acs provision`
 * uses (engine/dry-run.ts) — no RPC reaches the device, nothing is stored.
 *
 * The preset is a live one by name, or YAML given as `presetText`, or (with
 * neither) one calling each provision of `provisions`. `provisions` holds
 * texts that stand in for the saved ones of those names: the web UI's editor
 * dry-runs what it has not saved yet.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { DeviceStore } from '../../db/types';
import { dryRunLoaded, type DryRunResult } from '../../engine/dry-run';
import { DryRunInputError, fromSnapshot } from '../../engine/dry-run-device';
import { ScriptLibrary, type ScriptLibraryOptions } from '../../engine/script-library';
import { AcsError } from '../../errors';
import { parsePreset } from '../../presets/load';
import type { PresetRegistry } from '../../presets/registry';
import type { Preset } from '../../presets/types';
import { checkSyntax, scriptFromText, type LoadedScript } from '../../sandbox';
import type { ScriptDirs } from '../../scripts/folders';
import type { StoredScripts } from '../../scripts/stored';
import type { StoredSource } from '../../scripts/types';
import { checkScriptName } from '../../scripts/validate';
import { apiRouter, defineRoute } from '../api/route';
import { FieldError } from '../api/messages';
import { deviceId } from '../api/schemas';

export interface DryRunRouteOptions extends ScriptDirs {
  extDir: string;
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export interface DryRunRouteDeps {
  store: DeviceStore;
  storedScripts: StoredScripts;
  presets: Pick<PresetRegistry, 'get'>;
}

/** The saved provisions, with the request's texts in place of those of their names. */
class OverlaidLibrary extends ScriptLibrary {
  constructor(dir: string, options: ScriptLibraryOptions, private readonly overrides: ReadonlyMap<string, LoadedScript>) {
    super(dir, options);
  }

  override async get(id: string): Promise<LoadedScript | undefined> {
    return this.overrides.get(id) ?? super.get(id);
  }

  override names(): Set<string> {
    return new Set([...super.names(), ...this.overrides.keys()]);
  }
}

/** One request's view of the stored scripts: no listener left behind on the process-wide copy. */
function oneShot(source: StoredSource): StoredSource {
  return { current: () => source.current(), onChange: () => () => undefined, refresh: () => source.refresh() };
}

const EVENT = z.string().regex(/^(\d+ [A-Z ]+|M \S+|X \S+ .+)$/, { error: 'must be an Inform event code: "1 BOOT", "M Reboot" …' });

const DRY_RUN_BODY = z
  .strictObject({
    preset: z.string({ error: 'must be a string: a preset\'s name' }).min(1, { error: 'must name a preset' }).optional(),
    presetText: z.string({ error: 'must be a string: a preset\'s YAML' }).optional(),
    provisions: z.record(z.string(), z.string({ error: 'must be a string: a provision\'s text' }), { error: 'must be an object: provision name → text' }).optional(),
    events: z.array(EVENT, { error: 'must be an array of event codes' }).max(16, { error: 'at most 16 event codes' }).optional(),
  })
  .meta({ example: { provisions: { wifi: "declare('Device.WiFi.SSID.1.SSID', null, { value: 'HomeNet' });\n" }, events: ['2 PERIODIC'] } });

type DryRunBody = z.output<typeof DRY_RUN_BODY>;

/** The request's provision texts compiled, or a 400 naming the one that does not compile and its line. */
async function overridesOf(texts: Record<string, string>): Promise<Map<string, LoadedScript>> {
  const scripts = Object.entries(texts).map(([name, text]) => {
    try {
      checkScriptName('provision', name);
    } catch (err) {
      throw new FieldError('body', `provisions.${name}`, (err as Error).message);
    }
    return scriptFromText(`${name}.js`, text, `dry-run:provision/${name}`);
  });
  await checkSyntax(scripts.filter((s) => !s.fault));
  const bad = scripts.find((s) => s.fault);
  if (bad?.fault) throw new FieldError('body', `provisions.${bad.id}`, `line ${bad.fault.line ?? 0}: ${bad.fault.message}`);
  return new Map(scripts.map((s) => [s.id, s]));
}

/** The preset to play: named, given as YAML, or one calling the given provisions. */
function presetOf(body: DryRunBody, presets: DryRunRouteDeps['presets'], known: Set<string>): Preset {
  if (body.preset !== undefined && body.presetText === undefined) {
    return presets.get(body.preset) ?? fieldError('preset', `no preset named ${body.preset}`);
  }
  const names = Object.keys(body.provisions ?? {});
  if (body.presetText === undefined && names.length === 0) return fieldError('preset', 'give a preset (its name), presetText or provisions to dry-run');
  const text = body.presetText ?? `provisions: ${JSON.stringify(names.map((n) => [n]))}\n`;
  const name = body.preset ?? 'dry-run';
  const parsed = parsePreset(name, text, { name, knownProvisions: known });
  if (parsed.ok) return parsed.preset;
  const first = parsed.errors[0];
  return fieldError(body.presetText === undefined ? 'provisions' : 'presetText', `${first.line > 0 ? `line ${first.line}: ` : ''}${first.message}`);
}

function fieldError(field: string, message: string): never {
  throw new FieldError('body', field, message);
}

async function play(o: DryRunRouteOptions, d: DryRunRouteDeps, id: string, body: DryRunBody): Promise<DryRunResult> {
  const stored = await d.store.getDevice(id);
  if (!stored) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${id}`);
  const scripts = new OverlaidLibrary(o.provisionsDir, { stored: oneShot(d.storedScripts.source('provision')) }, await overridesOf(body.provisions ?? {}));
  await scripts.refresh(true);
  const preset = presetOf(body, d.presets, scripts.names());
  const virtual = new ScriptLibrary(o.virtualParametersDir, { stored: oneShot(d.storedScripts.source('virtual-parameter')) });
  await virtual.refresh(true);
  let device;
  try {
    device = fromSnapshot(`device ${id}`, JSON.stringify(stored), Date.now());
  } catch (err) {
    if (err instanceof DryRunInputError) throw new AcsError('ACS_ERR_CONFLICT', `the device's stored state cannot be played: ${err.problem}`);
    throw err;
  }
  return dryRunLoaded({ preset, scripts, virtual, device }, { events: body.events, extDir: o.extDir, scriptTimeoutMs: o.scriptTimeoutMs, scriptMemoryMb: o.scriptMemoryMb });
}

export function dryRunRoutes(o: DryRunRouteOptions, d: DryRunRouteDeps): Router {
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/devices/:id/dry-run',
      summary: 'What provisioning would send a device, played against its stored state',
      description: 'The engine of `acs provision`, on the device\'s cached parameters: the planned RPCs round by round, each with the simulated answer; nothing is sent or stored. `preset` (a name) or `presetText` (YAML) or, with neither, a preset calling each of `provisions`, whose texts stand in for the saved ones; `events` default to the preset\'s, else "1 BOOT".',
      params: z.object({ id: deviceId }),
      body: DRY_RUN_BODY,
      responses: { 200: 'the sessions played: rounds of RPCs, logs, faults, notes', 404: 'no such device', 409: 'the device\'s stored state cannot be played (no parameters yet)' },
      handle: async (ctx, { params, body }) => {
        ctx.body = await play(o, d, params.id, body);
      },
    }),
  ]);
}
