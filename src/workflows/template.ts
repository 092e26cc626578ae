/**
 * `{{...}}` templates of workflow files. Parsed into a small tree (templates
 * nest: `{{param:{{vars.base}}DiagnosticsState}}`), evaluated against the
 * run's values. A value substituted is never parsed again, so a device's or
 * an operator's text cannot inject a template.
 *
 * Names: `args.<name>`, `vars.<name>`, `steps.<step>[.<field>...]`,
 * `device.id`, `device.root`, `run.id`, `param:<path>` (a stored parameter's
 * value), `params:<prefix>` (the stored leaves under a prefix, by relative name).
 */

type Part = string | { nested: Part[] };

export interface TemplateScope {
  args: Record<string, unknown>;
  vars: Record<string, string>;
  steps: Record<string, unknown>;
  device: { id: string; root: string };
  run: { id: string };
  /** The device's stored leaves, path → value (loaded when a template reads one). */
  parameter(path: string): unknown;
  parametersUnder(prefix: string): Record<string, unknown>;
}

export class TemplateError extends Error {}

/** Splits text into literal runs and `{{...}}` templates; throws TemplateError on unbalanced braces. */
export function parseTemplate(text: string): Part[] {
  const stack: Part[][] = [[]];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') stack[stack.length - 1].push(literal);
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('{{', i)) {
      flush();
      stack.push([]);
      i++;
    } else if (text.startsWith('}}', i) && stack.length > 1) {
      flush();
      const inner = stack.pop() as Part[];
      stack[stack.length - 1].push({ nested: inner });
      i++;
    } else {
      literal += text[i];
    }
  }
  if (stack.length > 1) throw new TemplateError(`unclosed "{{" in ${JSON.stringify(text)}`);
  flush();
  return stack[0];
}

/** The template names a text uses (outermost and nested), for checks at load time. */
export function templateNames(text: string): string[] {
  const out: string[] = [];
  const visit = (parts: Part[]): string => {
    let s = '';
    for (const p of parts) {
      if (typeof p === 'string') s += p;
      else {
        const name = visit(p.nested);
        out.push(name);
        s += '\u0000';
      }
    }
    return s;
  };
  visit(parseTemplate(text));
  return out;
}

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Walks `a.b.0.c` into a value; undefined when some part is missing. */
function walk(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The value a template name stands for. */
export function lookupName(name: string, scope: TemplateScope): unknown {
  const trimmed = name.trim();
  if (trimmed.startsWith('param:')) return scope.parameter(trimmed.slice(6));
  if (trimmed.startsWith('params:')) return scope.parametersUnder(trimmed.slice(7));
  const [root, ...rest] = trimmed.split('.');
  switch (root) {
    case 'args':
      return walk(scope.args, rest);
    case 'vars':
      return walk(scope.vars, rest);
    case 'steps':
      return walk(scope.steps, rest);
    case 'device':
      return walk(scope.device, rest);
    case 'run':
      return walk(scope.run, rest);
    default:
      throw new TemplateError(`unknown template name "${trimmed}"`);
  }
}

export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Renders a string: a string that is exactly one template gives the value
 * itself (an object, a number); otherwise the text with each template's
 * value as text. `escape` transforms substituted text (for conditions).
 */
export function renderString(text: string, scope: TemplateScope, escape: (s: string) => string = (s) => s): unknown {
  const parts = parseTemplate(text);
  const evalParts = (ps: Part[], top: boolean): string =>
    ps.map((p) => (typeof p === 'string' ? p : top ? escape(asText(lookupName(evalParts(p.nested, false), scope))) : asText(lookupName(evalParts(p.nested, false), scope)))).join('');
  if (parts.length === 1 && typeof parts[0] !== 'string') return lookupName(evalParts(parts[0].nested, false), scope);
  return evalParts(parts, true);
}

/** Renders every string inside a JSON-like value. */
export function renderValue(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]));
  }
  return value;
}

/** Text safe inside a double-quoted string of the precondition language. */
export function escapeForCondition(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Renders a condition: always text, substituted values escaped. */
export function renderCondition(text: string, scope: TemplateScope): string {
  const parts = parseTemplate(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') {
    // A lone template: still text (a whole condition cannot be a value).
    return escapeForCondition(asText(renderString(text, scope)));
  }
  return renderString(text, scope, escapeForCondition) as string;
}
