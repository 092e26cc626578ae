/**
 * `ext('acs-qoe', ...)`: what the qoe-collect and qoe-bulkdata provisions
 * need of a collection profile, answered by the ACS itself (no extension
 * file):
 *
 *   ext('acs-qoe.profile', name)            {name, intervalS, paths}
 *   ext('acs-qoe.bulkdata', name, deviceId) {name, intervalS, paths, url, username, password}
 *
 * (GenieACS's form, ext('acs-qoe', 'profile', name), works too.)
 *
 * `paths` are the profile's parameter paths with "*" for instance numbers.
 * The bulk data URL and credentials are signed for that device and profile
 * (collector/access.ts).
 */
import type { BuiltinExtension } from '../engine/ext';
import type { QoeCollection } from './collection';
import { BUILTIN_PROFILES } from './profiles/builtin';
import type { CollectionProfile } from './types';

export const QOE_EXTENSION = 'acs-qoe';

type Target = (profile: string, device: string) => Promise<{ url: string; username: string; password: string }>;

export function qoeExtension(qoe: QoeCollection, fileUrlBase: string): BuiltinExtension {
  return answering((name) => qoe.view.get(name), async (profile, device) => (await qoe.access()).target(fileUrlBase, profile, device));
}

/** What `acs lint` answers, without a database: the shipped profiles, and a URL that goes nowhere. */
export const qoeStandIn: BuiltinExtension = answering(
  async (name) => BUILTIN_PROFILES.find((p) => p.name === name),
  async (profile, device) => ({ url: `https://acs.invalid/bulkdata/${profile}?d=${encodeURIComponent(device)}&s=lint`, username: device, password: 'lint' }),
);

function answering(find: (name: string) => Promise<CollectionProfile | undefined>, target: Target): BuiltinExtension {
  const profileOf = async (name: unknown): Promise<CollectionProfile> => {
    if (typeof name !== 'string') throw new Error('acs-qoe: the first argument is a collection profile\'s name');
    const profile = await find(name);
    if (!profile) throw new Error(`acs-qoe: no collection profile named ${JSON.stringify(name)}`);
    return profile;
  };
  const summary = (p: CollectionProfile) => ({ name: p.name, intervalS: p.intervalS, paths: [...new Set(p.parameters.map((x) => x.path))] });
  return async (named, given) => {
    const [fn, args] = named === null ? [given[0], given.slice(1)] : [named, given];
    if (fn === 'profile') return summary(await profileOf(args[0]));
    if (fn === 'bulkdata') {
      const profile = await profileOf(args[0]);
      if (typeof args[1] !== 'string' || args[1] === '') throw new Error('acs-qoe bulkdata: the second argument is the device id (DeviceID.ID)');
      return { ...summary(profile), ...(await target(profile.name, args[1])) };
    }
    throw new Error(`acs-qoe has no function ${JSON.stringify(fn)} (profile, bulkdata)`);
  };
}
