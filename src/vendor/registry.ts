/**
 * The profiles a process uses: the operator's (VENDOR_PROFILES_DIR, read at
 * start) before the shipped ones, an operator profile replacing the shipped
 * one of its name. A device gets the first profile whose precondition holds,
 * judged once per session at its first step on the lookup the presets use
 * (DeviceID from the Inform, tags, cached parameters): no I/O of its own.
 */
import { evaluate, pathsOf, type Lookup } from '../presets/expression';
import { VendorAdapter } from './adapter';
import { formatVendorProfileError, loadVendorProfilesDir } from './load';
import { shippedProfiles } from './shipped';
import type { VendorProfile } from './types';

export class VendorProfiles {
  private readonly ordered: readonly { profile: VendorProfile; adapter: VendorAdapter }[];
  private readonly byName: ReadonlyMap<string, VendorAdapter>;
  /** Parameter paths the preconditions read (the step loads their rows before matching). */
  readonly paths: readonly string[];

  constructor(operator: readonly VendorProfile[], shipped: readonly VendorProfile[] = []) {
    const own = new Set(operator.map((p) => p.name));
    const all = [...operator, ...shipped.filter((p) => !own.has(p.name))];
    this.ordered = all.map((profile) => ({ profile, adapter: new VendorAdapter(profile) }));
    this.byName = new Map(this.ordered.map((x) => [x.profile.name, x.adapter]));
    this.paths = [...new Set(all.flatMap((p) => pathsOf(p.precondition)))];
  }

  list(): VendorProfile[] {
    return this.ordered.map((x) => x.profile);
  }

  /** The first profile whose precondition holds; null when none does. */
  match(lookup: Lookup): VendorAdapter | null {
    return this.ordered.find((x) => evaluate(x.profile.precondition, lookup))?.adapter ?? null;
  }

  get(name: string | null | undefined): VendorAdapter | null {
    return name ? (this.byName.get(name) ?? null) : null;
  }
}

export interface VendorProfilesOptions {
  /** Folder of operator profiles ("" for none). */
  dir: string;
  /** Whether the shipped profiles are used. */
  shipped: boolean;
  /** One line per rejected file. */
  onError?: (message: string) => void;
}

/** The profiles of a process, rejected files reported through onError. */
export function loadVendorProfiles(options: VendorProfilesOptions): VendorProfiles {
  const { profiles, errors } = loadVendorProfilesDir(options.dir);
  for (const e of errors) options.onError?.(`vendor profile rejected: ${formatVendorProfileError(e)}`);
  return new VendorProfiles(profiles, options.shipped ? shippedProfiles() : []);
}
