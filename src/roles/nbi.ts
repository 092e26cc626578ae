/** The NBI role: the northbound REST API with the routers every part brings. */
import { scriptRoutes } from '../nbi/routes/scripts';
import { lintRoutes } from '../nbi/routes/lint';
import { dryRunRoutes } from '../nbi/routes/dry-run';
import { orderRoutes } from '../orders';
import { CampaignService, campaignRoutes } from '../campaigns';
import type { ConnectionRequester } from '../connreq';
import { FILE_SERVER_HTTP_OPTIONS, fileRoutes } from '../files';
import { fileUrlRoutes } from '../files/url-routes';
import { createNbiApp, nbiRoutes, type NbiRoute } from '../nbi/app';
import { startGenieacsApi } from '../nbi/genieacs';
import { TokenStore } from '../nbi/auth/tokens';
import { connectionRequestRoutes } from '../nbi/routes/connection-requests';
import { taskRoutes } from '../nbi/routes/tasks';
import { TaskWaiter } from '../tasks/waiter';
import { checkArgs, createWorkflowRunner, workflowRoutes } from '../workflows';
import { tlsSettingsOf } from '../infra/tls';
import { timeRequests } from '../metrics/http';
import { metricsRoutes } from '../metrics/routes';
import { traceRoutes } from '../trace/routes';
import { statsRoutes } from '../stats';
import { qoeRoutes } from '../qoe/routes';
import { qoeReportRoutes } from '../qoe/reports';
import { createSeriesStore } from '../qoe/series';
import { AlertRuleService, AlertStore, qoeAlertRoutes } from '../qoe/alerts';
import { serve } from './http';
import { webhookRoutes } from '../webhooks';
import { ordersOf, type Shared } from './shared';

/** Starts the REST API; resolves to its port and routes. */
export async function startNbiRole(s: Shared): Promise<{ port: number; routes: NbiRoute[] }> {
  const { config, log, store, opened } = s;
  const waiter = new TaskWaiter(s.redisHandle.duplicate(), config.redisPrefix);
  opened.push(async () => void (await waiter.close()));
  const tasks = s.taskService(waiter);
  const workflows = createWorkflowRunner({ workflowsDir: config.workflowsDir, redisPrefix: config.redisPrefix, connect: s.bullConnection, redis: s.redis, store, log, taskCanceller: tasks });
  opened.push(() => workflows.close());
  const campaigns = new CampaignService({ sql: store.sql, runner: workflows.runner, lookup: { hasProvision: s.hasProvision } });
  const routers = [
    // Not a CWMP-only process: the connector is there.
    taskRoutes(tasks), connectionRequestRoutes(store, s.connector as ConnectionRequester), fileRoutes(s.files), fileUrlRoutes(s.files),
    workflowRoutes(workflows.runner, workflows.library), campaignRoutes(campaigns), webhookRoutes(s.webhookStore, s.webhooks),
    scriptRoutes(config, s.storedScripts),
    lintRoutes(config, s.storedScripts), dryRunRoutes(config, s),
    orderRoutes(ordersOf(s, workflows)),
    statsRoutes({ redis: s.redis, sql: store.sql, redisPrefix: config.redisPrefix }),
    qoeRoutes(s.qoe, createSeriesStore(store.sql, { profiles: s.qoe.view.lookup })),
    qoeReportRoutes({ sql: store.sql, profiles: s.qoe.view.lookup }),
    qoeAlertRoutes(new AlertRuleService({
      store: new AlertStore(store.sql),
      checkWorkflow: (name, args) => void checkArgs(workflows.library.get(name), args),
      profileExists: async (name) => (await s.qoe.view.get(name)) !== undefined,
    })),
    traceRoutes(s.traces), metricsRoutes(s.ready),
  ];
  const app = timeRequests(createNbiApp({ store, log, routers, tokenRate: config.nbiTokenRate, searchStatementMs: config.searchStatementMs }), 'nbi');
  const port = await serve({ app, name: 'nbi', options: FILE_SERVER_HTTP_OPTIONS, port: config.nbiPort, host: config.nbiHost, tls: tlsSettingsOf(config, 'nbi') }, log, opened);
  await startGenieacsApi(s, tasks);
  await tellHowToGetAToken(store, log);
  return { port, routes: nbiRoutes(app) };
}

/** A fresh install has no token, so the REST API answers nothing but /health: say how to make the first one. */
async function tellHowToGetAToken(store: Shared['store'], log: Shared['log']): Promise<void> {
  const live = (await new TokenStore(store.sql).list()).filter((t) => t.revokedAt === null);
  if (live.length === 0) log.warn('the REST API has no API token yet: create one with `npx acs token create --name admin --scope admin`');
}
