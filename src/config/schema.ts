/**
 * The one table of settings. Each entry names its env var, type, default and
 * meaning; README.md's configuration table is checked against it by a test.
 * Units live in the names (Ms, Bytes, Seconds).
 */
export interface OptionSpec<T> {
  env: string;
  default: T;
  doc: string;
}

type Spec<T> = { [K in keyof T]: OptionSpec<T[K]> };

export interface Config {
  cwmpHost: string;
  cwmpPort: number;
  nbiHost: string;
  nbiPort: number;
  nbiTokenRate: number;
  searchStatementMs: number;
  genieacsNbiPort: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  presetsDir: string;
  provisionsDir: string;
  virtualParametersDir: string;
  extDir: string;
  workflowsDir: string;
  extTimeoutMs: number;
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
  engineMaxRpcs: number;
  engineMaxSteps: number;
  engineStepTimeoutMs: number;
  workerConcurrency: number;
  cwmpMaxBodyBytes: number;
  sessionTimeoutMs: number;
  cwmpAuth: 'none' | 'basic' | 'digest';
  cwmpUsername: string;
  cwmpPassword: string;
  cwmpAuthRealm: string;
  cwmpMaxConcurrent: number;
  cwmpRequestTimeoutMs: number;
  startupRetryMs: number;
  cwmpHoldRequests: boolean;
  trustProxy: boolean;
  cwmpAddressFallback: boolean;
  cwmpTlsCert: string;
  cwmpTlsKey: string;
  cwmpTlsCa: string;
  cwmpTlsClientAuth: 'none' | 'optional' | 'require';
  cwmpTlsIdentity: 'cn-serial' | 'cn-device-id' | 'contains-serial' | 'none';
  nbiTlsCert: string;
  nbiTlsKey: string;
  nbiTlsCa: string;
  nbiTlsClientAuth: 'none' | 'optional' | 'require';
  fsTlsCert: string;
  fsTlsKey: string;
  fsTlsCa: string;
  fsTlsClientAuth: 'none' | 'optional' | 'require';
  taskRetentionMs: number;
  webhookTimeoutMs: number;
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookDisableAfterMs: number;
  webhookRetentionMs: number;
  webhookPipeline: number;
  workerDeliversWebhooks: boolean;
  webhookScheduling: string;
  qoeExportMax: number;
  vendorProfilesDir: string;
  vendorProfilesShipped: boolean;
  qoeAlertEveryMs: number;
  qoeReportMaxBytes: number;
  fsHost: string;
  fsPort: number;
  fsUrl: string;
  fsMaxBytes: number;
  fsUploadTtlMs: number;
  fsAccess: string;
  fsUrlTtlMs: number;
  fsUrlSecret: string;
  filesStorage: string;
  filesDir: string;
  stunPort: number;
  stunHost: string;
  connectionRequestRate: number;
  connectionRequestTimeoutMs: number;
  connectionRequestAttempts: number;
  connectionRequestIntervalMs: number;
  connectionRequestPendingMs: number;
  metricsPort: number;
  metricsHost: string;
  metricsAuth: 'token' | 'none';
  traceMaxMessages: number;
  traceKeepMs: number;
  statsFlushMs: number;
  statsRetentionMs: number;
  logLevel: string;
}

