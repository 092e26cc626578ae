/**
 * Presets, provisions and virtual parameters as the UI handles them: the
 * API's routes for each kind (GET/PUT /<route>/:name, GET .../versions),
 * and the answers of POST /lint and POST /devices/:id/dry-run that the
 * editor shows.
 */

export type ScriptKind = 'preset' | 'provision' | 'virtual-parameter';

export interface KindInfo {
  kind: ScriptKind;
  /** The API's collection and the UI's path segment: /presets … */
  route: string;
  title: string;
  language: 'yaml' | 'javascript';
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'preset', route: 'presets', title: 'Presets', language: 'yaml' },
  { kind: 'provision', route: 'provisions', title: 'Provisions', language: 'javascript' },
  { kind: 'virtual-parameter', route: 'virtual-parameters', title: 'Virtual parameters', language: 'javascript' },
];

export const kindOfRoute = (route: string): KindInfo | undefined => KINDS.find((k) => k.route === route);

/** An entry of GET /presets, /provisions, /virtual-parameters. */
export interface ListedScript {
  name: string;
  origin: 'file' | 'database';
  version?: number;
  modified: number;
  updatedBy?: string;
  shadowed?: { version: number };
  /** Presets: false when lint found errors. */
  ok?: boolean;
}

/** An entry of GET /<kind>/:name/versions. */
export interface ScriptVersion {
  version: number;
  time: number;
  by: string;
  deleted: boolean;
}

/** A message of POST /lint; line 0: no line applies. */
export interface LintMessage {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** The parts of a dry run's answer (engine/dry-run.ts DryRunResult) the editor shows. */
export interface DryRunRpc {
  request: { method: string; ParameterList?: { Name: string; Value?: unknown }[]; ParameterNames?: string[]; ObjectName?: string };
  response: { method: string; FaultCode?: string; FaultString?: string };
}

export interface DryRunAnswer {
  applied: boolean;
  reason?: string;
  events: string[];
  rounds: { step: number; rpcs: DryRunRpc[] }[];
  faults: { channel: string; code: string; message: string }[];
  notes: string[];
  completed: boolean;
}

/** One line saying what an RPC asks for: SetParameterValues Device.WiFi.SSID.1.SSID = "HomeNet". */
export function rpcSummary(rpc: DryRunRpc): string {
  const r = rpc.request;
  const values = r.ParameterList?.map((p) => (p.Value === undefined ? p.Name : `${p.Name} = ${JSON.stringify(p.Value)}`));
  const what = values ?? r.ParameterNames ?? (r.ObjectName ? [r.ObjectName] : []);
  return `${r.method}${what.length > 0 ? ` ${what.join(', ')}` : ''}`;
}
