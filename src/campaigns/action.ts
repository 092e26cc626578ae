/**
 * What a campaign starts on each device: a workflow run. A task or a
 * provision becomes an inline workflow of one task step (the workflows
 * module's file format, as data), so every action has the same durable run,
 * outcome and cancellation.
 */
import type { DeviceKey } from '../db/types';
import type { RunStart } from '../workflows/types';
import type { CampaignSpec } from './types';

/** The inline workflow of a task or provision action; null for a named workflow. */
export function inlineWorkflow(campaignId: string, spec: Pick<CampaignSpec, 'action' | 'connectionRequest'>): { name: string; definition: unknown } | null {
  const a = spec.action;
  if ('workflow' in a) return null;
  const task = 'task' in a ? a.task : { name: 'provision', provision: a.provision, args: a.args };
  return {
    name: `campaign-${campaignId}`,
    definition: { steps: [{ name: 'task', task, connectionRequest: spec.connectionRequest }] },
  };
}

/** The run the campaign starts for `device` in `stage`. */
export function runStart(campaignId: string, spec: CampaignSpec, device: DeviceKey, stage: number): RunStart {
  const campaign = { id: campaignId, stage };
  const inline = inlineWorkflow(campaignId, spec);
  if (inline) return { device, workflow: inline, args: {}, campaign };
  const a = spec.action as { workflow: string; args: Record<string, unknown> };
  return { device, workflow: a.workflow, args: a.args, campaign };
}
