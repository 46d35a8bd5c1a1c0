// Fans every output out to its destinations: NATS (when configured), the WebSocket hub, the recent-events
// ring. Predictions go out only for cameras with publishPredictions on.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dropUndefined, natsServers, type Config } from '../config/index.js';
import type { ActionEvent, CameraStatus, Prediction } from '../domain/index.js';
import { TsnError } from '../errors/index.js';
import type { PublishLogger } from '../publish/logger.js';
import { createNatsPublisher, type NatsPublisher } from '../publish/nats/publisher.js';
import { bearerTokenAuthorizer } from '../publish/websocket/auth.js';
import { createWebSocketHub, type WebSocketHub } from '../publish/websocket/hub.js';
import { hostPolicyOf } from './host-policy.js';
import { upgradeAuthorizer } from '../api/request-guard.js';
import type { RecentEventRing } from './event-ring.js';

export interface Publishers {
  readonly nats: NatsPublisher | undefined;
  readonly webSocket: WebSocketHub | undefined;
  publishEvent(event: ActionEvent): void;
  publishPrediction(prediction: Prediction, enabled: boolean): void;
  publishStatus(cameraId: string, status: CameraStatus): void;
  /** Waits (bounded, and only while connected) until NATS has what was published, then closes everything. */
  close(flushTimeoutMs: number): Promise<void>;
}

export function createPublishers(
  config: Config,
  deps: {
    readonly server: Server;
    readonly ring: RecentEventRing;
    readonly logger: PublishLogger;
    /** A destination that throws is reported here; the other destinations still get the message. */
    readonly onError?: (error: unknown, destination: string) => void;
  },
): Publishers {
  const each = (destination: string, send: () => void): void => {
    try {
      send();
    } catch (error) {
      if (deps.onError === undefined) throw error;
      deps.onError(error, destination);
    }
  };
  const servers = natsServers(config.nats);
  const nats = servers.length === 0 ? undefined : createNats(config.nats, servers, deps.logger);
  const ws = config.websocket;
  const auth = config.server.auth;
  const webSocket = !ws.enabled
    ? undefined
    : createWebSocketHub({
        server: deps.server,
        path: ws.path,
        maxBufferedBytes: ws.maxBufferedBytes,
        pingIntervalMs: ws.pingIntervalMs,
        logger: deps.logger,
        authorize: upgradeAuthorizer(
          hostPolicyOf(config.server),
          { allowedOrigins: ws.allowedOrigins },
          auth.token !== undefined && auth.protectWebSocket ? bearerTokenAuthorizer([auth.token]) : undefined,
        ),
      });
  return {
    nats,
    webSocket,
    publishEvent(event) {
      each('ring', () => deps.ring.push(event));
      each('nats', () => nats?.publishEvent(event));
      each('websocket', () => webSocket?.publishEvent(event));
    },
    publishPrediction(prediction, enabled) {
      if (!enabled) return;
      each('nats', () => nats?.publishPrediction(prediction));
      each('websocket', () => webSocket?.publishPrediction(prediction));
    },
    publishStatus(cameraId, status) {
      each('nats', () => nats?.publishStatus(cameraId, status));
      each('websocket', () => webSocket?.publishStatus(cameraId, status));
    },
    async close(flushTimeoutMs) {
      // While NATS is away nothing can be flushed: waiting would only delay the exit.
      if (nats?.stats().connected === true) await nats.flush(flushTimeoutMs);
      await Promise.all([nats?.close(), webSocket?.close()]);
    },
  };
}

function createNats(nats: Config['nats'], servers: string[], logger: PublishLogger): NatsPublisher {
  return createNatsPublisher({
    servers,
    name: nats.name,
    prefix: nats.prefix,
    jetstream: {
      enabled: nats.jetstream.enabled,
      stream: nats.jetstream.stream,
      maxAgeMs: nats.jetstream.maxAgeMs,
      maxMsgs: nats.jetstream.maxMsgs,
      duplicateWindowMs: nats.jetstream.duplicateWindowMs,
      replicas: nats.jetstream.replicas,
      storage: nats.jetstream.storage,
    },
    maxBufferedMessages: nats.bufferWhileDisconnected,
    logger,
    ...(nats.user === undefined ? {} : { user: nats.user }),
    ...(nats.pass === undefined ? {} : { pass: nats.pass }),
    ...(nats.token === undefined ? {} : { token: nats.token }),
    ...(nats.credentialsFile === undefined ? {} : { credsFile: nats.credentialsFile }),
    ...(nats.nkeySeedFile === undefined ? {} : { nkeySeed: readSecretFile(nats.nkeySeedFile) }),
    ...(nats.tls === undefined ? {} : { tls: dropUndefined(nats.tls) }),
  });
}

export function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new TsnError(
      'E_CONFIG_FILE',
      `cannot read nats.nkeySeedFile ${path}: ${(cause as Error).message}`,
      {
        cause,
        context: { file: path },
      },
    );
  }
}
