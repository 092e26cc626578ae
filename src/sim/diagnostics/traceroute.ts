/**
 * TraceRoute (TR-181 Device.IP.Diagnostics.TraceRoute., TR-098
 * TraceRouteDiagnostics.), simulated per rules.ts. Rows use the TR-181 names
 * (Host, HostAddress, ErrorCode, RTTimes); the writer falls back to TR-098's
 * Hop-prefixed ones.
 */
import { failed, numberInput, type DiagnosticResult, type Inputs, type Values } from './result';
import { hashOf, hopCount, isUnreachable, resolveHost } from './rules';

export function runTraceRoute(inputs: Inputs): DiagnosticResult {
  const host = inputs('Host');
  const resolved = resolveHost(host);
  if (!resolved.ok) return failed('Error_CannotResolveHostName');
  const hops = hopCount(host);
  const maxHops = numberInput(inputs, 'MaxHopCount', 30);
  if (isUnreachable(resolved.address) || hops > maxHops) return failed('Error_MaxHopCountExceeded');
  const tries = numberInput(inputs, 'NumberOfTries', 3);
  const h = hashOf(host.trim());
  const base = 1 + (h % 10);
  const rows: Values[] = [];
  for (let k = 1; k <= hops; k++) {
    const last = k === hops;
    const address = last ? resolved.address : `100.64.${h % 256}.${k}`;
    const times = Array.from({ length: tries }, (_v, t) => base + 2 * k + t);
    rows.push({ Host: last ? host.trim() : address, HostAddress: address, ErrorCode: '0', RTTimes: times.join(',') });
  }
  const responseTime = String(base + 2 * hops);
  return { state: 'Complete', values: { IPAddressUsed: resolved.address, ResponseTime: responseTime }, table: { name: 'RouteHops.', rows } };
}
