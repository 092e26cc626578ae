/**
 * What a step sees of its device: stored parameters (loaded once per look),
 * tags, the data model root; and the template scope built from them.
 */
import type { DeviceStore } from '../db/types';
import { evaluate, compile } from '../presets/expression';
import { lookupFrom } from '../presets/lookup';
import { renderCondition, renderValue, type TemplateScope } from './template';
import type { StoredRun } from './run-store';
import type { VarDef } from './types';

export class DeviceView {
  private params: Map<string, { value: unknown; type: string | null; kind: string }> | null = null;
  private tags: string[] | null = null;

  constructor(
    private readonly store: DeviceStore,
    readonly device: string,
  ) {}

  /** Loads (once) the device's stored parameters and tags. */
  async load(): Promise<this> {
    if (this.params === null) {
      const rows = await this.store.getParameters(this.device);
      this.params = new Map(rows.map((p) => [p.path, { value: p.value, type: p.type, kind: p.kind }]));
      this.tags = await this.store.getTags(this.device);
    }
    return this;
  }

  private loaded(): Map<string, { value: unknown; type: string | null; kind: string }> {
    if (this.params === null) throw new Error('DeviceView used before load()');
    return this.params;
  }

  root(): 'Device' | 'InternetGatewayDevice' {
    for (const p of this.loaded().keys()) if (p.startsWith('InternetGatewayDevice.')) return 'InternetGatewayDevice';
    return 'Device';
  }

  hasUnder(prefix: string): boolean {
    for (const p of this.loaded().keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  parameter(path: string): unknown {
    const p = this.loaded().get(path);
    return p && p.kind === 'leaf' ? p.value : null;
  }

  parametersUnder(prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [path, p] of [...this.loaded().entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (p.kind === 'leaf' && path.startsWith(prefix)) out[path.slice(prefix.length)] = p.value;
    }
    return out;
  }

  /** Whether a precondition-language condition holds on the stored parameters. */
  holds(condition: string): { ok: true; value: boolean } | { ok: false; message: string } {
    const compiled = compile(condition);
    if (!compiled.ok) return { ok: false, message: `condition ${JSON.stringify(condition)}: ${compiled.message} at column ${compiled.column}` };
    const parameters = [...this.loaded().entries()].map(([path, p]) => ({ path, kind: p.kind, value: p.value, type: p.type }));
    const lookup = lookupFrom({ parameters: parameters as Parameters<typeof lookupFrom>[0]['parameters'], tags: this.tags ?? [] });
    return { ok: true, value: evaluate(compiled.expr, lookup) };
  }
}

export function scopeOf(run: StoredRun, view: DeviceView): TemplateScope {
  return {
    args: run.args,
    vars: run.state.vars ?? {},
    steps: run.output,
    device: { id: run.device, root: view.root() },
    run: { id: run.id },
    parameter: (p) => view.parameter(p),
    parametersUnder: (p) => view.parametersUnder(p),
  };
}

/**
 * The run's vars for this device, by data model root. Of a list of
 * candidates, the first with stored parameters under it; when none has any
 * yet, the first, chosen again at the next look (a later step may read them).
 */
export function computeVars(defs: Record<string, VarDef>, run: StoredRun, view: DeviceView): { vars: Record<string, string>; settled: string[] } {
  const settled = new Set(run.state.settledVars ?? []);
  const vars: Record<string, string> = { ...(run.state.vars ?? {}) };
  const scope = (): TemplateScope => ({ ...scopeOf(run, view), vars });
  for (const [name, def] of Object.entries(defs)) {
    if (settled.has(name) && name in vars) continue;
    const pick = typeof def === 'string' ? def : def[view.root()];
    const candidates = pick === undefined ? [] : Array.isArray(pick) ? pick : [pick];
    const rendered = candidates.map((c) => String(renderValue(c, scope())));
    const found = rendered.find((c) => view.hasUnder(c));
    vars[name] = found ?? rendered[0] ?? '';
    if (found !== undefined || rendered.length <= 1) settled.add(name);
  }
  return { vars, settled: [...settled] };
}

export { renderCondition };
