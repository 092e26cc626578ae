/**
 * Tasks without a data-model argument: reboot, factoryReset, scheduleInform,
 * the three listings (getRPCMethods, getQueuedTransfers,
 * getAllQueuedTransfers), and provision (a named provision script run once in
 * the device's next session; no request of its own).
 */
import { z } from 'zod';
import { commandKeyText, nameText, scalar, unsignedIntShape } from './body-shapes';
import { array, bad, commandKey, MAX_NAME, show, text, unsignedInt } from './fields';
import { kind, type TaskKind } from './kind';

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

export const provision = kind<{ provision: string; args: (string | number | boolean)[] }>({
  body: {
    provision: nameText.meta({ description: 'the provision script\'s name' }),
    args: z.array(scalar).optional().meta({ description: 'its args' }),
  },
  example: { provision: 'wifi', args: ['HomeNet'] },
  normalize: (b, lookup) => {
    const name = text(b.provision, 'provision', MAX_NAME);
    if (!PROVISION_NAME.test(name)) bad(`provision must be a script's base name (letters, digits, '_', '-', '.'), found ${show(name)}`);
    if (lookup.hasProvision && !lookup.hasProvision(name)) bad(`provision: unknown provision ${show(name)}`);
    const args = b.args === undefined ? [] : array(b.args, 'args', 0).map((a, i) => provisionArg(a, `args[${i}]`));
    return { provision: name, args };
  },
  provision: (a) => ({ name: a.provision, args: a.args }),
});

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
