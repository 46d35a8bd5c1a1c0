// Pure builders for what the NATS publisher hands to nats.js: connection options and the JetStream stream
// config. Golden-tested, so a changed default is a visible diff.
import {
  credsAuthenticator,
  DiscardPolicy,
  nanos,
  nkeyAuthenticator,
  RetentionPolicy,
  StorageType,
  type Authenticator,
  type ConnectionOptions,
  type StreamConfig,
} from 'nats';
import type { TlsOptions as NodeTlsOptions } from 'node:tls';
import type { TlsOptions as NatsTlsOptions } from 'nats';

export interface JetStreamOptions {
  readonly enabled: boolean;
  /** Stream name; default 'ACTIONS'. */
  readonly stream?: string;
  /** Default [`${prefix}.events.>`]. */
  readonly subjects?: readonly string[];
  /** 0 = keep forever (default 7 days). */
  readonly maxAgeMs?: number;
  /** -1 = unlimited (default 1,000,000). */
  readonly maxMsgs?: number;
  /** How long the stream remembers Nats-Msg-Id values to drop re-publishes; default 2 minutes. */
  readonly duplicateWindowMs?: number;
  readonly replicas?: number;
  /** 'file' (default) survives a server restart; 'memory' does not. */
  readonly storage?: 'file' | 'memory';
}

export interface NatsAuthOptions {
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** NKey user seed ("SU..."). */
  readonly nkeySeed?: string;
  /** Contents of a .creds file (JWT + seed); the adapter reads `credsFile` into this. */
  readonly credsContent?: string;
  /** Passed through to nats.js (node: ca/cert/key or caFile/certFile/keyFile, plus node tls options). */
  readonly tls?: NatsTlsOptions | NodeTlsOptions | null;
}

export interface ConnectSettings extends NatsAuthOptions {
  readonly servers: string | readonly string[];
  readonly name?: string;
  readonly reconnectTimeWaitMs?: number;
  readonly pingIntervalMs?: number;
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_STREAM = 'ACTIONS';
export const DEFAULT_STREAM_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const DEFAULT_STREAM_MAX_MSGS = 1_000_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

function authenticators(auth: NatsAuthOptions): Authenticator[] {
  const encoder = new TextEncoder();
  const list: Authenticator[] = [];
  if (auth.nkeySeed !== undefined) list.push(nkeyAuthenticator(encoder.encode(auth.nkeySeed)));
  if (auth.credsContent !== undefined) list.push(credsAuthenticator(encoder.encode(auth.credsContent)));
  return list;
}

/**
 * After the first connection nats.js reconnects forever on its own; the first connection is retried by
 * NatsLink (waitOnFirstConnect would hide a pending connect that close() could not cancel).
 */
export function buildConnectOptions(settings: ConnectSettings): ConnectionOptions {
  const auth = authenticators(settings);
  return {
    servers: typeof settings.servers === 'string' ? settings.servers : [...settings.servers],
    ...(settings.name === undefined ? {} : { name: settings.name }),
    reconnect: true,
    maxReconnectAttempts: -1,
    // Without this nats.js closes the connection after the same auth error twice, and never comes back.
    ignoreAuthErrorAbort: true,
    waitOnFirstConnect: false,
    reconnectTimeWait: settings.reconnectTimeWaitMs ?? 1000,
    reconnectJitter: 100,
    pingInterval: settings.pingIntervalMs ?? 20_000,
    timeout: settings.connectTimeoutMs ?? 5000,
    ...(settings.user === undefined ? {} : { user: settings.user }),
    ...(settings.pass === undefined ? {} : { pass: settings.pass }),
    ...(settings.token === undefined ? {} : { token: settings.token }),
    ...(auth.length === 0 ? {} : { authenticator: auth.length === 1 ? auth[0] : auth }),
    ...(settings.tls === undefined ? {} : { tls: settings.tls as NatsTlsOptions | null }),
  };
}

export function buildStreamConfig(
  js: JetStreamOptions,
  defaultSubject: string,
): Partial<StreamConfig> & { name: string } {
  const maxAgeMs = js.maxAgeMs ?? DEFAULT_STREAM_MAX_AGE_MS;
  return {
    name: js.stream ?? DEFAULT_STREAM,
    subjects: [...(js.subjects ?? [defaultSubject])],
    retention: RetentionPolicy.Limits,
    storage: js.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: maxAgeMs <= 0 ? 0 : nanos(maxAgeMs),
    max_msgs: js.maxMsgs ?? DEFAULT_STREAM_MAX_MSGS,
    duplicate_window: nanos(js.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    num_replicas: js.replicas ?? 1,
  };
}
