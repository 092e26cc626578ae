/** Zero-touch orders: a device named by serial number gets its service at first contact. */
export { Orders, type Order, type OrderDeps, type OrderStatus } from './service';
export { orderRoutes } from './routes';

import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import type { AcsEvent } from '../webhooks/types';
import type { WorkflowLibrary } from '../workflows/library';
import type { WorkflowRunner } from '../workflows/types';
import { Orders as OrderService } from './service';

/** The orders of a process: provisions as `hasProvision` finds them (folder or database), workflows from its library. */
export function createOrders(o: { sql: SqlAccess; runner: WorkflowRunner; library: WorkflowLibrary; hasProvision: (name: string) => boolean; log: Logger; emit: (events: AcsEvent[]) => Promise<void> }): OrderService {
  const hasWorkflow = (name: string): boolean => {
    try {
      o.library.get(name);
      return true;
    } catch {
      return false;
    }
  };
  return new OrderService({ sql: o.sql, runner: o.runner, log: o.log, emit: o.emit, hasProvision: o.hasProvision, hasWorkflow });
}
