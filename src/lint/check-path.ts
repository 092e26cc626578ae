/**
 * Walking a declared path pattern down a data model: every segment must be
 * in the model, and `*`, alias filters and instance numbers may only follow
 * a multi-instance object. Shared by the declaration checks and by the
 * stand-in device view lint runs provisions against.
 */
import { parsePattern, type AliasFilter, type PathSegment } from '../sandbox';
import { labelOf, type DataModel, type ModelNode, type ObjectNode } from './datamodel';

const INSTANCE = /^\d+$/;
/** TR-106 vendor extensions ("X_ACME-COM_Thing", "X_00D09E_Thing"): not in the standard model, not checked. */
const VENDOR = /^X_/;

/**
 * Services (VoiceService, STBService, StorageService ...) are defined by their
 * own data models (TR-104, TR-135, TR-140), which the root models only leave
 * room for: a service the model lacks is not checked, like a vendor extension.
 */
function isServiceSlot(node: ModelNode): boolean {
  return node.kind !== 'param' && /(^|\.)Services\.$/.test(node.path);
}

export type Walk =
  | {
      ok: true;
      node: ModelNode;
      /** The concrete path a stand-in device would have: instance 1 for `*` and alias filters. */
      concrete: string;
      /** The pattern ends with `*` or an alias filter on a multi-instance object. */
      endsAtInstances: boolean;
      /** The first obsoleted or deleted node on the way, if any. */
      retired?: ModelNode;
    }
  | { ok: false; message: string }
  /** The path goes through a vendor extension the model does not have: nothing below it can be checked. */
  | { ok: 'vendor'; at: string };

/** stepInto's answer for a vendor extension. */
const VENDOR_STEP = Symbol('vendor');

function segmentText(s: PathSegment): string {
  if (s.kind === 'name') return s.name;
  if (s.kind === 'any') return '*';
  return `[${s.filters.map((f) => `${f.key.join('.')}:${f.value}`).join(',')}]`;
}

/** Walks `pattern` (its first segment is the model's root) down `model`. Throws a PathSyntaxError on a malformed pattern. */
export function walkModel(model: DataModel, pattern: string): Walk {
  const segments = parsePattern(pattern);
  let node: ModelNode = model.root;
  let concrete = segmentText(segments[0]);
  let retired: ModelNode | undefined;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    const text = segmentText(seg);
    const step = stepInto(model, node, seg, text);
    if (step === VENDOR_STEP) return { ok: 'vendor', at: `${concrete}.${text}` };
    if (typeof step === 'string') return { ok: false, message: step };
    node = step;
    concrete += '.' + (seg.kind === 'name' ? seg.name : '1');
    if (!retired && (node.status === 'obsoleted' || node.status === 'deleted')) retired = node;
  }
  const last = segments[segments.length - 1];
  return { ok: true, node, concrete, endsAtInstances: segments.length > 1 && last.kind !== 'name', retired };
}

/** The node below `node` for one segment, or why there is none. */
function stepInto(model: DataModel, node: ModelNode, seg: PathSegment, text: string): ModelNode | string | typeof VENDOR_STEP {
  if (node.kind === 'param') return `${node.path} is a parameter: nothing is below it ("${text}")`;
  if (node.kind === 'table') {
    if (seg.kind === 'name' && !INSTANCE.test(seg.name)) {
      return `${node.path} is a multi-instance object: "${text}" must be an instance number, "*" or an alias filter [Key:Value]`;
    }
    if (seg.kind === 'alias') {
      const bad = seg.filters.map((f) => checkAliasKey(model, node.instance, f)).find((m) => m !== null);
      if (bad) return bad;
    }
    return node.instance;
  }
  if (seg.kind !== 'name' || INSTANCE.test(seg.name)) {
    return `"${text}" needs a multi-instance object, and ${node.path} is not one`;
  }
  const next = node.children.get(seg.name);
  if (next) return next;
  if (VENDOR.test(seg.name) || isServiceSlot(node)) return VENDOR_STEP;
  return `${node.path} has no "${seg.name}" in ${labelOf(model, node.path)}${suggestion(node, seg.name)}`;
}

/** An alias filter's key must name a parameter of the table's instance (a relative path, possibly through sub-objects). */
function checkAliasKey(model: DataModel, instance: ObjectNode, filter: AliasFilter): string | null {
  const key = filter.key.join('.');
  let node: ModelNode = instance;
  for (const name of filter.key) {
    const seg: PathSegment = { kind: 'name', name };
    const step = stepInto(model, node, seg, name);
    if (step === VENDOR_STEP) return null;
    if (typeof step === 'string') return `alias filter key "${key}" is not a parameter of ${instance.path}: ${step}`;
    node = step;
  }
  return node.kind === 'param' ? null : `alias filter key "${key}" is not a parameter of ${instance.path} (it names an object)`;
}

/** "; did you mean X?" for a name that differs from a child's only by case or by up to two edits. */
function suggestion(node: ObjectNode, name: string): string {
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of node.children.keys()) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(candidate, name, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === null ? '' : `; did you mean "${best}"?`;
}

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string
 * alignment), capped at `limit`: "SSDI" is one edit from "SSID".
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return Math.min(prev[b.length], limit);
}
