/**
 * Which collection profiles a concrete parameter path belongs to. Indexed by
 * the parameter's own name (the last segment), then each candidate's
 * pattern checked segment by segment: a GetParameterValuesResponse of
 * hundreds of values costs a Map lookup per value that no profile names.
 */
import type { CollectionProfile, ProfileParameter } from '../types';

interface Candidate {
  profile: string;
  parameter: ProfileParameter;
  segments: string[];
}

export class ProfileMatcher {
  private readonly byName = new Map<string, Candidate[]>();

  constructor(profiles: readonly CollectionProfile[]) {
    for (const profile of profiles) {
      for (const parameter of profile.parameters) {
        const segments = parameter.path.split('.');
        const name = segments[segments.length - 1];
        const list = this.byName.get(name) ?? [];
        list.push({ profile: profile.name, parameter, segments });
        this.byName.set(name, list);
      }
    }
  }

  /** The profiles (and their parameter) that `path` is one of; "*" matches an instance number. */
  match(path: string): { profile: string; parameter: ProfileParameter }[] {
    const name = path.slice(path.lastIndexOf('.') + 1);
    const candidates = this.byName.get(name);
    if (!candidates) return [];
    const segments = path.split('.');
    return candidates.filter((c) => fits(c.segments, segments)).map((c) => ({ profile: c.profile, parameter: c.parameter }));
  }

  /** Whether `path` is one of profile `name`'s parameters. */
  inProfile(name: string, path: string): boolean {
    return this.match(path).some((m) => m.profile === name);
  }
}

function fits(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*' ? !/^\d+$/.test(segments[i]) : pattern[i] !== segments[i]) return false;
  }
  return true;
}
