/**
 * IPPing (TR-181 Device.IP.Diagnostics.IPPing., TR-098 IPPingDiagnostics.),
 * simulated per rules.ts.
 */
import { failed, numberInput, type DiagnosticResult, type Inputs } from './result';
import { isUnreachable, pingRttMs, resolveHost } from './rules';

export function runPing(inputs: Inputs): DiagnosticResult {
  const host = inputs('Host');
  const resolved = resolveHost(host);
  if (!resolved.ok) return failed('Error_CannotResolveHostName');
  const repetitions = numberInput(inputs, 'NumberOfRepetitions', 1);
  const timeoutMs = numberInput(inputs, 'Timeout', 1000);
  const rtts: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const rtt = pingRttMs(host, i);
    if (!isUnreachable(resolved.address) && rtt <= timeoutMs) rtts.push(rtt);
  }
  const ms = (f: (xs: number[]) => number): string => String(rtts.length === 0 ? 0 : f(rtts));
  const average = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const us = (v: string): string => String(Number(v) * 1000);
  const avg = ms((xs) => Math.round(average(xs)));
  const min = ms((xs) => Math.min(...xs));
  const max = ms((xs) => Math.max(...xs));
  return {
    state: 'Complete',
    values: {
      IPAddressUsed: resolved.address,
      SuccessCount: String(rtts.length),
      FailureCount: String(repetitions - rtts.length),
      AverageResponseTime: avg,
      MinimumResponseTime: min,
      MaximumResponseTime: max,
      AverageResponseTimeDetailed: rtts.length === 0 ? '0' : String(Math.round(average(rtts) * 1000)),
      MinimumResponseTimeDetailed: us(min),
      MaximumResponseTimeDetailed: us(max),
    },
  };
}
