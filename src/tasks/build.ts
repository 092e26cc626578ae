/**
 * An operator's task body (GenieACS's shape: `{ "name": "setParameterValues",
 * "parameterValues": [[path, value, type]] }`) checked and normalized into a
 * TaskSpec: the task's args as stored, and the first CWMP request it sends.
 * Bad input is an ACS_ERR_BAD_REQUEST naming the field. The later requests of
 * multi-RPC tasks (refreshObject, addObject with values) are follow-up.ts's.
 *
 * One file per family of task types: param-tasks.ts (data model),
 * transfer-tasks.ts (Download, Upload, ScheduleDownload, CancelTransfer),
 * du-tasks.ts (ChangeDUState), action-tasks.ts (Reboot, FactoryReset,
 * ScheduleInform, listings, provision).
 */
import { z } from 'zod';
import type { CpeRequest } from '../cwmp/soap/types';
import type { ProvisionCall } from '../presets/types';
import { ACTION_TASKS } from './action-tasks';
import { changeDUState } from './du-tasks';
import { bad, object, onlyFields, show } from './fields';
import type { TaskKind, TaskLookup } from './kind';
import { PARAM_TASKS } from './param-tasks';
import { TRANSFER_TASKS } from './transfer-tasks';
import { TASK_NAMES, type TaskName, type TaskRef, type TaskSpec } from './types';

export type { TaskLookup } from './kind';

/** Every task type's kind; typed by TaskName so a type added to TASK_NAMES without a builder does not compile. */
const KINDS: Record<TaskName, TaskKind> = {
  ...(PARAM_TASKS as Record<TaskName, TaskKind>),
  ...(TRANSFER_TASKS as Record<TaskName, TaskKind>),
  ...(ACTION_TASKS as Record<TaskName, TaskKind>),
  changeDUState,
};

/**
 * Fields of a task as GenieACS returns it (GET /tasks), accepted in a body so
 * a task read back can be posted again, and not kept in args. `expiry` is the
 * caller's (TaskTiming), read from the body by the route if it wants it.
 */
export const TASK_META_FIELDS: readonly string[] = ['_id', 'device', 'timestamp', 'expiry'];

const IGNORED = Object.fromEntries(TASK_META_FIELDS.map((field) => [field, z.unknown().optional().meta({ description: 'of a task read back (GET /tasks): taken, ignored' })]));

function bodyOf(name: TaskName): z.ZodObject {
  return z.strictObject({ name: z.literal(name), ...KINDS[name].body, ...IGNORED }).meta({ example: { name, ...KINDS[name].example } });
}

const [FIRST, ...OTHERS] = TASK_NAMES.map(bodyOf);

/**
 * Every task type's body, one per name: its fields' JSON shape, as the REST
 * API documents and first checks it. taskSpec checks the rest, for every caller.
 */
export const TASK_BODY = z.discriminatedUnion('name', [FIRST, ...OTHERS], {
  // The union's own issue is an unknown or missing name; a body that is no object keeps its wording.
  error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${TASK_NAMES.join(', ')}` : undefined),
});

/**
 * Checks and normalizes a task body. `lookup` supplies what the checks know of
 * the device and the ACS (parameter types, the file store, provisions); each
 * member is optional. Throws ACS_ERR_BAD_REQUEST naming the faulty field.
 */
export function taskSpec(body: unknown, lookup: TaskLookup = {}): TaskSpec {
  const b = object(body, 'the task');
  const name = b.name;
  if (typeof name !== 'string' || !isTaskName(name)) {
    bad(`name must be one of ${TASK_NAMES.join(', ')}; found ${show(name)}`);
  }
  const kind = KINDS[name];
  onlyFields(b, Object.keys(kind.body), name, ['name', ...TASK_META_FIELDS]);
  const fields = Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'name' && !TASK_META_FIELDS.includes(k)));
  const args = kind.normalize(fields, lookup);
  const spec: TaskSpec = { name, args };
  if (kind.request) spec.request = kind.request(args);
  if (kind.provisions) spec.provisions = kind.provisions(args);
  return spec;
}

/**
 * The first request of a stored task, rebuilt from its args (as taskSpec
 * normalized them) without checking them again; undefined for a provision task.
 */
export function firstRequest(task: Pick<TaskRef, 'name' | 'args'>): CpeRequest | undefined {
  const kind = KINDS[task.name];
  return kind.request?.(task.args);
}

/** The provisions a stored provision task runs, from its args (either shape it was stored in); undefined for an RPC task. */
export function taskProvisionCalls(task: Pick<TaskRef, 'name' | 'args'>): ProvisionCall[] | undefined {
  return KINDS[task.name].provisions?.(task.args);
}

function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}
