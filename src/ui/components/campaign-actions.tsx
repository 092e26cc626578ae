/**
 * Pause, Resume and Cancel of a campaign (write scope), each shown only in
 * the statuses it leaves from; Cancel asks first (it skips every device not
 * started and cancels the runs in flight, for good).
 */
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { actionsFor, type Campaign, type CampaignAction, type CampaignView } from '../lib/campaigns';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';

const LABEL: Record<CampaignAction, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel campaign…' };

export function CampaignActions(props: { c: Campaign; onDone: (c: CampaignView) => void }) {
  const { c } = props;
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: CampaignAction) => {
    setAsking(false);
    setError(null);
    try {
      props.onDone((await api<CampaignView>('POST', `/campaigns/${encodeURIComponent(c.id)}/${action}`)).data);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const actions = actionsFor(c.status);
  if (actions.length === 0) return null;
  return (
    <div class="campaign-actions" role="group" aria-label={`Actions on ${c.name}`}>
      {actions.map((a) => (
        <button key={a} type="button" class={a === 'cancel' ? 'small danger-outline' : 'small'} onClick={() => (a === 'cancel' ? setAsking(true) : act(a))}>
          {c.status === 'draft' && a === 'resume' ? 'Start' : LABEL[a]}
        </button>
      ))}
      {error && <span class="error" role="alert">{error}</span>}
      {asking && (
        <ConfirmDialog title={`Cancel ${c.name}?`} confirm="Cancel campaign" onCancel={() => setAsking(false)} onConfirm={() => act('cancel')}>
          <p>Devices not started yet are skipped and runs in flight are cancelled. A cancelled campaign cannot be resumed.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
