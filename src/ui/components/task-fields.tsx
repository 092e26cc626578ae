/**
 * The task to run on many devices, as POST /devices/:id/tasks and campaigns
 * take it: a reboot, a refresh of a subtree (the values read again from the
 * CPE), or one value set. `idPrefix` keeps the ids of two forms on one page apart.
 */
import { useState } from 'preact/hooks';

export type TaskKind = 'reboot' | 'refreshObject' | 'setParameterValues';

export interface TaskDraft {
  kind: TaskKind;
  path: string;
  value: string;
  type: string;
}

export const NEW_TASK: TaskDraft = { kind: 'reboot', path: '', value: '', type: 'xsd:string' };

const KINDS: [TaskKind, string][] = [
  ['reboot', 'Reboot'],
  ['refreshObject', 'Refresh a subtree'],
  ['setParameterValues', 'Set a value'],
];
const TYPES = ['xsd:string', 'xsd:boolean', 'xsd:int', 'xsd:unsignedInt', 'xsd:dateTime'];

/** The task's body, or what is missing in words. */
export function taskBodyOf(d: TaskDraft): { body: Record<string, unknown> } | { error: string } {
  const path = d.path.trim();
  if (d.kind === 'reboot') return { body: { name: 'reboot' } };
  if (d.kind === 'refreshObject') {
    // The API takes "" for the whole data model; on many devices at once that must be asked for by name (Device.).
    if (path === '') return { error: 'Give the subtree to refresh, e.g. Device.WiFi. (Device. for the whole data model)' };
    return { body: { name: 'refreshObject', objectName: path } };
  }
  if (path === '' || path.endsWith('.')) return { error: 'Give the parameter to set, e.g. Device.ManagementServer.PeriodicInformInterval' };
  return { body: { name: 'setParameterValues', parameterValues: [[path, d.value, d.type]] } };
}

/** "reboot", "refreshObject Device.WiFi.", "set Device.X = 1": what the confirmation and summary call it. */
export function taskLabel(d: TaskDraft): string {
  if (d.kind === 'reboot') return 'Reboot';
  if (d.kind === 'refreshObject') return `Refresh ${d.path.trim()}`;
  return `Set ${d.path.trim()} = ${JSON.stringify(d.value)}`;
}

export function TaskFields(props: { idPrefix: string; draft: TaskDraft; onChange: (d: TaskDraft) => void }) {
  const { draft, idPrefix: p } = props;
  const set = (change: Partial<TaskDraft>) => props.onChange({ ...draft, ...change });
  return (
    <>
      <label for={`${p}-kind`}>Task</label>
      <select id={`${p}-kind`} value={draft.kind} onChange={(e) => set({ kind: e.currentTarget.value as TaskKind })}>
        {KINDS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
      </select>
      {draft.kind !== 'reboot' && (
        <>
          <label for={`${p}-path`}>{draft.kind === 'refreshObject' ? 'Subtree' : 'Parameter'}</label>
          <input id={`${p}-path`} value={draft.path} size={32} onInput={(e) => set({ path: e.currentTarget.value })}
            placeholder={draft.kind === 'refreshObject' ? 'Device.WiFi.' : 'Device.ManagementServer.PeriodicInformInterval'} />
        </>
      )}
      {draft.kind === 'setParameterValues' && (
        <>
          <label for={`${p}-value`}>Value</label>
          <input id={`${p}-value`} value={draft.value} size={12} onInput={(e) => set({ value: e.currentTarget.value })} />
          <label for={`${p}-type`}>Type</label>
          <select id={`${p}-type`} value={draft.type} onChange={(e) => set({ type: e.currentTarget.value })}>
            {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </>
      )}
    </>
  );
}

/** A task draft kept by a component. */
export const useTaskDraft = () => useState<TaskDraft>(NEW_TASK);
