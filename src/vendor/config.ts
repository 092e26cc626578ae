/** The vendor profiles of a process from its configuration (VENDOR_PROFILES_DIR, VENDOR_PROFILES_SHIPPED). */
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { loadVendorProfiles, type VendorProfiles } from './registry';

/** The profiles to hand the engine's step, or undefined when there are none (no cost at all). */
export function vendorProfilesFor(config: Readonly<Config>, log: Logger): VendorProfiles | undefined {
  const dir = config.vendorProfilesDir;
  const shipped = config.vendorProfilesShipped;
  if (dir === '' && !shipped) return undefined;
  const profiles = loadVendorProfiles({ dir, shipped, onError: (message) => log.error(message) });
  log.info({ vendorProfiles: profiles.list().map((p) => p.name) }, 'vendor profiles loaded');
  return profiles;
}
