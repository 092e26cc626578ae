/**
 * The vendor profiles of a process from its configuration. The two settings
 * (VENDOR_PROFILES_DIR, VENDOR_PROFILES_SHIPPED) belong in config/schema.ts;
 * until they are there they are read as optional, both off: no profiles, and
 * the engine provisions every device the default way.
 */
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { loadVendorProfiles, type VendorProfiles } from './registry';

export interface VendorConfig {
  /** Folder of operator vendor profiles (YAML); "" for none. */
  vendorProfilesDir: string;
  /** Whether the shipped profiles (src/vendor/shipped.ts) are used. */
  vendorProfilesShipped: boolean;
}

/** The profiles to hand the engine's step, or undefined when there are none (no cost at all). */
export function vendorProfilesFor(config: Readonly<Config>, log: Logger): VendorProfiles | undefined {
  // The keys may not be in Config yet (see above): read as optional.
  const c = config as Readonly<Config> & Partial<VendorConfig>;
  const dir = c.vendorProfilesDir ?? '';
  const shipped = c.vendorProfilesShipped ?? false;
  if (dir === '' && !shipped) return undefined;
  const profiles = loadVendorProfiles({ dir, shipped, onError: (message) => log.error(message) });
  log.info({ vendorProfiles: profiles.list().map((p) => p.name) }, 'vendor profiles loaded');
  return profiles;
}
