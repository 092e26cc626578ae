/**
 * The rules a provision's declarations are checked by. By root:
 *
 * - `Device.` (TR-181) and `InternetGatewayDevice.` (TR-098): every segment in
 *   the model; `*`, alias filters and instance numbers only on multi-instance
 *   objects, alias keys parameters of their instance; `values.instances` only
 *   at a table's `*` or alias filter; a value only on a parameter, fitting its
 *   type (boolean, integer ranges, string length, dateTime form) and its
 *   xsi:type if one is given. Declaring the value of a read-only parameter,
 *   or an obsoleted/deleted path, is a warning. Below a vendor extension
 *   (`X_...`) the model does not have, nothing is checked.
 * - `Tags.<name>`: a boolean value. `VirtualParameters.<name>`: a script of
 *   that name in VIRTUAL_PARAMETERS_DIR. `Reboot`, `FactoryReset`: nothing
 *   below them. `Downloads.*`, `Uploads.*`: not checked. (`DeviceID.*` and
 *   `Events.*` are read-only: the sandbox never makes them declarations.)
 * - anything else: an unknown root.
 */
import { wireValue } from '../engine/planner/wire-value';
import { checkValue } from '../sim/model/values';
import { parsePattern, toWire, type Declaration, type PathSegment } from '../sandbox';
import { walkModel } from './check-path';
import { labelOf, MODEL_ROOTS, type DataModel, type DataModels, type ParamNode } from './datamodel';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  message: string;
}

export interface CheckContext {
  models: DataModels;
  /** Names of the virtual parameter scripts (file names without .js/.ts). */
  virtualParameters: ReadonlySet<string>;
  /** The folder they were looked for in, for messages. */
  virtualParametersDir: string;
}

const SPECIAL_ROOTS = ['Tags', 'VirtualParameters', 'Reboot', 'FactoryReset', 'Downloads', 'Uploads', 'DeviceID', 'Events'];
const KNOWN_ROOTS = [...MODEL_ROOTS.keys(), ...SPECIAL_ROOTS];
const TAG_NAME = /^[A-Za-z0-9_-]+$/;

const error = (message: string): Finding => ({ severity: 'error', message });
const warning = (message: string): Finding => ({ severity: 'warning', message });

/** What is wrong with one declaration (empty when nothing). */
export function checkDeclaration(d: Declaration, ctx: CheckContext): Finding[] {
  const segments = parsePattern(d.path);
  const root = segments[0].kind === 'name' ? segments[0].name : '';
  const kind = MODEL_ROOTS.get(root);
  if (kind !== undefined) {
    const model = ctx.models.get(kind);
    return model === null ? [] : checkModelPath(d, model).map((f) => ({ ...f, message: `${d.path}: ${f.message}` }));
  }
  const rest = segments.slice(1);
  switch (root) {
    case 'Tags':
      return checkTag(d, rest.length === 1 && rest[0].kind === 'name' ? rest[0].name : null);
    case 'VirtualParameters':
      return checkVirtualParameter(d, rest.length === 1 ? rest[0] : null, ctx);
    case 'Reboot':
    case 'FactoryReset':
      return rest.length === 0 ? [] : [error(`${d.path}: ${root} has nothing below it`)];
    case 'Downloads':
    case 'Uploads':
    case 'DeviceID':
    case 'Events':
      return [];
    default: {
      const hint = KNOWN_ROOTS.find((r) => r.toLowerCase() === root.toLowerCase());
      return [error(`${d.path}: unknown root "${root}"${hint ? `; did you mean "${hint}"?` : ` (expected ${KNOWN_ROOTS.join(', ')})`}`)];
    }
  }
}

function checkModelPath(d: Declaration, model: DataModel): Finding[] {
  const walk = walkModel(model, d.path);
  if (walk.ok === 'vendor') return [];
  if (!walk.ok) return [error(walk.message)];
  const out: Finding[] = walk.retired ? [warning(`${walk.retired.path} is ${walk.retired.status} in ${labelOf(model, walk.retired.path)}`)] : [];
  const { value, instances } = d.values;
  if (instances !== undefined && !(walk.endsAtInstances && walk.node.kind === 'object')) {
    out.push(error('values.instances needs a path ending at the "*" or alias filter of a multi-instance object (e.g. Device.WiFi.SSID.*)'));
  }
  if (value === undefined) return out;
  if (walk.node.kind !== 'param') {
    out.push(error('names an object, which has no value'));
    return out;
  }
  out.push(...checkValueFor(walk.node, value[0], value[1], labelOf(model, walk.node.path)));
  return out;
}

/** The declared value (and xsi:type) against the parameter's type and facets. */
function checkValueFor(param: ParamNode, v: string | number | boolean, type: string | undefined, label: string): Finding[] {
  const out: Finding[] = [];
  if (type !== undefined && type !== param.type) {
    out.push(error(`declared as ${type}, but it is ${param.type} in ${label}`));
  } else {
    const s = param.syntax;
    // Enumerations and patterns are left out: vendors extend them (X_ values), and CPEs decide.
    // A number for an xsd:dateTime is epoch ms, sent as its ISO date (GenieACS's; engine/planner/wire-value.ts).
    const wire = param.type === 'xsd:dateTime' && typeof v === 'number' ? wireValue(v, param.type) : { ok: true as const, value: toWire(v) };
    const check = wire.ok ? checkValue(param.type, wire.value, { minLength: s.minLength, maxLength: s.maxLength, ranges: s.ranges, list: s.list }) : wire;
    if (!check.ok) out.push(error(`value ${JSON.stringify(v)} does not fit ${describeType(param)}: ${check.reason}`));
  }
  if (param.access === 'readOnly') out.push(warning(`read-only in ${label}: its value cannot be set`));
  return out;
}

function describeType(param: ParamNode): string {
  const s = param.syntax;
  const facets: string[] = [];
  if (s.ranges?.length) facets.push(s.ranges.map((r) => `${r.min ?? ''}..${r.max ?? ''}`).join(' or '));
  if (s.list) facets.push('a comma-separated list' + (s.list.maxLength !== undefined ? ` of at most ${s.list.maxLength} characters` : ''));
  if (s.maxLength !== undefined) facets.push(`${s.minLength !== undefined ? `${s.minLength}..` : 'at most '}${s.maxLength} ${param.type === 'xsd:string' ? 'characters' : 'bytes'}${s.list ? ' each' : ''}`);
  return facets.length > 0 ? `${param.type}, ${facets.join(', ')}` : param.type;
}

function checkTag(d: Declaration, name: string | null): Finding[] {
  if (name === null || !TAG_NAME.test(name)) return [error(`${d.path}: a tag is Tags.<name> (letters, digits, "_" and "-")`)];
  const value = d.values.value;
  if (value === undefined) return [];
  if (typeof value[0] !== 'boolean') return [error(`${d.path}: the value of a tag must be true or false, not ${JSON.stringify(value[0])}`)];
  if (value[1] !== undefined && value[1] !== 'xsd:boolean') return [error(`${d.path}: a tag is xsd:boolean, not ${value[1]}`)];
  return [];
}

function checkVirtualParameter(d: Declaration, seg: PathSegment | null, ctx: CheckContext): Finding[] {
  if (seg === null) return [error(`${d.path}: a virtual parameter is VirtualParameters.<name>`)];
  if (seg.kind !== 'name') return [];
  if (ctx.virtualParameters.has(seg.name)) return [];
  return [error(`${d.path}: no virtual parameter "${seg.name}" (${seg.name}.js or ${seg.name}.ts in ${ctx.virtualParametersDir})`)];
}
