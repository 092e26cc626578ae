/**
 * Webhook subscriptions (admin: they send device data out) and, for the one chosen, its delivery log (newest
 * first) with a replay of any delivery: the receiver gets it again with the
 * same id, so it can tell a replay from a new event.
 */
import { useState } from 'preact/hooks';
import type { Delivery, Subscription } from '../../webhooks/types';
import { api, withQuery } from '../lib/api';
import { ago, exact } from '../lib/format';
import { messageOf, useLoad } from '../lib/use-load';

const SHOWN = 100;

function DeliveryRow(props: { d: Delivery; onReplay: (d: Delivery) => void }) {
  const { d } = props;
  return (
    <tr>
      <td title={exact(d.time)}>{ago(d.time)}</td>
      <td>{d.event}</td>
      <td>{d.device ?? ''}</td>
      <td class={`status ${d.status === 'delivered' ? 'done' : d.status === 'failed' ? 'fault' : ''}`}>{d.status}</td>
      <td>{d.attempts}</td>
      <td>{d.lastStatus ?? ''} {d.lastError ?? ''}</td>
      <td>
        <button type="button" class="small" aria-label={`Replay delivery ${d.id}`} onClick={() => props.onReplay(d)}>Replay</button>
      </td>
    </tr>
  );
}

function Deliveries(props: { webhook: Subscription }) {
  const path = withQuery(`/webhooks/${props.webhook.id}/deliveries`, { limit: SHOWN });
  const log = useLoad(async () => (await api<Delivery[]>('GET', path)).data, [path]);
  const [line, setLine] = useState<string | null>(null);
  const replay = async (d: Delivery) => {
    try {
      await api('POST', `/webhooks/${props.webhook.id}/deliveries/${encodeURIComponent(d.id)}/replay`);
      setLine(`Delivery ${d.id} queued again.`);
      log.reload();
    } catch (err) {
      setLine(messageOf(err));
    }
  };
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries to {props.webhook.url}</h2>
      {line && <p role="status">{line}</p>}
      {log.error && <p class="error" role="alert">{log.error}</p>}
      {log.data && log.data.length === 0 && <p class="none">No deliveries.</p>}
      {log.data && log.data.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Deliveries">
            <thead><tr><th>Time</th><th>Event</th><th>Device</th><th>Status</th><th>Attempts</th><th>Last answer</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{log.data.map((d) => <DeliveryRow key={d.id} d={d} onReplay={replay} />)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function stateOf(w: Subscription): string {
  if (w.disabledAt !== null) return `disabled: ${w.disabledReason ?? ''}`;
  return w.failingSince !== null ? `failing since ${exact(w.failingSince)}` : 'active';
}

export function Webhooks() {
  const list = useLoad(async () => (await api<Subscription[]>('GET', '/webhooks')).data, []);
  const [chosen, setChosen] = useState<Subscription | null>(null);
  return (
    <article aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.data && list.data.length === 0 && <p class="none">No subscriptions (POST /webhooks makes one).</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Subscriptions">
            <thead><tr><th>URL</th><th>Events</th><th>Filter</th><th>State</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((w) => (
                <tr key={w.id}>
                  <td>{w.url}</td>
                  <td>{w.events.join(', ')}</td>
                  <td>{w.filter ?? ''}</td>
                  <td>{stateOf(w)}</td>
                  <td><button type="button" class="small" aria-pressed={chosen?.id === w.id} onClick={() => setChosen(w)}>Deliveries</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chosen && <Deliveries key={chosen.id} webhook={chosen} />}
    </article>
  );
}
