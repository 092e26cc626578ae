import { InitialSchema1732600000000 } from './1732600000000-initial-schema';
import { ChannelFaults1764000000000 } from './1764000000000-channel-faults';
import { IdentityCollation1765000000000 } from './1765000000000-identity-collation';
import { DeviceEvents1765100000000 } from './1765100000000-device-events';
import { Tasks1765200000000 } from './1765200000000-tasks';
import { ConnectionRequests1765300000000 } from './1765300000000-connection-requests';
import { Files1765600000000 } from './1765600000000-files';
import { WorkflowRuns1765400000000 } from './1765400000000-workflow-runs';
import { Campaigns1765500000000 } from './1765500000000-campaigns';
import { TaskKeysProgress1765710000000 } from './1765710000000-task-keys-progress';
import { ApiTokens1765800000000 } from './1765800000000-api-tokens';
import { Webhooks1765900000000 } from './1765900000000-webhooks';
import { Orders1765950000000 } from './1765950000000-orders';
import { StoredScripts1766000000000 } from './1766000000000-stored-scripts';
import { FileStorage1766100000000 } from './1766100000000-file-storage';
import { ParameterValueIndex1766200000000 } from './1766200000000-parameter-value-index';
import { WebhookDeliveryIndexes1766400000000 } from './1766400000000-webhook-delivery-indexes';
import { UiUsers1766500000000 } from './1766500000000-ui-users';
import { SavedSearches1766650000000 } from './1766650000000-saved-searches';
import { FleetStats1766700000000 } from './1766700000000-fleet-stats';
import { QoeSeries1766800000000 } from './1766800000000-qoe-series';
import { QoeAlerts1766810000000 } from './1766810000000-qoe-alerts';
import { QoeProfiles1766820000000 } from './1766820000000-qoe-profiles';
import { QoeReportSchedules1766830000000 } from './1766830000000-qoe-report-schedules';
import { WebhookPendingOnlyIndex1766900000000 } from './1766900000000-webhook-pending-only-index';
import { DeviceIdentityIndexes1767000000000 } from './1767000000000-device-identity-indexes';
import { DeviceTimeIndexes1767100000000 } from './1767100000000-device-time-indexes';

/** Every migration, oldest first; TypeORM records the applied ones in the "migrations" table. */
export const MIGRATIONS = [
  InitialSchema1732600000000,
  ChannelFaults1764000000000,
  IdentityCollation1765000000000,
  DeviceEvents1765100000000,
  Tasks1765200000000,
  ConnectionRequests1765300000000,
  WorkflowRuns1765400000000,
  Campaigns1765500000000,
  Files1765600000000,
  TaskKeysProgress1765710000000,
  ApiTokens1765800000000,
  Webhooks1765900000000,
  Orders1765950000000,
  StoredScripts1766000000000,
  FileStorage1766100000000,
  ParameterValueIndex1766200000000,
  WebhookDeliveryIndexes1766400000000,
  UiUsers1766500000000,
  SavedSearches1766650000000,
  FleetStats1766700000000,
  QoeSeries1766800000000,
  QoeAlerts1766810000000,
  QoeProfiles1766820000000,
  QoeReportSchedules1766830000000,
  WebhookPendingOnlyIndex1766900000000,
  DeviceIdentityIndexes1767000000000,
  DeviceTimeIndexes1767100000000,
];
