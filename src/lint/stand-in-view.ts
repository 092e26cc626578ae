/**
 * The device `acs lint` runs provisions against: every path of the data
 * models exists, with one instance per table (number 1 for `*` and alias
 * filters) and the model's default values; virtual parameters that have a
 * script hold ""; anything else is absent. Every `commit()` is met, so a run
 * goes through to its end (or its first unanswered ext() call).
 */
import { parsePattern, type Declaration, type DeviceView, type ViewEntry } from '../sandbox';
import { walkModel } from './check-path';
import { MODEL_ROOTS, type DataModels } from './datamodel';

export class StandInView implements DeviceView {
  constructor(
    private readonly models: DataModels,
    private readonly virtualParameters: ReadonlySet<string>,
  ) {}

  lookup(pattern: string): ViewEntry[] {
    const segments = parsePattern(pattern); // a malformed pattern throws: the script sees a TypeError, as on a device
    const root = segments[0].kind === 'name' ? segments[0].name : '';
    const kind = MODEL_ROOTS.get(root);
    if (kind === undefined) {
      const name = segments[1]?.kind === 'name' ? segments[1].name : '';
      if (root === 'VirtualParameters' && segments.length === 2 && this.virtualParameters.has(name)) {
        return [{ path: `VirtualParameters.${name}`, value: '', type: 'xsd:string', writable: true, timestamps: {} }];
      }
      return [];
    }
    // Read on first use, inside a run: the time limit does not count host callbacks.
    const model = this.models.get(kind);
    if (model === null) return [];
    const walk = walkModel(model, pattern);
    if (walk.ok !== true) return [];
    const node = walk.node;
    if (node.kind === 'param') {
      return [{ path: walk.concrete, value: node.value, type: node.type, writable: node.access !== 'readOnly', object: false, timestamps: {} }];
    }
    return [{ path: walk.concrete, object: true, writable: node.writable, timestamps: {} }];
  }

  satisfied(_declarations: readonly Declaration[]): boolean {
    return true;
  }
}
