/**
 * Tasks without a data-model argument: reboot, factoryReset, scheduleInform,
 * the three listings (getRPCMethods, getQueuedTransfers,
 * getAllQueuedTransfers), and provision (named provision scripts run once in
 * the device's next session; no request of its own).
 */
import { z } from 'zod';
import { commandKeyText, nameText, scalar, unsignedIntShape } from './body-shapes';
import type { ProvisionCall } from '../presets/types';
import { array, bad, commandKey, MAX_NAME, object, onlyFields, show, text, unsignedInt, type Body } from './fields';
import { kind, type TaskKind, type TaskLookup } from './kind';

export const reboot = kind<{ commandKey: string }>({
  body: { commandKey: commandKeyText },
  example: {},
  normalize: (b) => ({ commandKey: commandKey(b.commandKey) }),
  request: (a) => ({ method: 'Reboot', CommandKey: a.commandKey }),
});

export const factoryReset = kind<Record<string, never>>({
  body: {},
  example: {},
  normalize: () => ({}),
  request: () => ({ method: 'FactoryReset' }),
});

/** DelaySeconds MUST be greater than zero (TR-069 A.4.1.3). */
export const scheduleInform = kind<{ delaySeconds: number; commandKey: string }>({
  body: { delaySeconds: unsignedIntShape.meta({ description: 'seconds from now, at least 1' }), commandKey: commandKeyText },
  example: { delaySeconds: 60 },
  normalize: (b) => {
    if (b.delaySeconds === undefined) bad('delaySeconds is required (seconds from now, at least 1)');
    return { delaySeconds: unsignedInt(b.delaySeconds, 'delaySeconds', 1), commandKey: commandKey(b.commandKey) };
  },
  request: (a) => ({ method: 'ScheduleInform', DelaySeconds: a.delaySeconds, CommandKey: a.commandKey }),
});

export const getRPCMethods = kind<Record<string, never>>({
  body: {},
  example: {},
  normalize: () => ({}),
  request: () => ({ method: 'GetRPCMethods' }),
});

export const getQueuedTransfers = kind<Record<string, never>>({
  body: {},
  example: {},
  normalize: () => ({}),
  request: () => ({ method: 'GetQueuedTransfers' }),
});

export const getAllQueuedTransfers = kind<Record<string, never>>({
  body: {},
  example: {},
  normalize: () => ({}),
  request: () => ({ method: 'GetAllQueuedTransfers' }),
});

/** A script's base name, as presets name provisions (letters, digits, '_', '-', '.'). */
const PROVISION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Provisions one task runs at most (a preset's worth). */
export const PROVISIONS_MAX = 100;

const provisionArgs = z.array(scalar).optional().meta({ description: 'its args' });

/**
 * One provision (`provision`, `args`), stored as given; or several
 * (`provisions`), run together in one session as a preset's provisions are:
 * an order for a preset is configured in the device's first session, not in
 * one session per provision.
 */
type ProvisionArgs = { provision: string; args: ProvisionCall['args'] } | { provisions: { provision: string; args: ProvisionCall['args'] }[] };

export const provision = kind<ProvisionArgs>({
  body: {
    provision: nameText.optional().meta({ description: 'the provision script\'s name (or give provisions)' }),
    args: provisionArgs,
    provisions: z
      .array(z.strictObject({ provision: nameText, args: provisionArgs }))
      .min(1)
      .max(PROVISIONS_MAX)
      .optional()
      .meta({ description: 'several provisions, run in this order in one session (instead of provision and args)' }),
  },
  example: { provision: 'wifi', args: ['HomeNet'] },
  normalize: (b, lookup) => {
    if (b.provisions === undefined) return provisionCall(b, '', lookup);
    if (b.provision !== undefined || b.args !== undefined) bad('give provision (with args) or provisions, not both');
    const list = array(b.provisions, 'provisions', 1, PROVISIONS_MAX);
    return { provisions: list.map((p, i) => provisionCall(object(p, `provisions[${i}]`), `provisions[${i}].`, lookup)) };
  },
  provisions: (a) => ('provisions' in a ? a.provisions : [a]).map((p) => ({ name: p.provision, args: p.args ?? [] })),
});

function provisionCall(b: Body, at: string, lookup: TaskLookup): { provision: string; args: ProvisionCall['args'] } {
  if (at !== '') onlyFields(b, ['provision', 'args'], at.slice(0, -1));
  if (b.provision === undefined) bad(`${at}provision is required (a provision script's name)`);
  const name = text(b.provision, `${at}provision`, MAX_NAME);
  if (!PROVISION_NAME.test(name)) bad(`${at}provision must be a script's base name (letters, digits, '_', '-', '.'), found ${show(name)}`);
  if (lookup.hasProvision && !lookup.hasProvision(name)) bad(`${at}provision: unknown provision ${show(name)}`);
  const args = b.args === undefined ? [] : array(b.args, `${at}args`, 0).map((a, i) => provisionArg(a, `${at}args[${i}]`));
  return { provision: name, args };
}

function provisionArg(value: unknown, field: string): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return bad(`${field} must be a string, number or boolean, found ${show(value)}`);
}

export const ACTION_TASKS: Record<string, TaskKind> = {
  reboot,
  factoryReset,
  scheduleInform,
  getRPCMethods,
  getQueuedTransfers,
  getAllQueuedTransfers,
  provision,
};
