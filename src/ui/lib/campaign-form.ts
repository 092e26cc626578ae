/**
 * The new-campaign form as data: what the operator typed (all text, as
 * inputs hold it), the POST /campaigns body made from it, and which field a
 * 400 is about. The API names the field at the start of its message
 * ("stages[1].percent must be ...", "query.filter: ...", "action.task: ..."),
 * so the message is shown at that field.
 */

export type ActionKind = 'task' | 'provision' | 'workflow';
export type StageMode = 'percent' | 'count' | 'rest';

export interface StageInput {
  mode: StageMode;
  value: string;
  wait: string;
}

export interface CampaignForm {
  name: string;
  query: string;
  kind: ActionKind;
  /** The task as JSON, as POST /devices/:id/tasks takes it. */
  task: string;
  provision: string;
  /** The provision's arguments as a JSON list. */
  provisionArgs: string;
  workflow: string;
  /** The workflow's arguments by name; empty ones are left out (the workflow's default applies). */
  workflowArgs: Record<string, string>;
  connectionRequest: boolean;
  stages: StageInput[];
  ratePerMinute: string;
  maxInFlight: string;
  /** Percent, as operators think of it; the API takes a ratio. */
  failurePercent: string;
  minSample: string;
  windowOn: boolean;
  windowStart: string;
  windowEnd: string;
  windowZone: string;
  draft: boolean;
}

/** The form's fields that an error can be shown at. */
export type FormField = 'name' | 'query' | 'action' | 'stages' | 'ratePerMinute' | 'maxInFlight' | 'failureThreshold' | 'minSample' | 'window' | 'form';

export const NEW_FORM: CampaignForm = {
  name: '',
  query: '',
  kind: 'task',
  task: '{ "name": "reboot" }',
  provision: '',
  provisionArgs: '[]',
  workflow: '',
  workflowArgs: {},
  connectionRequest: true,
  stages: [{ mode: 'percent', value: '10', wait: '0' }, { mode: 'rest', value: '', wait: '0' }],
  ratePerMinute: '60',
  maxInFlight: '100',
  failurePercent: '20',
  minSample: '10',
  windowOn: false,
  windowStart: '02:00',
  windowEnd: '05:00',
  windowZone: 'UTC',
  draft: false,
};

export class FormError extends Error {
  constructor(readonly field: FormField, message: string) {
    super(message);
  }
}

function json(text: string, field: FormField, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FormError(field, `${what} is not valid JSON`);
  }
}

/** A number as typed; text that is not one is sent as is, so the API's message names the field. */
const num = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);
/** An optional number: left out when empty (the API's default applies). */
const opt = (text: string): number | string | undefined => (text.trim() === '' ? undefined : num(text));

function action(f: CampaignForm): Record<string, unknown> {
  if (f.kind === 'task') return { task: json(f.task, 'action', 'The task') };
  if (f.kind === 'provision') return { provision: f.provision, args: json(f.provisionArgs || '[]', 'action', 'The arguments') };
  const args = Object.fromEntries(Object.entries(f.workflowArgs).filter(([, v]) => v.trim() !== ''));
  return { workflow: f.workflow, args };
}

function stage(s: StageInput): Record<string, unknown> {
  const share = s.mode === 'rest' ? {} : { [s.mode]: num(s.value) };
  return { ...share, waitMinutes: opt(s.wait) };
}

/** The body of POST /campaigns; throws FormError for what cannot be sent at all (JSON that does not parse). */
export function campaignBody(f: CampaignForm): Record<string, unknown> {
  const threshold = opt(f.failurePercent);
  return {
    name: f.name,
    query: f.query,
    action: action(f),
    connectionRequest: f.connectionRequest,
    stages: f.stages.map(stage),
    ratePerMinute: opt(f.ratePerMinute),
    maxInFlight: opt(f.maxInFlight),
    failureThreshold: typeof threshold === 'number' ? threshold / 100 : threshold,
    minSample: opt(f.minSample),
    ...(f.windowOn ? { window: { start: f.windowStart, end: f.windowEnd, timezone: f.windowZone || 'UTC' } } : {}),
    draft: f.draft,
  };
}

const FIELDS: readonly FormField[] = ['name', 'query', 'action', 'stages', 'ratePerMinute', 'maxInFlight', 'failureThreshold', 'minSample', 'window'];

/** The field a 400's message begins with ("stages[1].percent must …" → stages); "form" when it names none. */
export function fieldOf(message: string): FormField {
  const head = /^(?:campaign: unknown field ")?([A-Za-z]+)/.exec(message)?.[1] ?? '';
  if (head === 'connectionRequest') return 'action';
  return (FIELDS as readonly string[]).includes(head) ? (head as FormField) : 'form';
}

/** The failure threshold in the API's message reads as a ratio; the form asks for percent: say so. */
export function fieldMessage(field: FormField, message: string): string {
  return field === 'failureThreshold' ? `${message} (the form takes percent: 20 for 0.2)` : message;
}
