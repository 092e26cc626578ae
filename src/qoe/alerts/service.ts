/**
 * Alert rules as the REST API uses them: create, read, replace, delete,
 * each body checked (validate.ts), and the alerts they raised. Usable from
 * any process: it only writes the database; the evaluation (engine.ts) reads
 * the rules on each run.
 */
import { AcsError } from '../../errors';
import type { AlertFilter, AlertStore } from './store';
import type { Alert, AlertRule } from './types';
import { ruleInput, type RuleChecks } from './validate';

export interface AlertServiceDeps extends RuleChecks {
  store: AlertStore;
  now?: () => number;
}

export class AlertRuleService {
  private readonly now: () => number;

  constructor(private readonly deps: AlertServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** 400 naming the field (an expression's column), 409 when the name is taken. */
  async create(body: unknown): Promise<AlertRule> {
    const input = await ruleInput(body, this.deps);
    if (await this.deps.store.ruleNamed(input.name)) throw new AcsError('ACS_ERR_CONFLICT', `an alert rule named ${JSON.stringify(input.name)} exists`);
    return this.deps.store.createRule(input, this.now());
  }

  /**
   * The rule replaced by the body; null when unknown. Its open alerts stay,
   * and clear at the next evaluation where the new condition does not hold;
   * disabling it clears them now (without qoe.alert: nothing judged them).
   */
  async replace(id: number, body: unknown): Promise<AlertRule | null> {
    const input = await ruleInput(body, this.deps);
    if (!(await this.deps.store.rule(id))) return null;
    const named = await this.deps.store.ruleNamed(input.name);
    if (named && named.id !== id) throw new AcsError('ACS_ERR_CONFLICT', `an alert rule named ${JSON.stringify(input.name)} exists`);
    const now = this.now();
    const rule = await this.deps.store.replaceRule(id, input, now);
    if (!input.enabled) await this.deps.store.clearAll(id, now);
    return rule;
  }

  get(id: number): Promise<AlertRule | null> {
    return this.deps.store.rule(id);
  }

  list(profile?: string): Promise<AlertRule[]> {
    return this.deps.store.rules(profile);
  }

  /** Deletes the rule and its alerts; false when unknown. */
  remove(id: number): Promise<boolean> {
    return this.deps.store.removeRule(id);
  }

  /** Alerts, newest first. */
  alerts(filter: AlertFilter): Promise<Alert[]> {
    return this.deps.store.alerts(filter);
  }
}
