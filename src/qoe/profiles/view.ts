/**
 * A process's collection profiles: the shipped ones, replaced by stored ones
 * of the same name, read again every few seconds (a profile written through
 * the API reaches every process of the cluster within REFRESH_MS).
 */
import type { Logger } from '../../log';
import type { CollectionProfile } from '../types';
import { BUILTIN_PROFILES } from './builtin';
import { ProfileMatcher } from './matcher';
import { withBits } from './schema';
import type { ProfileStore } from './store';

export const REFRESH_MS = 5_000;

export type ProfileOrigin = 'builtin' | 'stored';

export class ProfileView {
  private profiles = new Map<string, { profile: CollectionProfile; origin: ProfileOrigin }>();
  private compiled: ProfileMatcher;
  private readAt = 0;
  private reading: Promise<void> | null = null;
  private readonly reported = new Set<string>();
  private readonly timer = setInterval(() => void this.read().catch(() => undefined), REFRESH_MS);

  constructor(private readonly store: ProfileStore, private readonly log: Logger) {
    this.timer.unref();
    this.set([]);
    this.compiled = new ProfileMatcher([...this.profiles.values()].map((p) => p.profile));
    void this.read().catch(() => undefined);
  }

  /** The profiles, read first if the view is stale (the shipped ones while the database does not answer). */
  async current(): Promise<ReadonlyMap<string, { profile: CollectionProfile; origin: ProfileOrigin }>> {
    if (Date.now() - this.readAt > REFRESH_MS) await this.read().catch(() => undefined);
    return this.profiles;
  }

  async get(name: string): Promise<CollectionProfile | undefined> {
    return (await this.current()).get(name)?.profile;
  }

  /** A profile from the view at hand (the timer keeps it within REFRESH_MS): for code that cannot wait. */
  readonly lookup = (name: string): CollectionProfile | undefined => this.profiles.get(name)?.profile;

  /** Which profiles' parameters a path is, from the view at hand (read again in the background when stale). */
  matcher(): ProfileMatcher {
    if (Date.now() - this.readAt > REFRESH_MS) void this.read().catch(() => undefined);
    return this.compiled;
  }

  /** Forgets the view (a profile was written in this process). */
  refresh(): void {
    this.readAt = 0;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private set(stored: CollectionProfile[]): void {
    const next = new Map<string, { profile: CollectionProfile; origin: ProfileOrigin }>();
    for (const p of BUILTIN_PROFILES) next.set(p.name, { profile: { ...p, parameters: p.parameters.map(withBits) }, origin: 'builtin' });
    for (const p of stored) next.set(p.name, { profile: p, origin: 'stored' });
    this.profiles = next;
    this.compiled = new ProfileMatcher([...next.values()].map((p) => p.profile));
  }

  private read(): Promise<void> {
    this.reading ??= this.store.list().then(({ profiles, problems }) => {
      for (const p of problems.filter((x) => !this.reported.has(x))) {
        this.reported.add(p);
        this.log.warn(p);
      }
      this.set(profiles.map((s) => s.profile));
      this.readAt = Date.now();
    }).finally(() => (this.reading = null));
    return this.reading;
  }
}
