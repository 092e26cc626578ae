/**
 * `acs provision --ext FILE.json`: ext() answered from a file instead of
 * the extensions, so a dry run needs no order system, no network, and gives
 * the same plan every time. The file maps an extension name (as the script
 * passes it to ext()) to its answer, or to answers by arguments:
 *
 * ```json
 * { "orders.lookup": { "value": { "plan": "basic" } },
 *   "billing": [ { "args": ["SN1"], "value": 42 },
 *                { "args": ["SN2"], "error": "no such customer" },
 *                { "value": 0 } ] }
 * ```
 *
 * A case without `args` answers any call; `error` answers an ext.error
 * fault. A call the file does not answer is an ext.unknown fault naming the
 * file: with --ext, no extension runs.
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { DryRunInputError } from './dry-run-device';
import { ExtensionHost, type ExtOutcome } from './ext';

interface ExtCase {
  args?: unknown[];
  value?: unknown;
  error?: string;
}

export type ExtAnswers = ReadonlyMap<string, ExtCase[]>;

/** Reads and checks an answers file; problems are input errors naming the entry. */
export function loadExtAnswers(file: string): ExtAnswers {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DryRunInputError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(doc)) throw new DryRunInputError(file, 'expected an object: { "<extension name>": { "value": ... } or [ { "args": [...], "value": ... } ] }');
  const out = new Map<string, ExtCase[]>();
  for (const [name, entry] of Object.entries(doc)) {
    const cases = Array.isArray(entry) ? entry : [entry];
    out.set(name, cases.map((c, i) => caseOf(file, Array.isArray(entry) ? `${name}[${i}]` : name, c)));
  }
  return out;
}

function caseOf(file: string, where: string, c: unknown): ExtCase {
  const bad = (problem: string): never => {
    throw new DryRunInputError(file, `"${where}": ${problem}`);
  };
  if (!isRecord(c)) return bad('expected { "value": ... } or { "error": "message" }, with "args": [...] to answer only those');
  if (('value' in c) === ('error' in c)) return bad('needs exactly one of "value" and "error"');
  if ('error' in c && typeof c.error !== 'string') return bad('"error" must be a message');
  if ('args' in c && !Array.isArray(c.args)) return bad('"args" must be an array');
  return c as ExtCase;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An extension host that answers from the file and runs nothing. */
export class AnsweringHost extends ExtensionHost {
  constructor(
    private readonly answers: ExtAnswers,
    private readonly file: string,
  ) {
    super({ dir: '.', timeoutMs: 0 });
  }

  override call(name: string, args: unknown[]): Promise<ExtOutcome> {
    const match = this.answers.get(name)?.find((c) => c.args === undefined || isDeepStrictEqual(c.args, args));
    if (!match) return Promise.resolve({ ok: false, code: 'ext.unknown', message: `${this.file} has no answer for ext('${name}') with args ${JSON.stringify(args)}` });
    if (match.error !== undefined) return Promise.resolve({ ok: false, code: 'ext.error', message: match.error });
    return Promise.resolve({ ok: true, value: match.value ?? null });
  }
}
