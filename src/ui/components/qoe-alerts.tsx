/**
 * The alerts open now (GET /qoe/alerts?open=true), newest first: when each
 * was raised, by which rule (its name and severity), on which device (a link
 * to its page, where its charts are), and the value that raised it.
 */
import type { Alert, AlertRule } from '../../qoe/alerts/types';
import { api, encodeId, withQuery } from '../lib/api';
import { ago, exact } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { Link } from './link';

const SHOWN = 200;

const value = (a: Alert): string => (a.value === null ? '' : a.value.toLocaleString('en', { maximumFractionDigits: 2 }));

function AlertRow(props: { a: Alert; rule: AlertRule | undefined }) {
  const { a, rule } = props;
  return (
    <tr>
      <td class="when" title={exact(a.raisedAt)}>{ago(a.raisedAt)}</td>
      <td>{rule?.name ?? `rule ${a.rule}`}</td>
      <td><span class={`severity ${rule?.severity ?? ''}`}>{rule?.severity ?? ''}</span></td>
      <td><Link to={`/devices/${encodeId(a.device)}`}>{a.device}</Link></td>
      <td>{value(a)}</td>
      <td>{a.path && <code>{a.path}</code>}</td>
      <td>{rule && <code>{rule.expression}</code>}</td>
    </tr>
  );
}

/** `version` changes when the rules change (a deleted rule takes its alerts with it). */
export function OpenAlerts(props: { rules: AlertRule[] | null; version: number }) {
  const alerts = useLoad(async () => (await api<Alert[]>('GET', withQuery('/qoe/alerts', { open: 'true', limit: SHOWN }))).data, [props.version]);
  const rules = new Map((props.rules ?? []).map((r) => [r.id, r]));
  return (
    <>
      <div class="qoe-toolbar">
        <button type="button" class="small" onClick={alerts.reload}>Refresh<span class="sr-only"> the open alerts</span></button>
        {alerts.data && <span class="hint" role="status">{alerts.data.length === SHOWN ? `The newest ${SHOWN}` : `${alerts.data.length} open`}</span>}
      </div>
      {alerts.error && <p class="error" role="alert">{alerts.error}</p>}
      {alerts.data && alerts.data.length === 0 && <p class="none">No alert is open.</p>}
      {alerts.data && alerts.data.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Open alerts">
            <thead><tr><th>Raised</th><th>Rule</th><th>Severity</th><th>Device</th><th>Value</th><th>Series</th><th>Expression</th></tr></thead>
            <tbody>{alerts.data.map((a) => <AlertRow key={a.id} a={a} rule={rules.get(a.rule)} />)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}
