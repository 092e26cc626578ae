/** Zero-touch orders: a device named by serial number gets its service at first contact. */
export { Orders, type Order, type OrderDeps, type OrderStatus } from './service';
export { orderRoutes } from './routes';

import type { WorkflowLibrary } from '../workflows/library';
import { Orders as OrderService, type OrderDeps } from './service';

/** The orders of a process: provisions as `hasProvision` finds them (folder or database), workflows from its library. */
export function createOrders(o: Omit<OrderDeps, 'hasWorkflow'> & { library: WorkflowLibrary }): OrderService {
  const hasWorkflow = (name: string): boolean => {
    try {
      o.library.get(name);
      return true;
    } catch {
      return false;
    }
  };
  const { library: _library, ...deps } = o;
  return new OrderService({ ...deps, hasWorkflow });
}
