/**
 * A device's parameters as a tree, expanded a level at a time: a node's
 * children are rendered only once it is opened. Each value shows its type,
 * whether it is writable and when it was read; a writable one can be edited
 * in place by a write-scoped operator, and an object refreshed from the device.
 */
import { useState } from 'preact/hooks';
import { ago, exact } from '../lib/format';
import { runTask, taskSummary, type Task } from '../lib/tasks';
import { nameOf, type Parameter, type Tree } from '../lib/tree';
import { ValueEditor } from './value-editor';

interface TreeProps {
  tree: Tree;
  deviceId: string;
  canWrite: boolean;
  onChanged: () => void;
}

function Leaf(props: TreeProps & { p: Parameter }) {
  const { p } = props;
  const [editing, setEditing] = useState(false);
  return (
    <li class="leaf">
      <span class="name" title={p.path}>{nameOf(p.path)}</span>
      <span class="value">{p.value ?? <em class="none">not read</em>}</span>
      <span class="type">{p.type?.replace('xsd:', '') ?? '?'}</span>
      <span class={p.writable ? 'rw' : 'ro'}>{p.writable ? 'writable' : 'read-only'}</span>
      <span class="age" title={exact(p.valueTime)}>{p.valueTime === null ? '' : ago(p.valueTime)}</span>
      {p.writable && props.canWrite && !editing && (
        <button type="button" class="small" onClick={() => setEditing(true)} aria-label={`Edit ${p.path}`}>Edit</button>
      )}
      {editing && <ValueEditor deviceId={props.deviceId} parameter={p} onClose={() => setEditing(false)} onDone={props.onChanged} />}
    </li>
  );
}

function Refresh(props: TreeProps & { p: Parameter }) {
  const [task, setTask] = useState<Task | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = async () => {
    setError(null);
    try {
      const last = await runTask(props.deviceId, { name: 'refreshObject', objectName: props.p.path }, setTask);
      if (last.status === 'done') props.onChanged();
    } catch (err) {
      setError(String((err as Error).message));
    }
  };
  return (
    <>
      <button type="button" class="small" onClick={refresh} aria-label={`Refresh ${props.p.path} from the device`}>Refresh</button>
      <span role="status" class={error ? 'error' : 'hint'}>{error ?? (task ? taskSummary(task) : '')}</span>
    </>
  );
}

function ObjectNode(props: TreeProps & { p: Parameter }) {
  const { p, tree } = props;
  const [open, setOpen] = useState(false);
  const children = tree.children.get(p.path) ?? [];
  return (
    <li class="object">
      <button type="button" class="toggle" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`${nameOf(p.path)}, ${children.length} items`}>
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> {nameOf(p.path)}
        <span class="count">{children.length}</span>
      </button>
      {props.canWrite && <Refresh {...props} />}
      {open && <Nodes {...props} list={children} />}
    </li>
  );
}

function Nodes(props: TreeProps & { list: Parameter[] }) {
  return (
    <ul class="tree">
      {props.list.map((p) => (p.kind === 'leaf' ? <Leaf key={p.path} {...props} p={p} /> : <ObjectNode key={p.path} {...props} p={p} />))}
    </ul>
  );
}

export function ParamTree(props: TreeProps) {
  if (props.tree.roots.length === 0) return <p class="none">No parameter read yet.</p>;
  return <Nodes {...props} list={props.tree.roots} />;
}
