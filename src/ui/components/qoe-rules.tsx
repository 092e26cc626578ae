/**
 * The alert rules (GET /qoe/alert-rules): each one's name, profile,
 * expression, devices, severity, what it does when raised; with write scope,
 * a new rule, an edit, and a delete (after a question: its alerts go too).
 */
import { useState } from 'preact/hooks';
import type { AlertRule } from '../../qoe/alerts/types';
import { api } from '../lib/api';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';
import { RuleFormView } from './qoe-rule-form';

type Editing = { kind: 'none' } | { kind: 'new' } | { kind: 'edit'; rule: AlertRule };

function actionsOf(r: AlertRule): string {
  const out = [r.webhook ? 'webhook' : null, r.workflow ? `workflow ${r.workflow}` : null, r.cooldownS > 0 ? `cool-down ${r.cooldownS} s` : null].filter((x) => x !== null);
  return out.join(', ') || 'listed only';
}

function RuleRow(props: { r: AlertRule; canWrite: boolean; onEdit: () => void; onDelete: () => void }) {
  const { r } = props;
  return (
    <tr>
      <td>{r.name}</td>
      <td>{r.profile}</td>
      <td><code>{r.expression}</code></td>
      <td>{r.precondition ? <code>{r.precondition}</code> : 'every device'}</td>
      <td><span class={`severity ${r.severity}`}>{r.severity}</span></td>
      <td>{actionsOf(r)}</td>
      <td>{r.enabled ? 'yes' : 'no'}</td>
      {props.canWrite && (
        <td class="actions">
          <button type="button" class="small" aria-label={`Edit the rule ${r.name}`} onClick={props.onEdit}>Edit</button>
          <button type="button" class="small" aria-label={`Delete the rule ${r.name}`} onClick={props.onDelete}>Delete</button>
        </td>
      )}
    </tr>
  );
}

export function AlertRules(props: { rules: AlertRule[] | null; error: string | null; profiles: string[]; canWrite: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [deleting, setDeleting] = useState<AlertRule | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const saved = (r: AlertRule) => {
    setLine(`Saved the rule ${r.name}.`);
    setEditing({ kind: 'none' });
    props.onChanged();
  };
  const remove = async (r: AlertRule) => {
    setDeleting(null);
    try {
      await api('DELETE', `/qoe/alert-rules/${r.id}`);
      setLine(`Deleted the rule ${r.name} and its alerts.`);
      props.onChanged();
    } catch (err) {
      setLine(messageOf(err));
    }
  };
  const rules = props.rules;
  return (
    <>
      {props.canWrite && editing.kind === 'none' && (
        <p><button type="button" onClick={() => (setLine(null), setEditing({ kind: 'new' }))}>New alert rule</button></p>
      )}
      {line && <p role="status">{line}</p>}
      {editing.kind !== 'none' && (
        <RuleFormView key={editing.kind === 'edit' ? editing.rule.id : 'new'} rule={editing.kind === 'edit' ? editing.rule : null} profiles={props.profiles}
          onSaved={saved} onClose={() => setEditing({ kind: 'none' })} />
      )}
      {props.error && <p class="error" role="alert">{props.error}</p>}
      {rules && rules.length === 0 && <p class="none">No alert rules.</p>}
      {rules && rules.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Alert rules">
            <thead>
              <tr><th>Name</th><th>Profile</th><th>Expression</th><th>Devices</th><th>Severity</th><th>When raised</th><th>Enabled</th>{props.canWrite && <th><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <RuleRow key={r.id} r={r} canWrite={props.canWrite} onEdit={() => (setLine(null), setEditing({ kind: 'edit', rule: r }))} onDelete={() => setDeleting(r)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the rule ${deleting.name}?`} confirm="Delete" onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(null)}>
          <p>Its alerts, open and cleared, are deleted with it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
