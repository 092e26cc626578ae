/** QoE alert rules: the expression language, the rules and alerts, their evaluation on BullMQ, and the REST routes. */
export { parseExpression, formatExpression, type ParseResult } from './expression';
export { judge, readRange, type Verdict } from './evaluate';
export { evaluateProfile, type EvaluationDeps, type EvaluationResult } from './evaluation';
export { startAlertEngine, QOE_ALERT_QUEUE, type AlertEngine, type AlertEngineOptions } from './engine';
export { AlertStore, type AlertFilter } from './store';
export { AlertRuleService, type AlertServiceDeps } from './service';
export { alertRuleBody, ruleInput, type RuleChecks } from './validate';
export { qoeAlertRoutes } from './routes';
export * from './types';
