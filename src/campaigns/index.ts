export { startCampaignEngine, CAMPAIGN_QUEUE, type CampaignEngine, type CampaignEngineOptions } from './engine';
export { campaignRoutes } from './routes';
export { CampaignService, type CampaignServiceDeps } from './service';
export { tickCampaign, type TickResult } from './tick';
export * from './types';
