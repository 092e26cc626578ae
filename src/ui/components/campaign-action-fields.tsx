/**
 * What a new campaign does to each device, as POST /campaigns takes it:
 * a task (JSON, as POST /devices/:id/tasks takes it), a provision with its
 * arguments, or a workflow of WORKFLOWS_DIR with an input per argument it
 * declares.
 */
import { api } from '../lib/api';
import type { ActionKind, CampaignForm } from '../lib/campaign-form';
import type { ListedScript } from '../lib/scripts';
import { useLoad } from '../lib/use-load';
import type { WorkflowInfo } from '../lib/workflows';

type Props = { f: CampaignForm; set: (changes: Partial<CampaignForm>) => void; describedBy: string; invalid: boolean };

const KINDS: { kind: ActionKind; label: string }[] = [
  { kind: 'task', label: 'Task' },
  { kind: 'provision', label: 'Provision' },
  { kind: 'workflow', label: 'Workflow' },
];

function WorkflowArgs(props: Props & { info: WorkflowInfo | undefined }) {
  const { f, info } = props;
  if (!info) return null;
  const args = Object.entries(info.args);
  if (args.length === 0) return <p class="hint">{info.description} (no arguments)</p>;
  return (
    <div class="args">
      <p class="hint">{info.description}</p>
      {args.map(([name, def]) => (
        <div key={name} class="arg">
          <label for={`wf-arg-${name}`}>{name}{def.required ? ' (required)' : ''}</label>
          <input
            id={`wf-arg-${name}`}
            value={f.workflowArgs[name] ?? ''}
            placeholder={def.default === undefined ? '' : String(def.default)}
            onInput={(e) => props.set({ workflowArgs: { ...f.workflowArgs, [name]: e.currentTarget.value } })}
          />
          {def.description && <span class="hint">{def.description}</span>}
        </div>
      ))}
    </div>
  );
}

function Chosen(props: Props & { workflows: WorkflowInfo[]; provisions: ListedScript[] }) {
  const { f, set } = props;
  const aria = { 'aria-describedby': props.describedBy, 'aria-invalid': props.invalid };
  if (f.kind === 'task') {
    return (
      <div class="arg">
        <label for="c-task">Task (JSON)</label>
        <textarea id="c-task" rows={3} value={f.task} onInput={(e) => set({ task: e.currentTarget.value })} {...aria} />
        <span class="hint">As POST /devices/:id/tasks takes it, e.g. <code>{'{ "name": "reboot" }'}</code></span>
      </div>
    );
  }
  if (f.kind === 'provision') {
    return (
      <div class="args">
        <div class="arg">
          <label for="c-provision">Provision</label>
          <select id="c-provision" value={f.provision} onChange={(e) => set({ provision: e.currentTarget.value })} {...aria}>
            <option value="">choose…</option>
            {props.provisions.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
          </select>
        </div>
        <div class="arg">
          <label for="c-provision-args">Arguments (JSON list)</label>
          <input id="c-provision-args" value={f.provisionArgs} onInput={(e) => set({ provisionArgs: e.currentTarget.value })} />
        </div>
      </div>
    );
  }
  return (
    <div class="args">
      <div class="arg">
        <label for="c-workflow">Workflow</label>
        <select id="c-workflow" value={f.workflow} onChange={(e) => set({ workflow: e.currentTarget.value, workflowArgs: {} })} {...aria}>
          <option value="">choose…</option>
          {props.workflows.map((w) => <option key={w.name} value={w.name}>{w.name}</option>)}
        </select>
      </div>
      <WorkflowArgs {...props} info={props.workflows.find((w) => w.name === f.workflow)} />
    </div>
  );
}

export function ActionFields(props: Props) {
  const workflows = useLoad(async () => (await api<WorkflowInfo[]>('GET', '/workflows')).data, []);
  const provisions = useLoad(async () => (await api<ListedScript[]>('GET', '/provisions')).data, []);
  return (
    <fieldset class="action">
      <legend>Action on each device</legend>
      <div class="kinds" role="radiogroup" aria-label="Action kind">
        {KINDS.map((k) => (
          <label key={k.kind} class="radio">
            <input type="radio" name="c-kind" value={k.kind} checked={props.f.kind === k.kind} onChange={() => props.set({ kind: k.kind })} />
            {k.label}
          </label>
        ))}
      </div>
      <Chosen {...props} workflows={workflows.data ?? []} provisions={provisions.data ?? []} />
      <label class="check">
        <input type="checkbox" checked={props.f.connectionRequest} onChange={(e) => props.set({ connectionRequest: e.currentTarget.checked })} />
        Ask each device to connect when its turn comes (connection request)
      </label>
    </fieldset>
  );
}
