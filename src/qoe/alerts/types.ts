/** Alert rules over the QoE series, and the alerts they raise. */
import type { DeviceKey, EpochMs } from '../../db/types';

export type SeriesFunction = 'rate' | 'avg' | 'min' | 'max' | 'last';
export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type RateUnit = 's' | 'min' | 'h';
/** for: the condition holds at every point over the window; in: an aggregate of the window's points. */
export type WindowMode = 'for' | 'in';

/** A parsed expression (expression.ts). */
export interface AlertExpression {
  /** reboots: the count of the REBOOTS_PATH series' points in the window. */
  fn: SeriesFunction | 'reboots';
  /** An alias or a path, "*" allowed; REBOOTS_PATH for reboots. */
  series: string;
  op: Comparison;
  /** As written: per `unit` for rate(). */
  threshold: number;
  /** rate(): the unit of the threshold and of the value reported (s when none is written); null for the others. */
  unit: RateUnit | null;
  window: { mode: WindowMode; ms: number };
}

export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A rule as stored and shown. */
export interface AlertRule {
  id: number;
  /** Unique, [A-Za-z0-9_.-]{1,64}. */
  name: string;
  /** The collection profile whose series the expression reads. */
  profile: string;
  expression: string;
  /** A precondition in the presets' language: only devices it matches; null: every device of the profile. */
  precondition: string | null;
  severity: Severity;
  /** Whether raising and clearing emit qoe.alert. */
  webhook: boolean;
  /** A workflow started on the device when an alert is raised; null: none. */
  workflow: string | null;
  workflowArgs: Record<string, unknown>;
  /** After an alert of this rule clears on a device, no new one is raised there for this long. */
  cooldownS: number;
  enabled: boolean;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

/** What creating or replacing a rule takes (service.ts checks it). */
export type AlertRuleInput = Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt'>;

/** One alert: raised when its rule began to hold on the device, cleared when it stopped. */
export interface Alert {
  id: number;
  rule: number;
  device: DeviceKey;
  raisedAt: EpochMs;
  clearedAt: EpochMs | null;
  /** The value that raised it (in the rule's unit), and the series it was read from. */
  value: number | null;
  path: string | null;
}

/** The state in a qoe.alert event. */
export type AlertState = 'raised' | 'cleared';