export const schema: Spec<Config> = {
  cwmpHost: { env: 'CWMP_HOST', default: '0.0.0.0', doc: 'Interface the CWMP (CPE-facing) server listens on' },
  cwmpPort: { env: 'CWMP_PORT', default: 7547, doc: 'CWMP port (IANA-assigned 7547)' },
  nbiHost: { env: 'NBI_HOST', default: '0.0.0.0', doc: 'Interface of the northbound REST API (every route but /health needs an API token)' },
  nbiPort: { env: 'NBI_PORT', default: 7557, doc: 'Northbound REST API port' },
  nbiTokenRate: { env: 'NBI_TOKEN_RATE', default: 1000, doc: 'Requests per second per API token and REST API process (a burst of as many; 429 beyond); 0 = no limit' },
  searchStatementMs: {
    env: 'SEARCH_STATEMENT_MS',
    default: 20_000,
    doc: 'Longest one SQL statement of a REST API device search (lists, counts, bulk tag changes, GenieACS queries) may run: MariaDB/MySQL stop it and the request answers 400 naming the setting; 0 = no bound. Not applied on SQLite',
  },
  genieacsNbiPort: {
    env: 'GENIEACS_NBI_PORT',
    default: 0,
    doc: 'Port of the GenieACS-compatible REST API (GenieACS NBI routes at the root, on NBI_HOST, in processes with the REST API; API tokens as Bearer or as the HTTP Basic password); 0 = off',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: 'sqlite:./data/acs.sqlite',
    doc: 'mysql://user:pass@host:3306/db (production) or sqlite:./path/file.sqlite (embedded)',
  },
  redisUrl: {
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    doc: 'Redis for session state: redis:// or rediss://, a Redis Cluster redis+cluster://host:port,host:port,..., or a Sentinel-managed master redis+sentinel://host:port,.../<master name>. When unset and the role is all: this default, else a private redis-server started under DATA_DIR. When set, or with a split role, an unreachable Redis is an error (after STARTUP_RETRY_MS)',
  },
  redisPrefix: {
    env: 'REDIS_PREFIX',
    default: 'acs:',
    doc: 'Prefix of every Redis key, so several deployments (or test runs) can share one Redis',
  },
  dataDir: { env: 'DATA_DIR', default: './data', doc: 'Folder for the embedded database and a private Redis' },
  presetsDir: { env: 'PRESETS_DIR', default: './presets', doc: 'Folder of preset YAML files (checked by acs lint)' },
  provisionsDir: { env: 'PROVISIONS_DIR', default: './provisions', doc: 'Folder of provision scripts (.js, .ts)' },
  virtualParametersDir: {
    env: 'VIRTUAL_PARAMETERS_DIR',
    default: './virtual-parameters',
    doc: 'Folder of virtual parameter scripts (.js, .ts); VirtualParameters.<file name> in declares and preconditions',
  },
  extDir: { env: 'EXT_DIR', default: './extensions', doc: 'Folder of operator extensions (Node modules) that scripts call with ext()' },
  workflowsDir: {
    env: 'WORKFLOWS_DIR',
    default: './workflows',
    doc: 'Folder of workflow files (YAML, see workflows/README.md): multi-session procedures over one device (checked by acs lint)',
  },
  extTimeoutMs: { env: 'EXT_TIMEOUT_MS', default: 3_000, doc: 'Time limit of one ext() call; past it the call faults the channel' },
  scriptTimeoutMs: { env: 'SCRIPT_TIMEOUT_MS', default: 50, doc: 'Time limit (wall clock) of one run of a provision script' },
  scriptMemoryMb: { env: 'SCRIPT_MEMORY_MB', default: 32, doc: 'Memory limit of a provision script isolate, in MiB' },
  engineMaxRpcs: {
    env: 'ENGINE_MAX_RPCS',
    default: 64,
    doc: 'Most RPCs the provisioning engine sends in one session; past it the session ends with a fault on the device',
  },
  engineMaxSteps: {
    env: 'ENGINE_MAX_STEPS',
    default: 32,
    doc: 'Most planning rounds (script re-runs) in one session; past it the session ends with a fault on the device',
  },
  engineStepTimeoutMs: {
    env: 'ENGINE_STEP_TIMEOUT_MS',
    default: 5_000,
    doc: 'How long a front end waits for an engine worker to plan a step before asking again (another worker may take it); keep it above EXT_TIMEOUT_MS',
  },
  workerConcurrency: { env: 'WORKER_CONCURRENCY', default: 8, doc: 'Engine steps one worker process runs at once' },
  cwmpMaxBodyBytes: {
    env: 'CWMP_MAX_BODY',
    default: 4 * 1024 * 1024,
    doc: 'Largest CWMP request body accepted, in bytes, after decompression',
  },
  sessionTimeoutMs: {
    env: 'SESSION_TIMEOUT_MS',
    default: 30_000,
    doc: 'A session idle this long is closed and what it learnt is stored',
  },
  cwmpAuth: {
    env: 'CWMP_AUTH',
    default: 'none',
    doc: 'CPE authentication for every device: none, basic or digest. Devices with stored credentials always authenticate (digest unless CWMP_AUTH=basic)',
  },
  cwmpUsername: { env: 'CWMP_USERNAME', default: '', doc: 'Global CPE username (when CWMP_AUTH is basic or digest)' },
  cwmpPassword: { env: 'CWMP_PASSWORD', default: '', doc: 'Global CPE password' },
  cwmpAuthRealm: { env: 'CWMP_AUTH_REALM', default: 'acs', doc: 'HTTP authentication realm' },
  cwmpMaxConcurrent: {
    env: 'CWMP_MAX_CONCURRENT',
    // More in progress adds latency and memory, not throughput (one event loop): 500 keeps a loaded process responsive.
    default: 500,
    doc: 'CWMP requests in progress at once per process; beyond it the first POST of a new session gets 503 with Retry-After (POSTs of open sessions always pass)',
  },
  cwmpRequestTimeoutMs: {
    env: 'CWMP_REQUEST_TIMEOUT_MS',
    default: 30_000,
    doc: 'A CWMP request whose headers and body have not all arrived in this time is answered 408 and its connection closed',
  },
  startupRetryMs: {
    env: 'STARTUP_RETRY_MS',
    default: 60_000,
    doc: 'How long start-up keeps retrying an unreachable database or Redis (with backoff) before the process exits non-zero',
  },
  cwmpHoldRequests: {
    env: 'CWMP_HOLD_REQUESTS',
    default: false,
    doc: 'Send HoldRequests=true with each ACS request, so a CPE answers it before sending requests of its own',
  },
  trustProxy: {
    env: 'TRUST_PROXY',
    default: false,
    doc: 'Take the CPE address from X-Forwarded-For (set when CPEs come through a load balancer)',
  },
  cwmpAddressFallback: {
    env: 'CWMP_ADDRESS_FALLBACK',
    default: false,
    doc: 'For CPEs that return no cookie and drop the connection mid-session: find the session by the CPE address. Unsafe when CPEs share an address (NAT)',
  },
  cwmpTlsCert: { env: 'CWMP_TLS_CERT', default: '', doc: 'PEM certificate chain file of the CWMP server: set with CWMP_TLS_KEY, CWMP is HTTPS (re-read when the file changes, no restart)' },
  cwmpTlsKey: { env: 'CWMP_TLS_KEY', default: '', doc: 'PEM private key file of the CWMP server certificate' },
  cwmpTlsCa: { env: 'CWMP_TLS_CA', default: '', doc: 'PEM file of the CA certificates that CPE client certificates must chain to (needed by CWMP_TLS_CLIENT_AUTH)' },
  cwmpTlsClientAuth: {
    env: 'CWMP_TLS_CLIENT_AUTH',
    default: 'none',
    doc: 'CPE client certificates (mTLS): none, optional (a CPE without one authenticates by CWMP_AUTH; an untrusted one gets 403) or require (refused at the TLS handshake without a trusted one)',
  },
  cwmpTlsIdentity: {
    env: 'CWMP_TLS_IDENTITY',
    default: 'cn-serial',
    doc: 'How an Inform\'s DeviceId must match the client certificate: cn-serial (subject CN = SerialNumber), cn-device-id (CN = OUI-ProductClass-SerialNumber), contains-serial (CN or a subjectAltName contains SerialNumber) or none; a mismatch is refused (403) before the device is stored',
  },
  nbiTlsCert: { env: 'NBI_TLS_CERT', default: '', doc: 'PEM certificate chain file of the REST API: set with NBI_TLS_KEY, the REST API is HTTPS (re-read when the file changes)' },
  nbiTlsKey: { env: 'NBI_TLS_KEY', default: '', doc: 'PEM private key file of the REST API certificate' },
  nbiTlsCa: { env: 'NBI_TLS_CA', default: '', doc: 'PEM file of the CA certificates that REST API client certificates must chain to (needed by NBI_TLS_CLIENT_AUTH)' },
  nbiTlsClientAuth: { env: 'NBI_TLS_CLIENT_AUTH', default: 'none', doc: 'REST API client certificates: none, optional (an untrusted one gets 403) or require (refused at the TLS handshake)' },
  fsTlsCert: { env: 'FS_TLS_CERT', default: '', doc: 'PEM certificate chain file of the file server: set with FS_TLS_KEY, the file server is HTTPS and FS_URL\'s default https (re-read when the file changes)' },
  fsTlsKey: { env: 'FS_TLS_KEY', default: '', doc: 'PEM private key file of the file server certificate' },
  fsTlsCa: { env: 'FS_TLS_CA', default: '', doc: 'PEM file of the CA certificates that client certificates of the file server must chain to (needed by FS_TLS_CLIENT_AUTH)' },
  fsTlsClientAuth: { env: 'FS_TLS_CLIENT_AUTH', default: 'none', doc: 'File server client certificates: none, optional (an untrusted one gets 403) or require (refused at the TLS handshake)' },
  taskRetentionMs: {
    env: 'TASK_RETENTION_MS',
    default: 7 * 24 * 3600_000,
    doc: 'How long finished tasks (done, fault, expired, cancelled) stay listed with their result before they are deleted',
  },
  webhookTimeoutMs: { env: 'WEBHOOK_TIMEOUT_MS', default: 10_000, doc: 'How long a webhook receiver has to answer a delivery (then it is retried)' },
  webhookRetryBaseMs: { env: 'WEBHOOK_RETRY_BASE_MS', default: 1_000, doc: 'First retry of a failed webhook delivery after this, doubling each time up to WEBHOOK_RETRY_MAX_MS' },
  webhookRetryMaxMs: { env: 'WEBHOOK_RETRY_MAX_MS', default: 600_000, doc: 'Longest wait between two attempts of a webhook delivery' },
  webhookDisableAfterMs: {
    env: 'WEBHOOK_DISABLE_AFTER_MS',
    default: 24 * 3600_000,
    doc: 'A webhook whose deliveries have failed for this long is disabled (a warning in the log, disabledReason on the webhook, the metric acs_webhooks_disabled_total; POST /webhooks/:id/enable turns it back on)',
  },
  vendorProfilesDir: {
    env: 'VENDOR_PROFILES_DIR',
    default: '',
    doc: 'Folder of operator vendor profiles (one YAML file each, see README "Vendor profiles"); empty: none',
  },
  vendorProfilesShipped: {
    env: 'VENDOR_PROFILES_SHIPPED',
    default: true,
    doc: 'Use the vendor profiles shipped for the sample device models and captured CPEs (see README "Vendor profiles")',
  },
  qoeAlertEveryMs: {
    env: 'QOE_ALERT_EVERY_MS',
    default: 60_000,
    doc: 'How often the workers evaluate the QoE alert rules, for the devices with new samples since the last time',
  },
  qoeReportMaxBytes: {
    env: 'QOE_REPORT_MAX_BYTES',
    default: 1_048_576,
    doc: 'Largest bulk data report (TR-232) the collector takes, as sent (compressed); decompressed it may be 8 times that',
  },
  qoeExportMax: {
    env: 'QOE_EXPORT_MAX',
    default: 0,
    doc: 'When above 0, every QoE frame the workers store is also appended to the Redis stream `<REDIS_PREFIX>qoe:export`, kept to about this many entries, for an outside store (ClickHouse, Prometheus remote-write) to read',
  },
  workerDeliversWebhooks: {
    env: 'WORKER_DELIVERS_WEBHOOKS',
    default: true,
    doc: 'Whether `--role worker` processes also deliver webhooks. Set false when `--role webhooks` processes deliver them (e.g. on hosts of their own: see "Webhooks")',
  },
  webhookScheduling: {
    env: 'WEBHOOK_SCHEDULING',
    default: 'idle',
    doc: 'CPU policy of `--role webhooks` processes (Linux, through chrt): idle runs the deliveries only on CPU time nothing else wants, so sessions on the same host take the CPU first (under full load the deliveries wait, their events kept, and catch up after); normal competes with the sessions as any process does',
  },
  webhookRetentionMs: {
    env: 'WEBHOOK_RETENTION_MS',
    default: 7 * 24 * 3600_000,
    doc: 'How long delivered, failed and skipped webhook deliveries stay in the delivery log (and can be replayed) before they are deleted; pending ones stay until settled',
  },
  webhookPipeline: {
    env: 'WEBHOOK_PIPELINE',
    default: 16,
    doc: 'Webhook POSTs a kept-alive connection to a receiver that answers within 10 ms carries at once (HTTP/1.1 pipelining; those behind an answer that closes the connection are sent again, under the same delivery id); 1 sends one at a time',
  },
  fsHost: { env: 'FS_HOST', default: '0.0.0.0', doc: 'Interface the file server (firmware images, configuration backups, CPE uploads) listens on' },
  fsPort: { env: 'FS_PORT', default: 7567, doc: 'File server port (as GenieACS); run by the processes with the CWMP server (roles all and cwmp)' },
  fsUrl: {
    env: 'FS_URL',
    default: '',
    doc: 'Base of the file URLs given to CPEs (Download and Upload RPCs); empty: http://<hostname>:<FS_PORT> (https with FS_TLS_CERT). Set it behind NAT or a load balancer',
  },
  fsMaxBytes: { env: 'FILES_MAX_BYTES', default: 256 * 1024 * 1024, doc: 'Largest file accepted from the REST API or a CPE, in bytes (413 beyond)' },
  fsUploadTtlMs: {
    env: 'FS_UPLOAD_TTL_MS',
    default: 24 * 3600_000,
    doc: 'How long an upload URL given to a CPE stays valid (an Upload may wait for the next periodic Inform)',
  },
  fsAccess: {
    env: 'FS_ACCESS',
    default: 'device',
    doc: 'Who may download from the file server: device (only a CPE the ACS sent a Download of that file: a signed URL, or the per-device Username/Password put in the RPC when the task gave none) or open (anyone who knows the name, as GenieACS)',
  },
  fsUrlTtlMs: { env: 'FS_URL_TTL_MS', default: 7 * 24 * 3600_000, doc: 'How long a signed download URL given to a CPE stays valid (counted from the RPC; a ScheduleDownload may wait days)' },
  fsUrlSecret: {
    env: 'FS_URL_SECRET',
    default: '',
    doc: 'Key signing download URLs and deriving per-device file credentials; empty: a random key made once per deployment and kept in the database (table acs_secrets), shared by every process',
  },
  filesStorage: {
    env: 'FILES_STORAGE',
    default: 'disk',
    doc: 'Where new file contents go: disk (under FILES_DIR; a cluster on several machines needs it on a shared file system) or database (file_chunks rows, served by every process). Files stored before a change stay readable where they are',
  },
  filesDir: { env: 'FILES_DIR', default: '', doc: 'Folder of the disk file storage; empty: <DATA_DIR>/files' },
  stunPort: {
    env: 'STUN_PORT',
    default: 3478,
    doc: 'UDP port of the bundled STUN server (TR-111): CPEs behind NAT keep a binding there, and UDP connection requests go out from it. Run by the processes with the REST API (roles all and nbi); 0 = off',
  },
  stunHost: { env: 'STUN_HOST', default: '0.0.0.0', doc: 'Interface the STUN server listens on' },
  connectionRequestRate: {
    env: 'CONNECTION_REQUEST_RATE',
    default: 50,
    doc: 'Connection requests per second across the cluster (beyond it: outcome rate-limited); 0 = no limit',
  },
  connectionRequestTimeoutMs: { env: 'CONNECTION_REQUEST_TIMEOUT_MS', default: 3_000, doc: 'Time limit of one HTTP connection request' },
  connectionRequestAttempts: {
    env: 'CONNECTION_REQUEST_ATTEMPTS',
    default: 3,
    doc: 'HTTP tries when the device does not answer (with a short doubling backoff) before UDP or giving up',
  },
  connectionRequestIntervalMs: {
    env: 'CONNECTION_REQUEST_INTERVAL_MS',
    default: 2_000,
    doc: 'Least time between two connection requests to one device',
  },
  connectionRequestPendingMs: {
    env: 'CONNECTION_REQUEST_PENDING_MS',
    default: 30_000,
    doc: 'A device asked to connect is not asked again until its Inform arrives or this time passes',
  },
  metricsPort: {
    env: 'METRICS_PORT',
    default: 0,
    doc: 'Port of this process\'s metrics server: /metrics (Prometheus), /health and /ready. 0 = off (a process with the REST API serves /metrics there). Pick one per process on a shared machine; a worker has no other HTTP server',
  },
  metricsHost: { env: 'METRICS_HOST', default: '0.0.0.0', doc: 'Interface the metrics server listens on' },
  metricsAuth: {
    env: 'METRICS_AUTH',
    default: 'token',
    doc: 'token: /metrics on METRICS_PORT needs an API token of scope read (Authorization: Bearer), as on the REST API; none: anyone reaching the port may scrape it (a private network)',
  },
  traceMaxMessages: {
    env: 'TRACE_MAX_MESSAGES',
    default: 1000,
    doc: 'SOAP messages kept per traced device (PUT /devices/:id/trace), the oldest dropped first; each message is cut at 1 MiB',
  },
  traceKeepMs: { env: 'TRACE_KEEP_MS', default: 24 * 3600_000, doc: 'How long a device\'s trace is kept after its last message' },
  statsFlushMs: { env: 'STATS_FLUSH_MS', default: 10_000, doc: 'How often each process adds its session, Inform and fault counts to the fleet statistics in Redis (GET /stats/fleet)' },
  statsRetentionMs: { env: 'STATS_RETENTION_MS', default: 8 * 24 * 3600_000, doc: 'How long the fleet statistics\' per-minute rows are kept in the database' },
  logLevel: { env: 'LOG_LEVEL', default: 'info', doc: 'pino log level: fatal, error, warn, info, debug, trace, silent' },
};
