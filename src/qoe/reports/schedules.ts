/** Report schedules as the API writes them: checks that need the database or the profiles, then the store. */
import { AcsError } from '../../errors';
import { FieldError } from '../../nbi/api/messages';
import type { ReportService } from './run';
import { nextDue, scheduleParams, type ScheduleInput } from './schedule-input';
import type { ReportSchedule, ScheduleStore } from './schedule-store';

export class ScheduleService {
  constructor(private readonly store: ScheduleStore, private readonly reports: ReportService, private readonly now: () => number = Date.now) {}

  list(): Promise<ReportSchedule[]> {
    return this.store.list();
  }

  get(id: number): Promise<ReportSchedule | null> {
    return this.store.get(id);
  }

  async create(input: ScheduleInput): Promise<ReportSchedule> {
    await this.check(input, null);
    const now = this.now();
    return this.store.create(input, nextDue(input.every, now), now);
  }

  async replace(id: number, input: ScheduleInput): Promise<ReportSchedule | null> {
    await this.check(input, id);
    const now = this.now();
    return this.store.replace(id, input, nextDue(input.every, now), now);
  }

  remove(id: number): Promise<boolean> {
    return this.store.remove(id);
  }

  /** The profile exists and the name is free (the body's shape is the route schema's). */
  private async check(input: ScheduleInput, id: number | null): Promise<void> {
    const { params } = scheduleParams(input.kind, input.params);
    if (params.success) {
      try {
        this.reports.profile(params.data.profile);
      } catch (err) {
        throw new FieldError('body', 'params.profile', `params.profile: ${(err as Error).message}`);
      }
    }
    const same = await this.store.named(input.name);
    if (same && same.id !== id) throw new AcsError('ACS_ERR_CONFLICT', `a report schedule named ${input.name} exists (id ${same.id})`);
  }
}
