/**
 * Diagnostics of the simulated CPE (IPPing, TraceRoute, TR-143 Download and
 * Upload, NSLookup): the catalogue of objects, the simulated network
 * (rules.ts) and the runner the simulator calls after a session.
 */
export { completeState, diagnosticOfParameter, diagnosticsOf, errorState, INPUT_RANGES, REQUIRED_INPUTS, type DiagnosticKind, type DiagnosticObject } from './catalog';
export { DEFAULT_DNS_SERVER, hashOf, hopCount, isUnreachable, pingRttMs, resolveHost, type Resolution } from './rules';
export { abortDiagnostics, runDiagnostic, type DiagnosticRun } from './run';
export type { DiagnosticResult } from './result';
