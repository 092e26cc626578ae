/** The tables of the alert rules, their alerts and the evaluation marks (migration 1766810000000). */
import type { Row } from '../../db/sql';
import type { DeviceKey, EpochMs, SqlAccess } from '../../db/types';
import type { Alert, AlertRule, AlertRuleInput, Severity } from './types';

const PATH_MAX = 1024;

function ruleOf(r: Row): AlertRule {
  return {
    id: Number(r.id),
    name: String(r.name),
    profile: String(r.profile),
    expression: String(r.expression),
    precondition: r.precondition === null ? null : String(r.precondition),
    severity: String(r.severity) as Severity,
    webhook: Number(r.webhook) === 1,
    workflow: r.workflow === null ? null : String(r.workflow),
    workflowArgs: JSON.parse(String(r.workflow_args)) as Record<string, unknown>,
    cooldownS: Number(r.cooldown_s),
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function alertOf(r: Row): Alert {
  return {
    id: Number(r.id),
    rule: Number(r.rule_id),
    device: String(r.device),
    raisedAt: Number(r.raised_at),
    clearedAt: r.cleared_at === null ? null : Number(r.cleared_at),
    value: r.value === null ? null : Number(r.value),
    path: r.path === null ? null : String(r.path),
  };
}

function ruleValues(r: AlertRuleInput): unknown[] {
  return [r.name, r.profile, r.expression, r.precondition, r.severity, r.webhook ? 1 : 0, r.workflow, JSON.stringify(r.workflowArgs), r.cooldownS, r.enabled ? 1 : 0];
}

export interface AlertFilter {
  rule?: number;
  device?: DeviceKey;
  /** true: open alerts only; false: cleared ones only. */
  open?: boolean;
  /** Alerts raised before this time (the previous page's last raisedAt). */
  before?: EpochMs;
  limit?: number;
}

/** What a raise found: raised now, already open, or held back by the cool-down. */
export type RaiseOutcome = 'raised' | 'open' | 'cooling';

export class AlertStore {
  constructor(readonly sql: SqlAccess) {}

  async createRule(r: AlertRuleInput, now: EpochMs): Promise<AlertRule> {
    const sql = `INSERT INTO qoe_alert_rules (name, profile, expression, precondition, severity, webhook, workflow, workflow_args, cooldown_s, enabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const { insertId } = await this.sql.autocommit((db) => db.run(sql, [...ruleValues(r), now, now]));
    return (await this.rule(insertId)) as AlertRule;
  }

  async replaceRule(id: number, r: AlertRuleInput, now: EpochMs): Promise<AlertRule | null> {
    const sql = `UPDATE qoe_alert_rules SET name = ?, profile = ?, expression = ?, precondition = ?, severity = ?, webhook = ?, workflow = ?, workflow_args = ?,
      cooldown_s = ?, enabled = ?, updated_at = ? WHERE id = ?`;
    await this.sql.autocommit((db) => db.run(sql, [...ruleValues(r), now, id]));
    return this.rule(id);
  }

  async rule(id: number): Promise<AlertRule | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_alert_rules WHERE id = ?', [id]));
    return row ? ruleOf(row) : null;
  }

  async ruleNamed(name: string): Promise<AlertRule | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_alert_rules WHERE name = ?', [name]));
    return row ? ruleOf(row) : null;
  }

  /** Every rule, or those of one profile, by id. */
  async rules(profile?: string): Promise<AlertRule[]> {
    const rows = await this.sql.autocommit((db) =>
      profile === undefined ? db.select('SELECT * FROM qoe_alert_rules ORDER BY id') : db.select('SELECT * FROM qoe_alert_rules WHERE profile = ? ORDER BY id', [profile]));
    return rows.map(ruleOf);
  }

  /** The profiles some enabled rule reads. */
  async activeProfiles(): Promise<string[]> {
    const rows = await this.sql.autocommit((db) => db.select('SELECT DISTINCT profile FROM qoe_alert_rules WHERE enabled = 1 ORDER BY profile'));
    return rows.map((r) => String(r.profile));
  }

  /** Deletes the rule and its alerts; false when there was none. */
  async removeRule(id: number): Promise<boolean> {
    return this.sql.transaction(async (db) => {
      db.later('DELETE FROM qoe_alerts WHERE rule_id = ?', [id]);
      return (await db.run('DELETE FROM qoe_alert_rules WHERE id = ?', [id])).affected > 0;
    });
  }

  /** Newest first. */
  async alerts(f: AlertFilter): Promise<Alert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value?: unknown) => (where.push(sql), value === undefined ? undefined : params.push(value));
    if (f.rule !== undefined) add('rule_id = ?', f.rule);
    if (f.device !== undefined) add('device = ?', f.device);
    if (f.open !== undefined) add(f.open ? 'is_open = 1' : 'is_open IS NULL');
    if (f.before !== undefined) add('raised_at < ?', f.before);
    const limit = Math.floor(f.limit ?? 100);
    const sql = `SELECT * FROM qoe_alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id DESC LIMIT ${limit}`;
    return (await this.sql.autocommit((db) => db.select(sql, params))).map(alertOf);
  }

  async openAlert(rule: number, device: DeviceKey): Promise<Alert | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_alerts WHERE rule_id = ? AND device = ? AND is_open = 1', [rule, device]));
    return row ? alertOf(row) : null;
  }

  /**
   * Opens an alert unless one is open, or one cleared less than `cooldownMs`
   * ago. Two evaluations racing: the unique open index lets one insert, the
   * other finds it open.
   */
  async raise(a: { rule: number; device: DeviceKey; at: EpochMs; value: number | null; path: string | null; cooldownMs: number }): Promise<RaiseOutcome> {
    const rows = await this.sql.autocommit((db) => db.select(
      'SELECT MAX(is_open) AS open_now, MAX(cleared_at) AS last_clear FROM qoe_alerts WHERE rule_id = ? AND device = ?', [a.rule, a.device]));
    if (Number(rows[0]?.open_now) === 1) return 'open';
    const lastClear = rows[0]?.last_clear;
    if (lastClear !== null && lastClear !== undefined && a.at - Number(lastClear) < a.cooldownMs) return 'cooling';
    const path = a.path === null ? null : a.path.slice(0, PATH_MAX);
    const value = a.value !== null && Number.isFinite(a.value) ? a.value : null;
    const inserted = await this.sql.autocommit((db) => {
      // INSERT IGNORE, not ON DUPLICATE KEY UPDATE: with mysql2's FOUND_ROWS flag an unchanged duplicate counts as 1 affected row.
      const [insert, ignore] = db.driver === 'mysql' ? ['INSERT IGNORE', ''] : ['INSERT', ' ON CONFLICT (rule_id, device, is_open) DO NOTHING'];
      // Only while the rule exists and is enabled: an evaluation that read it before a DELETE or a disable raises nothing after.
      return db.run(`${insert} INTO qoe_alerts (rule_id, device, raised_at, cleared_at, value, path, is_open)
        SELECT ?, ?, ?, NULL, ?, ?, 1 FROM qoe_alert_rules WHERE id = ? AND enabled = 1${ignore}`,
        [a.rule, a.device, a.at, value, path, a.rule]);
    });
    return inserted.affected > 0 ? 'raised' : 'open';
  }

  /** Clears the open alert; the alert cleared, or null when none was open (or another evaluation cleared it first). */
  async clear(rule: number, device: DeviceKey, at: EpochMs): Promise<Alert | null> {
    const open = await this.openAlert(rule, device);
    if (!open) return null;
    const done = await this.sql.autocommit((db) => db.run('UPDATE qoe_alerts SET cleared_at = ?, is_open = NULL WHERE id = ? AND is_open = 1', [at, open.id]));
    return done.affected > 0 ? { ...open, clearedAt: at } : null;
  }

  /** Clears every open alert of the rule (disabled: nothing judges them any more); how many. */
  async clearAll(rule: number, at: EpochMs): Promise<number> {
    return (await this.sql.autocommit((db) => db.run('UPDATE qoe_alerts SET cleared_at = ?, is_open = NULL WHERE rule_id = ? AND is_open = 1', [at, rule]))).affected;
  }

  /** When the profile's devices were evaluated up to; null before its first evaluation. */
  async mark(profile: string): Promise<EpochMs | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT evaluated_to FROM qoe_alert_marks WHERE profile = ?', [profile]));
    return row ? Number(row.evaluated_to) : null;
  }

  /** Never moves a mark backwards (a slower evaluation finishing after a later one). */
  async setMark(profile: string, to: EpochMs): Promise<void> {
    await this.sql.autocommit((db) => {
      const upsert = db.driver === 'mysql'
        ? 'ON DUPLICATE KEY UPDATE evaluated_to = GREATEST(evaluated_to, VALUES(evaluated_to))'
        : 'ON CONFLICT (profile) DO UPDATE SET evaluated_to = MAX(evaluated_to, excluded.evaluated_to)';
      return db.run(`INSERT INTO qoe_alert_marks (profile, evaluated_to) VALUES (?, ?) ${upsert}`, [profile, to]);
    });
  }
}
