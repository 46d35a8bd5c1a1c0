// Public surface of the publishers, for the composition root.
import type { ActionEvent } from '../domain/event.js';
import type { Prediction } from '../domain/prediction.js';
import type { CameraStatus } from '../domain/camera-status.js';

/** What the pipeline feeds; NATS and WebSocket publishers both implement it. */
export interface MessageSink {
  publishEvent(event: ActionEvent): void;
  publishPrediction(prediction: Prediction): void;
  publishStatus(cameraId: string, status: CameraStatus): void;
}

export {
  createSubjects,
  sanitizeToken,
  validatePrefix,
  DEFAULT_SUBJECT_PREFIX,
  type SubjectBuilder,
} from './subjects.js';
export {
  toWireEvent,
  toWirePrediction,
  toWireStatus,
  encodeWire,
  WIRE_SCHEMA_VERSION,
  WIRE_MESSAGE_TYPES,
  type WireEvent,
  type WirePrediction,
  type WireStatus,
  type WireMessage,
  type WireMessageType,
} from './wire.js';
export { silentLogger, type PublishLogger } from './logger.js';
export {
  createNatsPublisher,
  type NatsPublisher,
  type NatsPublisherOptions,
  type NatsPublisherStats,
  type NatsConnectionState,
} from './nats/publisher.js';
export { buildConnectOptions, buildStreamConfig, type JetStreamOptions } from './nats/options.js';
export {
  createWebSocketHub,
  DEFAULT_EVENTS_PATH,
  type WebSocketHub,
  type WebSocketHubOptions,
  type WebSocketHubStats,
} from './websocket/hub.js';
export { bearerTokenAuthorizer, bearerTokenOf } from './websocket/auth.js';
export { WS_CLOSE } from './websocket/close-codes.js';
export {
  parseFilterQuery,
  parseClientCommand,
  matchesFilter,
  buildFilter,
  DEFAULT_FILTER,
  type SubscriptionFilter,
} from './websocket/filter.js';
