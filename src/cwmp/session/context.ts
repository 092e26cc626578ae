import type { Config } from '../../config/load';
import type { FileAccess } from '../../files/access';
import type { Orders } from '../../orders';
import type { DeviceStore } from '../../db/types';
import type { EngineClient } from '../../engine/client';
import type { CommitNotices } from '../../tasks/committed';
import type { WebhookEmitter } from '../../webhooks';
import type { QoeCollection } from '../../qoe/collection';
import type { Logger } from '../../log';
import type { TraceSwitch } from '../../trace/switch';
import type { Authenticator } from '../http/auth';
import type { ClientCertificate } from '../http/client-cert';
import type { DeviceFactsCache } from './device-facts';
import type { RedisSessionStore } from './redis-store';

/** What CWMP session handling needs from the rest of the process; no raw req/res. */
export interface SessionDeps {
  config: Readonly<Config>;
  store: DeviceStore;
  sessions: RedisSessionStore;
  auth: Authenticator;
  facts: DeviceFactsCache;
  log: Logger;
  /** The provisioning engine's front-end side; null runs sessions without presets. */
  provisioning: EngineClient | null;
  /** Told of every committed session (tasks finished, events), for waiting API requests and workflows. */
  notices?: CommitNotices | null;
  /** Told of every ended session's events (device.*, task.*) for webhook subscriptions. */
  webhooks?: WebhookEmitter | null;
  /** Turns a committed session's reads of collection profiles' parameters into frames. */
  qoe?: Pick<QoeCollection, 'fromSession'> | null;
  /** Zero-touch orders waiting for a device's first contact. */
  orders?: Pick<Orders, 'onBootstrap'> | null;
  /** Signs Downloads of the ACS's own files for the device they go to; absent: sent as planned. */
  fileAccess?: Pick<FileAccess, 'grant'> | null;
  /** The per-device SOAP trace switch (PUT /devices/:id/trace); absent: nothing traced. */
  trace?: TraceSwitch | null;
}

/** One CWMP POST as session handling sees it. */
export interface CwmpPost {
  /** The decoded text, '' for an empty POST. */
  body: string;
  /** From the cookie, or the connection for CPEs that return no cookie. */
  sessionId: string | null;
  /** How sessionId was found; only a cookie or the same connection proves it is this CPE's own session. */
  sessionSource: 'cookie' | 'connection' | 'address' | null;
  remoteAddress: string;
  authorization: string | undefined;
  httpMethod: string;
  /** The request target, which a Digest answer must name. */
  uri: string;
  /** The verified client certificate of the connection (mTLS), checked against the Inform's DeviceId. */
  clientCert?: ClientCertificate | null;
}
