/**
 * AddObject and DeleteObject (TR-069 A.3.2.6-7).
 */
import type { AddObject, AddObjectResponse, DeleteObject, DeleteObjectResponse, Fault } from '../../cwmp/soap/types';
import { fail } from './cpe-faults';
import type { RpcContext } from './options';

/**
 * ObjectName must be a table path ending in "." (9003 without the dot); a
 * path that is not a table the ACS may add to is 9005. Creates the next
 * instance from the table's template and sets ParameterKey.
 */
export function addObject({ device, options }: RpcContext, req: AddObject): AddObjectResponse | Fault {
  const name = req.ObjectName;
  if (!name.endsWith('.')) return fail(options, 9003, `ObjectName must end with ".": ${name}`);
  if (req.ParameterKey.length > 32) return fail(options, 9003, 'ParameterKey longer than 32 characters');
  const table = device.lookup(name);
  if (table === undefined) return fail(options, 9005, `No such object: ${name}`);
  if (!device.isTable(table)) return fail(options, 9005, `Not a multi-instance object: ${name}`);
  if (!device.isWritable(table)) return fail(options, 9005, `Instances of ${name} cannot be added`);
  const n = device.addInstance(table);
  device.setParameterKey(req.ParameterKey);
  return { method: 'AddObjectResponse', InstanceNumber: n, Status: options.applyStatus ?? 0 };
}

/**
 * ObjectName must be an existing instance path "X.N." (9003 without the
 * dot, 9005 otherwise or when the table does not allow deleting). Deletes the
 * subtree and sets ParameterKey.
 */
export function deleteObject({ device, options }: RpcContext, req: DeleteObject): DeleteObjectResponse | Fault {
  const name = req.ObjectName;
  if (!name.endsWith('.')) return fail(options, 9003, `ObjectName must end with ".": ${name}`);
  if (req.ParameterKey.length > 32) return fail(options, 9003, 'ParameterKey longer than 32 characters');
  const inst = device.lookup(name);
  if (inst === undefined) return fail(options, 9005, `No such object: ${name}`);
  if (!device.isInstance(inst)) return fail(options, 9005, `Not an instance: ${name}`);
  if (!device.isWritable(inst)) return fail(options, 9005, `${name} cannot be deleted`);
  device.deleteInstance(inst);
  device.setParameterKey(req.ParameterKey);
  return { method: 'DeleteObjectResponse', Status: options.applyStatus ?? 0 };
}
