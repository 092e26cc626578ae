/**
 * A form field of the QoE forms (alert rules, collection profiles) with its
 * message under it: a hint, or the API's 400 for that field (read out as
 * the field's description, and announced). The API names the field at the
 * start of its message ("expression: …", "intervalS must be …",
 * "parameters[2].kind …"); `fieldOf` finds which of the form's fields it is.
 */
import type { ComponentChildren } from 'preact';

export interface Problem {
  /** A field of the form, or "form" for the message under the buttons. */
  field: string;
  message: string;
}

export const msgId = (form: string, field: string): string => `${form}-${field}-msg`;

/** The field a message of the API names, among `fields` (its first word, up to ":", " ", "." or "["); else "form". */
export function fieldOf(message: string, fields: readonly string[]): string {
  const head = /^([A-Za-z0-9]+)/.exec(message)?.[1] ?? '';
  return fields.includes(head) ? head : 'form';
}

/** The message under a field: its problem, else its hint. */
export function Msg(props: { form: string; field: string; problem: Problem | null; hint?: ComponentChildren }) {
  const mine = props.problem?.field === props.field ? props.problem.message : null;
  if (!mine && !props.hint) return null;
  return (
    <span id={msgId(props.form, props.field)} class={mine ? 'error field-msg' : 'hint field-msg'} role={mine ? 'alert' : undefined}>
      {mine ?? props.hint}
    </span>
  );
}

interface FieldProps {
  form: string;
  field: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  problem: Problem | null;
  hint?: ComponentChildren;
  short?: boolean;
  /** A textarea of this many rows instead of an input. */
  rows?: number;
  inputMode?: 'numeric';
  readOnly?: boolean;
}

export function Field(p: FieldProps) {
  const id = `${p.form}-${p.field}`;
  const invalid = p.problem?.field === p.field;
  const described = p.hint || invalid ? msgId(p.form, p.field) : undefined;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      {p.rows ? (
        <textarea id={id} rows={p.rows} value={p.value} spellcheck={false} onInput={(e) => p.onInput(e.currentTarget.value)} aria-invalid={invalid} aria-describedby={described} />
      ) : (
        <input id={id} class={p.short ? 'short' : undefined} value={p.value} inputMode={p.inputMode} readOnly={p.readOnly} spellcheck={false}
          onInput={(e) => p.onInput(e.currentTarget.value)} aria-invalid={invalid} aria-describedby={described} />
      )}
      <Msg form={p.form} field={p.field} problem={p.problem} hint={p.hint} />
    </div>
  );
}
