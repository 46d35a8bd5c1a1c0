import type { ActionEvent } from '../../domain/event.js';
import type { Prediction } from '../../domain/prediction.js';
import type { CameraStatus } from '../../domain/camera-status.js';
import type { PublishLogger } from '../logger.js';
import type { ConnectionOptions, NatsConnection } from 'nats';
import type { ConnectSettings, JetStreamOptions } from './options.js';

/** One message on its way out. */
export interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Set for events: the Nats-Msg-Id. */
  readonly msgId?: string;
}

/** Counters of one outgoing queue. */
export interface OutboxStats {
  /** Waiting to go out. */
  readonly buffered: number;
  /** Dropped because the queue was full (oldest first). */
  readonly dropped: number;
  /** Handed to the server (events: acked by JetStream). */
  readonly published: number;
}

/** What the publisher takes from outside: the clock, and nats.js's connect (a fake in unit tests). */
export interface NatsPublisherDeps {
  readonly now?: () => number;
  readonly connect?: (options: ConnectionOptions) => Promise<NatsConnection>;
}

export interface NatsPublisherOptions extends Omit<ConnectSettings, 'credsContent'> {
  /** Subject prefix; default 'actions'. */
  readonly prefix?: string;
  /** Path of a .creds file (JWT + NKey seed). */
  readonly credsFile?: string;
  readonly jetstream: JetStreamOptions;
  /** Bound of each outage queue (events; predictions + status). Default 10,000. */
  readonly maxBufferedMessages?: number;
  /** How long to wait for a JetStream ack before retrying the same message. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Pause after a failed publish or stream setup before trying again. Default 1 s. */
  readonly retryDelayMs?: number;
  /**
   * close() first waits this long for queued messages to reach the server (JetStream events: to be
   * acked). Default publishTimeoutMs + retryDelayMs + 2 s (8 s): one lost ack and its retry.
   */
  readonly closeFlushTimeoutMs?: number;
  readonly logger?: PublishLogger;
}

export type NatsConnectionState =
  | { readonly state: 'connecting'; readonly attempt: number; readonly lastError?: string }
  | { readonly state: 'connected'; readonly server: string }
  | { readonly state: 'disconnected'; readonly sinceMs: number }
  | { readonly state: 'closed' };

export interface NatsPublisherStats {
  readonly connection: NatsConnectionState;
  readonly connected: boolean;
  /** JetStream stream created/updated on the current connection (always false when JetStream is off). */
  readonly streamReady: boolean;
  /** Messages waiting (events + core). */
  readonly buffered: number;
  readonly bufferedEvents: number;
  /** Messages dropped because a queue was full (events + core). */
  readonly dropped: number;
  readonly droppedEvents: number;
  /** Messages handed to the server (events acked by JetStream + core). */
  readonly published: number;
  readonly publishedEvents: number;
  /** Events JetStream reported as already stored (a retry after a lost ack). */
  readonly duplicates: number;
  readonly publishFailures: number;
}

export interface NatsPublisher {
  publishEvent(event: ActionEvent): void;
  publishPrediction(prediction: Prediction): void;
  publishStatus(cameraId: string, status: CameraStatus): void;
  stats(): NatsPublisherStats;
  /** Resolves true once every buffered message reached the server, false if `timeoutMs` passed first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /**
   * Gives queued messages closeFlushTimeoutMs to go out (when connected), then stops retrying, drains the
   * connection and closes it; whatever is still queued is dropped.
   */
  close(): Promise<void>;
}
