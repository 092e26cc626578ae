/**
 * NSLookupDiagnostics (TR-181 Device.DNS.Diagnostics.NSLookupDiagnostics.,
 * TR-098 1.8 NSLookupDiagnostics.), simulated per rules.ts.
 */
import { failed, numberInput, type DiagnosticResult, type Inputs, type Values } from './result';
import { DEFAULT_DNS_SERVER, hashOf, isUnreachable, resolveHost } from './rules';

function lookup(hostName: string, server: string, timeoutMs: number): Values {
  const empty = { AnswerType: 'None', HostNameReturned: '', IPAddresses: '', DNSServerIP: server, ResponseTime: '0' };
  if (isUnreachable(server)) return { Status: 'Error_DNSServerNotAvailable', ...empty };
  const answer = resolveHost(hostName);
  const responseTime = 1 + (hashOf(hostName.trim()) % 20);
  if (responseTime > timeoutMs) return { Status: 'Error_Timeout', ...empty };
  if (!answer.ok) return { Status: 'Error_HostNameNotResolved', ...empty, ResponseTime: String(responseTime) };
  return {
    Status: 'Success',
    AnswerType: 'NonAuthoritative',
    HostNameReturned: hostName.trim(),
    IPAddresses: answer.address,
    DNSServerIP: server,
    ResponseTime: String(responseTime),
  };
}

export function runNsLookup(inputs: Inputs): DiagnosticResult {
  const serverName = inputs('DNSServer');
  const server = serverName.trim() === '' ? { ok: true as const, address: DEFAULT_DNS_SERVER } : resolveHost(serverName);
  if (!server.ok) return failed('Error_DNSServerNotResolved');
  const repetitions = numberInput(inputs, 'NumberOfRepetitions', 1);
  const timeoutMs = numberInput(inputs, 'Timeout', 5000);
  const rows = Array.from({ length: repetitions }, () => lookup(inputs('HostName'), server.address, timeoutMs));
  const successes = rows.filter((r) => r.Status === 'Success').length;
  return { state: 'Complete', values: { SuccessCount: String(successes) }, table: { name: 'Result.', rows } };
}
