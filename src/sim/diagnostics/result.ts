/**
 * What a finished diagnostic reports, as plain data: the state it ends in
 * (TR-181 names; the runner maps them to the device's model version), its
 * result parameters and the rows of its results table.
 */

/** Parameter values by name relative to the diagnostics object ("SuccessCount"). */
export type Values = Readonly<Record<string, string>>;

export interface DiagnosticResult {
  /** "Complete" or a TR-181 error state ("Error_CannotResolveHostName"). */
  readonly state: string;
  /** Result parameters; those the model lacks are skipped. */
  readonly values: Values;
  /** A results table ("RouteHops.", "Result.") whose instances the rows replace. */
  readonly table?: { readonly name: string; readonly rows: readonly Values[] };
}

/** The inputs of a diagnostic as the device holds them, by relative name; "" when absent. */
export type Inputs = (name: string) => string;

/** A numeric input, `fallback` when absent or not a number. */
export function numberInput(inputs: Inputs, name: string, fallback: number): number {
  const raw = inputs(name);
  const n = Number(raw);
  return raw === '' || !Number.isFinite(n) ? fallback : n;
}

/** An error with no results. */
export function failed(state: string): DiagnosticResult {
  return { state, values: {} };
}
