/**
 * What the campaign pages share: the shapes GET /campaigns and
 * GET /campaigns/:id answer, which operator action each status allows (the
 * service's transitions), the counters in the order a progress bar shows
 * them, and a poll that keeps a page of a moving campaign current.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Campaign, CampaignDetail, CampaignDevice, CampaignStatus, DeviceOutcome, StageProgress, StageSpec } from '../../campaigns/types';

export type { Campaign, CampaignDevice, CampaignStatus, DeviceOutcome };

/** A stage of GET /campaigns/:id (src/campaigns/service.ts StageView; not imported: the service pulls in server code). */
export interface StageView extends StageProgress {
  /** failed / (done + failed); null until a device of the stage finished. */
  failureRatio: number | null;
  /** Enough devices finished for the ratio to stop the campaign. */
  sampled: boolean;
}

export interface CampaignView extends CampaignDetail {
  progress: StageView[];
}

export const CAMPAIGN_STATUSES: CampaignStatus[] = ['draft', 'running', 'paused', 'stopped', 'cancelled', 'done'];

/** Finished outcomes first, then the ones still to come: the bar fills from the left. */
export const OUTCOMES: DeviceOutcome[] = ['done', 'failed', 'cancelled', 'skipped', 'started', 'pending'];

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** The statuses each action leaves from (src/campaigns/service.ts TRANSITIONS). */
const FROM: Record<CampaignAction, CampaignStatus[]> = {
  pause: ['running'],
  resume: ['paused', 'draft'],
  cancel: ['draft', 'running', 'paused', 'stopped'],
};

export const actionsFor = (status: CampaignStatus): CampaignAction[] => (Object.keys(FROM) as CampaignAction[]).filter((a) => FROM[a].includes(status));

/** Statuses in which devices still start or finish: their pages poll. */
export const isMoving = (status: CampaignStatus): boolean => status === 'running' || status === 'paused';

export const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10} %`;

/** "10 %", "25 devices", "the rest": a stage as the operator defined it. */
export function stageShare(s: StageSpec | undefined): string {
  if (s?.percent !== undefined) return `${s.percent} %`;
  if (s?.count !== undefined) return `${s.count} device${s.count === 1 ? '' : 's'}`;
  return 'the rest';
}

/** Calls `tick` every `ms` while `active` and the tab is visible (a hidden tab asks nothing). */
export function usePoll(tick: () => void, ms: number, active: boolean): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && latest.current(), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}
