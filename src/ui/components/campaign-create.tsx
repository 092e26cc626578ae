/**
 * A new campaign (write scope): its name, the devices (a precondition),
 * the action, the stages, the pace and the failure rule, an optional
 * maintenance window. The API checks everything; its 400 is shown at the
 * field it names.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { campaignBody, fieldMessage, fieldOf, FormError, NEW_FORM, type CampaignForm, type FormField } from '../lib/campaign-form';
import type { CampaignView } from '../lib/campaigns';
import { messageOf } from '../lib/use-load';
import { ActionFields } from './campaign-action-fields';
import { StagesEditor } from './campaign-stages';

interface Problem {
  field: FormField;
  message: string;
}

const msgId = (field: FormField) => `c-${field}-msg`;

/** The message under a field (read out as the field's description). */
function Msg(props: { field: FormField; problem: Problem | null; hint?: ComponentChildren }) {
  const mine = props.problem?.field === props.field ? props.problem.message : null;
  if (!mine && !props.hint) return null;
  return (
    <span id={msgId(props.field)} class={mine ? 'error field-msg' : 'hint field-msg'} role={mine ? 'alert' : undefined}>
      {mine ?? props.hint}
    </span>
  );
}

function TextField(props: { field: FormField; label: string; value: string; onInput: (v: string) => void; problem: Problem | null; hint?: ComponentChildren; short?: boolean }) {
  const id = `c-${props.field}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class={props.short ? 'short' : undefined}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.problem?.field === props.field}
        aria-describedby={msgId(props.field)}
      />
      <Msg field={props.field} problem={props.problem} hint={props.hint} />
    </div>
  );
}

function Limits(props: { f: CampaignForm; set: (c: Partial<CampaignForm>) => void; problem: Problem | null }) {
  const { f, set, problem } = props;
  return (
    <fieldset class="limits">
      <legend>Pace and failure rule</legend>
      <TextField field="ratePerMinute" label="Devices started per minute" short value={f.ratePerMinute} onInput={(v) => set({ ratePerMinute: v })} problem={problem} />
      <TextField field="maxInFlight" label="At most in flight" short value={f.maxInFlight} onInput={(v) => set({ maxInFlight: v })} problem={problem} />
      <TextField field="failureThreshold" label="Stop when failures reach (%)" short value={f.failurePercent} onInput={(v) => set({ failurePercent: v })} problem={problem}
        hint="of a stage's finished devices" />
      <TextField field="minSample" label="once this many finished" short value={f.minSample} onInput={(v) => set({ minSample: v })} problem={problem}
        hint="(or all of a smaller stage)" />
    </fieldset>
  );
}

function Window(props: { f: CampaignForm; set: (c: Partial<CampaignForm>) => void; problem: Problem | null }) {
  const { f, set } = props;
  return (
    <fieldset class="window" aria-describedby={msgId('window')}>
      <legend>Maintenance window</legend>
      <label class="check">
        <input type="checkbox" checked={f.windowOn} onChange={(e) => set({ windowOn: e.currentTarget.checked })} />
        Start devices only between
      </label>
      {f.windowOn && (
        <span class="window-times">
          <label for="c-window-start" class="sr-only">Window start</label>
          <input id="c-window-start" type="time" value={f.windowStart} onInput={(e) => set({ windowStart: e.currentTarget.value })} />
          <span>and</span>
          <label for="c-window-end" class="sr-only">Window end</label>
          <input id="c-window-end" type="time" value={f.windowEnd} onInput={(e) => set({ windowEnd: e.currentTarget.value })} />
          <label for="c-window-zone">time zone</label>
          <input id="c-window-zone" value={f.windowZone} onInput={(e) => set({ windowZone: e.currentTarget.value })} />
          <span class="hint">(each device's own zone when it reports one)</span>
        </span>
      )}
      <Msg field="window" problem={props.problem} />
    </fieldset>
  );
}

export function CampaignCreate(props: { onCreated: (c: CampaignView) => void; onClose: () => void }) {
  const [f, setF] = useState<CampaignForm>(NEW_FORM);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<CampaignForm>) => setF((old) => ({ ...old, ...changes }));
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      props.onCreated((await api<CampaignView>('POST', '/campaigns', campaignBody(f))).data);
    } catch (err) {
      const message = messageOf(err);
      const field = err instanceof FormError ? err.field : fieldOf(message);
      setProblem({ field, message: fieldMessage(field, message) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="campaign-form" aria-labelledby="new-campaign-title" onSubmit={submit} noValidate>
      <h2 id="new-campaign-title">New campaign</h2>
      <TextField field="name" label="Name" value={f.name} onInput={(v) => set({ name: v })} problem={problem} />
      <TextField field="query" label="Devices" value={f.query} onInput={(v) => set({ query: v })} problem={problem}
        hint={<>A precondition as in presets, e.g. <code>Tags.lab</code> or <code>DeviceID.ProductClass = "XX230v"</code>; empty for every device.</>} />
      <ActionFields f={f} set={set} describedBy={msgId('action')} invalid={problem?.field === 'action'} />
      <Msg field="action" problem={problem} />
      <StagesEditor stages={f.stages} onChange={(stages) => set({ stages })} describedBy={msgId('stages')} />
      <Msg field="stages" problem={problem} />
      <Limits f={f} set={set} problem={problem} />
      <Window f={f} set={set} problem={problem} />
      <label class="check">
        <input type="checkbox" checked={f.draft} onChange={(e) => set({ draft: e.currentTarget.checked })} />
        Save as a draft (start it later)
      </label>
      <Msg field="form" problem={problem} />
      <div class="form-buttons">
        <button type="submit" disabled={busy}>{f.draft ? 'Save draft' : 'Create and start'}</button>
        <button type="button" class="small" onClick={props.onClose}>Close</button>
      </div>
    </form>
  );
}
