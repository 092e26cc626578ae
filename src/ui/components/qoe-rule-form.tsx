/**
 * An alert rule, new (POST /qoe/alert-rules) or edited (PUT
 * /qoe/alert-rules/:id): its name, the collection profile whose series it
 * reads, the expression, which devices (a precondition), severity, the
 * webhook, a workflow to start, the cool-down. The API checks everything
 * (an expression's error names its column); its 400 shows at the field.
 */
import { useState } from 'preact/hooks';
import { SEVERITIES, type AlertRule, type Severity } from '../../qoe/alerts/types';
import { api, ApiError } from '../lib/api';
import { messageOf } from '../lib/use-load';
import { Field, fieldOf, Msg, type Problem } from './qoe-field';

const FORM = 'rule';
const FIELDS = ['name', 'profile', 'expression', 'precondition', 'severity', 'workflow', 'workflowArgs', 'cooldownS'] as const;

interface RuleForm {
  name: string;
  profile: string;
  expression: string;
  precondition: string;
  severity: Severity;
  webhook: boolean;
  workflow: string;
  workflowArgs: string;
  cooldownS: string;
  enabled: boolean;
}

const formOf = (r: AlertRule | null, profile: string): RuleForm => ({
  name: r?.name ?? '',
  profile: r?.profile ?? profile,
  expression: r?.expression ?? '',
  precondition: r?.precondition ?? '',
  severity: r?.severity ?? 'warning',
  webhook: r?.webhook ?? true,
  workflow: r?.workflow ?? '',
  workflowArgs: r && Object.keys(r.workflowArgs).length > 0 ? JSON.stringify(r.workflowArgs) : '',
  cooldownS: String(r?.cooldownS ?? 0),
  enabled: r?.enabled ?? true,
});

class FormProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** The request's body; what the form itself can tell is wrong (not JSON, not a number) is thrown as a FormProblem. */
function bodyOf(f: RuleForm): Record<string, unknown> {
  let args: unknown;
  if (f.workflowArgs.trim() !== '') {
    try {
      args = JSON.parse(f.workflowArgs);
    } catch {
      throw new FormProblem('workflowArgs', 'workflowArgs: not JSON (an object, e.g. {"reason": "errors"})');
    }
  }
  const cooldown = f.cooldownS.trim() === '' ? 0 : Number(f.cooldownS);
  if (!Number.isFinite(cooldown)) throw new FormProblem('cooldownS', 'cooldownS: must be a number of seconds');
  return {
    name: f.name.trim(), profile: f.profile, expression: f.expression, precondition: f.precondition.trim() === '' ? null : f.precondition,
    severity: f.severity, webhook: f.webhook, workflow: f.workflow.trim() === '' ? null : f.workflow.trim(),
    ...(args !== undefined ? { workflowArgs: args } : {}), cooldownS: cooldown, enabled: f.enabled,
  };
}

/** Where an error of the API goes: its field, the name when taken (409), the workflow when it names one. */
function problemOf(err: unknown): Problem {
  if (err instanceof FormProblem) return { field: err.field, message: err.message };
  const message = messageOf(err);
  if (err instanceof ApiError && err.status === 409) return { field: 'name', message };
  const field = fieldOf(message, FIELDS);
  return { field: field === 'form' && /workflow/i.test(message) ? 'workflow' : field, message };
}

function ProfileSelect(props: { f: RuleForm; profiles: string[]; set: (c: Partial<RuleForm>) => void; problem: Problem | null }) {
  const names = props.profiles.includes(props.f.profile) ? props.profiles : [props.f.profile, ...props.profiles];
  return (
    <div class="field">
      <label for={`${FORM}-profile`}>Collection profile</label>
      <select id={`${FORM}-profile`} value={props.f.profile} onChange={(e) => props.set({ profile: e.currentTarget.value })}
        aria-invalid={props.problem?.field === 'profile'} aria-describedby={`${FORM}-profile-msg`}>
        {names.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
      <Msg form={FORM} field="profile" problem={props.problem} hint="whose series the expression reads" />
    </div>
  );
}

function Options(props: { f: RuleForm; set: (c: Partial<RuleForm>) => void; problem: Problem | null }) {
  const { f, set, problem } = props;
  return (
    <>
      <div class="field">
        <label for={`${FORM}-severity`}>Severity</label>
        <select id={`${FORM}-severity`} value={f.severity} onChange={(e) => set({ severity: e.currentTarget.value as Severity })}>
          {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <Field form={FORM} field="workflow" label="Workflow" value={f.workflow} onInput={(v) => set({ workflow: v })} problem={problem} hint="started on the device when an alert is raised; empty for none" />
      <Field form={FORM} field="workflowArgs" label="Workflow args (JSON)" value={f.workflowArgs} onInput={(v) => set({ workflowArgs: v })} problem={problem} />
      <Field form={FORM} field="cooldownS" label="Cool-down (s)" short inputMode="numeric" value={f.cooldownS} onInput={(v) => set({ cooldownS: v })} problem={problem}
        hint="after an alert clears on a device, none is raised there again for this long" />
      <div class="field">
        <span />
        <span>
          <label class="check"><input type="checkbox" checked={f.webhook} onChange={(e) => set({ webhook: e.currentTarget.checked })} /> Send qoe.alert webhooks</label>
          <label class="check"><input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> Enabled</label>
        </span>
      </div>
    </>
  );
}

export function RuleFormView(props: { rule: AlertRule | null; profiles: string[]; onSaved: (r: AlertRule) => void; onClose: () => void }) {
  const [f, setF] = useState<RuleForm>(() => formOf(props.rule, props.profiles[0] ?? 'interfaces'));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (c: Partial<RuleForm>) => setF((old) => ({ ...old, ...c }));
  const editing = props.rule !== null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      const body = bodyOf(f);
      const saved = editing ? await api<AlertRule>('PUT', `/qoe/alert-rules/${props.rule!.id}`, body) : await api<AlertRule>('POST', '/qoe/alert-rules', body);
      props.onSaved(saved.data);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };
  const title = editing ? `Edit the rule ${props.rule!.name}` : 'New alert rule';
  return (
    <form class="qoe-form" aria-labelledby="rule-form-title" onSubmit={submit} noValidate>
      <h3 id="rule-form-title">{title}</h3>
      <Field form={FORM} field="name" label="Name" value={f.name} onInput={(v) => set({ name: v })} problem={problem} />
      <ProfileSelect f={f} profiles={props.profiles} set={set} problem={problem} />
      <Field form={FORM} field="expression" label="Expression" value={f.expression} onInput={(v) => set({ expression: v })} problem={problem}
        hint={<>e.g. <code>rate(WANErrors) &gt; 10/min for 15 min</code>, <code>reboots &gt; 3 in 1 day</code>, <code>avg(Device.WiFi.Radio.*.Stats.Noise) &gt; -70 for 30 min</code></>} />
      <Field form={FORM} field="precondition" label="Devices" value={f.precondition} onInput={(v) => set({ precondition: v })} problem={problem}
        hint={<>a precondition as in presets, e.g. <code>Tags.fibre</code>; empty for every device of the profile</>} />
      <Options f={f} set={set} problem={problem} />
      <Msg form={FORM} field="form" problem={problem} />
      <div class="form-buttons">
        <button type="submit" disabled={busy}>{editing ? 'Save the rule' : 'Create the rule'}</button>
        <button type="button" class="small" onClick={props.onClose}>Cancel</button>
      </div>
    </form>
  );
}
