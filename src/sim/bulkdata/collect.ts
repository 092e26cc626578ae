/**
 * One collection of a profile's parameters (TR-069 N.3.1): each Reference
 * expanded (a partial path to every parameter below it, "*" to every
 * instance), the Exclude entries taken out, each value read as
 * GetParameterValues would read it at that moment (counters included), and
 * named by the profile's Name where it has one.
 */
import type { XsdType } from '../../cwmp/soap/types';
import { reportName } from '../../qoe/bulkdata/names';
import type { DeviceModel, NodeRef } from '../model/device';
import type { DeviceTraffic } from '../traffic';
import type { ProfileConfig } from './config';

export interface CollectedValue {
  /** The name in the report (the path, or the Name rename). */
  name: string;
  path: string;
  value: string;
  type: XsdType;
}

/** One collection: what a report row carries. */
export interface Collection {
  /** Simulated epoch ms. */
  time: number;
  values: CollectedValue[];
}

/** The parameter nodes a Reference names, in data model order. */
export function expandReference(model: DeviceModel, reference: string): NodeRef[] {
  const star = reference.indexOf('*');
  if (star < 0) {
    const ref = model.lookup(reference);
    if (ref === undefined) return [];
    if (!model.isObject(ref)) return reference.endsWith('.') ? [] : [ref];
    if (!reference.endsWith('.')) return [];
    const out: NodeRef[] = [];
    model.walk(ref, (r) => {
      if (!model.isObject(r)) out.push(r);
    });
    return out;
  }
  const table = model.lookup(reference.slice(0, star));
  if (table === undefined || !model.isTable(table)) return [];
  const rest = reference.slice(star + 1);
  return model.children(table).flatMap((inst) => expandReference(model, model.pathOf(inst).slice(0, -1) + rest));
}

/** Reads the profile's parameters at simulated time `at`. */
export function collect(model: DeviceModel, traffic: DeviceTraffic | undefined, profile: ProfileConfig, at: number): Collection {
  const excluded = new Set<string>();
  for (const p of profile.parameters) if (p.exclude) for (const ref of expandReference(model, p.reference)) excluded.add(model.pathOf(ref));
  const seen = new Set<string>();
  const values: CollectedValue[] = [];
  for (const p of profile.parameters) {
    if (p.exclude) continue;
    for (const ref of expandReference(model, p.reference)) {
      const path = model.pathOf(ref);
      if (excluded.has(path) || seen.has(path)) continue;
      seen.add(path);
      const value = traffic?.valueAt(model, ref, at) ?? model.reportedValue(ref);
      values.push({ name: reportName(p, path), path, value, type: model.typeOf(ref) });
    }
  }
  return { time: at, values };
}

/** The Request-URI of a report: HTTP.URL with the RequestURIParameter entries (TR-069 N.2.1) added to its query. */
export function requestUrl(model: DeviceModel, traffic: DeviceTraffic | undefined, profile: ProfileConfig, at: number): URL {
  const url = new URL(profile.url);
  for (const p of profile.uriParameters) {
    const ref = model.lookup(p.reference);
    if (ref === undefined || model.isObject(ref)) continue;
    url.searchParams.append(p.name || p.reference, traffic?.valueAt(model, ref, at) ?? model.reportedValue(ref));
  }
  return url;
}
