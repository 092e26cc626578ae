/**
 * A vendor profile as the engine consults it: built once per profile, asked
 * at the few points that differ by vendor (the root's listing in the step's
 * view, declarations before planning, the values of the writes planned, the
 * scripts' lookups through aliases). Every method is the identity for a
 * profile that does not set what it handles.
 */
import type { ParameterValueStruct } from '../cwmp/soap/types';
import type { Declaration, ViewEntry } from '../sandbox/types';
import type { ChannelDeclaration, PlannedRequest } from '../engine/planner/types';
import { compileAliases, toStandard, toVendor, type Alias } from './aliases';
import type { VendorProfile, VendorSettings } from './types';
import { formatValue } from './wire';

export class VendorAdapter {
  readonly name: string;
  readonly settings: Readonly<VendorSettings>;
  /** A value as this device wants it written (undefined: no literal settings); the planner compares what it would send. */
  readonly format: ((p: ParameterValueStruct) => ParameterValueStruct) | undefined;
  private readonly aliases: readonly Alias[];

  constructor(profile: Pick<VendorProfile, 'name' | 'settings'>) {
    this.name = profile.name;
    this.settings = profile.settings;
    this.aliases = compileAliases(profile.settings.aliases);
    const { booleanLiteral: literal, dateTimeFormat: dates } = profile.settings;
    this.format = literal === undefined && dates === undefined ? undefined : (p) => formatValue(p, literal, dates);
  }

  get skipRootListing(): boolean {
    return this.settings.skipRootListing === true;
  }

  /** A declaration as planned on this device: its path through the aliases; under `writabilityFrom: listing`, a write asks for writability first. */
  declaration(d: Declaration): Declaration {
    const path = toVendor(this.aliases, d.path);
    const listing = this.settings.writabilityFrom === 'listing' && d.values.value !== undefined && (d.timestamps.writable ?? 0) < 1;
    if (path === d.path && !listing) return d;
    // writable: 1 = "known at all": readMatch lists the parent when the parameter was never listed.
    return { ...d, path, timestamps: listing ? { ...d.timestamps, writable: 1 } : d.timestamps };
  }

  declarations(decls: readonly ChannelDeclaration[]): ChannelDeclaration[] {
    return decls.map((cd) => {
      const declaration = this.declaration(cd.declaration);
      return declaration === cd.declaration ? cd : { ...cd, declaration };
    });
  }

  /** The planned writes with booleans and dateTimes in the device's format (the new instances' alias keys among them). */
  requests(planned: PlannedRequest[]): PlannedRequest[] {
    const format = this.format;
    if (format === undefined) return planned;
    return planned.map((r) => {
      const keys = r.keys?.map(format);
      const request = r.request.method === 'SetParameterValues' ? { ...r.request, ParameterList: r.request.ParameterList.map(format) } : r.request;
      return { ...r, request, ...(keys ? { keys } : {}) };
    });
  }

  /** A script's lookup through the aliases: the vendor path is read, its entries shown under the standard path. */
  lookup(lookup: (pattern: string) => ViewEntry[]): (pattern: string) => ViewEntry[] {
    if (this.aliases.length === 0) return lookup;
    return (pattern) => {
      const vendor = toVendor(this.aliases, pattern);
      if (vendor === pattern) return lookup(pattern);
      return lookup(vendor).map((e) => ({ ...e, path: toStandard(this.aliases, e.path) }));
    };
  }

  /** Paths the store must load for these declared paths (the vendor ones). */
  path(path: string): string {
    return toVendor(this.aliases, path);
  }
}
