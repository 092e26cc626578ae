/**
 * A rule as the REST API (and any other caller) gives it: its shape (the
 * zod schema the route documents) and what the shape cannot say: the
 * expression parses, the precondition compiles, the workflow exists and
 * takes the args. Every refusal is a 400 naming the field.
 */
import { z } from 'zod';
import { compileDeviceQuery } from '../../db/device-query';
import { FieldError, firstIssue, predicate } from '../../nbi/api/messages';
import { WORKFLOW_NAME } from '../../workflows/load';
import { EXPRESSION_MAX, parseExpression } from './expression';
import { SEVERITIES, type AlertExpression, type AlertRuleInput } from './types';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const COOLDOWN_MAX_S = 30 * 86_400;

const name = (what: string) => z.string().regex(NAME, { error: `must be ${what}: 1 to 64 of A-Z a-z 0-9 _ . -` });

export const alertRuleBody = z
  .strictObject({
    name: name('the rule\'s name'),
    profile: name('a collection profile\'s name').meta({ description: 'the collection profile whose series the expression reads' }),
    expression: z.string().min(1).max(EXPRESSION_MAX).meta({ description: 'e.g. rate(WANErrors) > 10/min for 15 min, reboots > 3 in 1 day (grammar: README)' }),
    precondition: z.string().nullable().optional().meta({ description: 'a precondition (presets\' language): only the devices it matches' }),
    severity: z.enum(SEVERITIES).optional().meta({ description: 'warning when absent' }),
    webhook: z.boolean().optional().meta({ description: 'emit qoe.alert when raised and cleared (default true)' }),
    workflow: z.string().regex(WORKFLOW_NAME, { error: 'must be a workflow name' }).nullable().optional().meta({ description: 'a workflow of WORKFLOWS_DIR started on the device when an alert is raised' }),
    workflowArgs: z.record(z.string(), z.unknown()).optional().meta({ description: 'the workflow\'s args' }),
    cooldownS: z.number().int().min(0).max(COOLDOWN_MAX_S).optional().meta({ description: 'seconds after a clear before the rule raises again on that device (default 0)' }),
    enabled: z.boolean().optional(),
  })
  .meta({ example: { name: 'wan-errors', profile: 'interfaces', expression: 'rate(WANErrors) > 10/min for 15 min', severity: 'major', workflow: null } });

export type AlertRuleBody = z.input<typeof alertRuleBody>;

/** What the checks may ask of the rest of the ACS; each absent check passes. */
export interface RuleChecks {
  /** Throws (an AcsError naming the problem) when the workflow is unknown or refuses the args: the workflow library's get + checkArgs. */
  checkWorkflow?: (name: string, args: Record<string, unknown>) => void;
  /** Whether a collection profile of that name exists. */
  profileExists?: (name: string) => boolean | Promise<boolean>;
}

/** The expression parsed, or a 400 naming the column and what was expected there. */
export function checkExpression(text: string): AlertExpression {
  const r = parseExpression(text);
  if (!r.ok) throw new FieldError('body', 'expression', `expression: ${r.message}`);
  return r.expression;
}

function checkPrecondition(text: string | null | undefined): string | null {
  if (text === undefined || text === null || text.trim() === '') return null;
  const q = compileDeviceQuery({ filter: text });
  if (!q.ok) throw new FieldError('body', 'precondition', `precondition: ${q.message}`);
  return text;
}

function checkWorkflow(workflow: string | null, args: Record<string, unknown> | undefined, checks: RuleChecks): void {
  if (workflow === null) {
    if (args !== undefined && Object.keys(args).length > 0) throw new FieldError('body', 'workflowArgs', 'workflowArgs only goes with a workflow');
    return;
  }
  try {
    checks.checkWorkflow?.(workflow, args ?? {});
  } catch (err) {
    throw new FieldError('body', 'workflow', err instanceof Error ? err.message : String(err));
  }
}

/** The body checked and completed with the defaults. */
export async function ruleInput(body: unknown, checks: RuleChecks = {}): Promise<AlertRuleInput> {
  const parsed = alertRuleBody.safeParse(body, { error: predicate });
  if (!parsed.success) throw firstIssue(parsed.error, 'body');
  const b = parsed.data;
  checkExpression(b.expression);
  const precondition = checkPrecondition(b.precondition);
  const workflow = b.workflow ?? null;
  checkWorkflow(workflow, b.workflowArgs, checks);
  if (checks.profileExists && !(await checks.profileExists(b.profile))) throw new FieldError('body', 'profile', `profile: no collection profile named ${JSON.stringify(b.profile)}`);
  return {
    name: b.name,
    profile: b.profile,
    expression: b.expression,
    precondition,
    severity: b.severity ?? 'warning',
    webhook: b.webhook ?? true,
    workflow,
    workflowArgs: workflow === null ? {} : (b.workflowArgs ?? {}),
    cooldownS: b.cooldownS ?? 0,
    enabled: b.enabled ?? true,
  };
}
