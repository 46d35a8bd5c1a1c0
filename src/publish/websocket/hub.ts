// WebSocket fan-out of wire messages on GET /v1/events. Each message is serialised once and the same bytes go
// to every matching client; a client whose send buffer passes maxBufferedBytes is cut off instead of being
// buffered for, so one slow reader never costs the others time or the process memory. Control replies
// (subscribed, pong, error) pass the same check, and a client's commands are rate limited: a client that
// stops reading and floods subscribe messages is cut off instead of growing the server.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type ServerOptions } from 'ws';
import type { ActionEvent } from '../../domain/event.js';
import type { Prediction } from '../../domain/prediction.js';
import type { CameraStatus } from '../../domain/camera-status.js';
import { encodeWire, toWireEvent, toWirePrediction, toWireStatus, type WireMessage } from '../wire.js';
import { silentLogger, type PublishLogger } from '../logger.js';
import { matchesFilter, parseClientCommand, parseFilterQuery, type SubscriptionFilter } from './filter.js';
import { WS_CLOSE, type HubControlMessage } from './close-codes.js';
import { CommandBudget } from './command-budget.js';
import type { UpgradeVerdict } from './auth.js';

export const DEFAULT_EVENTS_PATH = '/v1/events';

// Held by a client whose request was rejected, for the moment until its close completes.
const NOTHING: SubscriptionFilter = Object.freeze({ cameras: [], labels: [], types: [], minScore: 0 });

export interface WebSocketHubOptions {
  readonly server: Server;
  /** Upgrade path; default '/v1/events'. Other paths are left to other 'upgrade' listeners. */
  readonly path?: string;
  /** Per-client send buffer limit; a client above it is closed with 4008. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Ping period; a client that has not answered the previous ping is terminated. Default 30 s. */
  readonly pingIntervalMs?: number;
  /** How long a closing client may take to finish the close handshake before its socket is destroyed. */
  readonly closeGraceMs?: number;
  /** Upgrades beyond this are answered 503. Default 10,000. */
  readonly maxClients?: number;
  /** Largest accepted client message (subscribe commands), bytes. Default 64 KiB. */
  readonly maxClientMessageBytes?: number;
  /** Client commands (subscribe, ping) allowed per second after the burst; beyond, the client is closed with 4008. Default 20. */
  readonly maxCommandsPerSecond?: number;
  /** Client commands allowed at once before the rate applies. Default 50. */
  readonly commandBurst?: number;
  /** Clock for the command rate; default Date.now. */
  readonly nowMs?: () => number;
  /** Rejects the upgrade with 401 when false (see bearerTokenAuthorizer), or with a refusal's status. */
  readonly authorize?: (req: IncomingMessage) => UpgradeVerdict | Promise<UpgradeVerdict>;
  readonly logger?: PublishLogger;
}

export interface WebSocketHubStats {
  readonly clients: number;
  readonly connectionsTotal: number;
  readonly messagesSent: number;
  readonly slowConsumerDisconnects: number;
  /** Clients closed (4008) for sending commands faster than maxCommandsPerSecond. */
  readonly commandRateDisconnects: number;
  readonly heartbeatTimeouts: number;
  readonly unauthorized: number;
  readonly invalidRequests: number;
  readonly rejectedFull: number;
}

export interface WebSocketHub {
  publishEvent(event: ActionEvent): void;
  publishPrediction(prediction: Prediction): void;
  publishStatus(cameraId: string, status: CameraStatus): void;
  /** Sends an already-built wire message (the same object NATS gets). */
  publish(message: WireMessage): void;
  clients(): number;
  stats(): WebSocketHubStats;
  /** Closes every client with 1001, stops the heartbeat and detaches from the server; resolves when all are gone. */
  close(): Promise<void>;
}

interface Client {
  readonly ws: WebSocket;
  filter: SubscriptionFilter;
  alive: boolean;
  closing: boolean;
  readonly budget: CommandBudget;
}

type Counters = { -readonly [K in Exclude<keyof WebSocketHubStats, 'clients'>]: number };

function rejectUpgrade(socket: Duplex, status: number, reason: string, extraHeaders: string[] = []): void {
  const body = `${reason}\n`;
  socket.end(
    [
      `HTTP/1.1 ${status} ${reason}`,
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...extraHeaders,
      '',
      body,
    ].join('\r\n'),
  );
}

export function createWebSocketHub(options: WebSocketHubOptions): WebSocketHub {
  const path = options.path ?? DEFAULT_EVENTS_PATH;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const maxClients = options.maxClients ?? 10_000;
  const log = options.logger ?? silentLogger;
  const wssOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: options.maxClientMessageBytes ?? 64 * 1024,
    perMessageDeflate: false,
    clientTracking: false,
    closeTimeout: options.closeGraceMs ?? 2000,
  };
  const wss = new WebSocketServer(wssOptions);
  const clients = new Set<Client>();
  const counters: Counters = {
    connectionsTotal: 0,
    messagesSent: 0,
    slowConsumerDisconnects: 0,
    commandRateDisconnects: 0,
    heartbeatTimeouts: 0,
    unauthorized: 0,
    invalidRequests: 0,
    rejectedFull: 0,
  };
  const maxCommandsPerSecond = options.maxCommandsPerSecond ?? 20;
  const commandBurst = options.commandBurst ?? 50;
  const nowMs = options.nowMs ?? Date.now;
  let closed = false;

  const closeClient = (client: Client, code: number, reason: string): void => {
    client.closing = true;
    client.ws.close(code, reason);
  };

  /** False (and the client is being closed) when its send buffer is past the limit. */
  const withinBuffer = (client: Client): boolean => {
    if (client.ws.bufferedAmount <= maxBufferedBytes) return true;
    counters.slowConsumerDisconnects += 1;
    log.warn(
      { bufferedBytes: client.ws.bufferedAmount, maxBufferedBytes },
      'websocket slow consumer cut off',
    );
    closeClient(client, WS_CLOSE.slowConsumer, 'slow consumer');
    return false;
  };

  const sendControl = (client: Client, message: HubControlMessage): void => {
    if (client.ws.readyState !== WebSocket.OPEN || !withinBuffer(client)) return;
    client.ws.send(JSON.stringify(message));
  };

  const rejectRequest = (client: Client, message: string): void => {
    counters.invalidRequests += 1;
    sendControl(client, { op: 'error', error: 'invalid-request', message });
    closeClient(client, WS_CLOSE.invalidRequest, 'invalid request');
  };

  const onClientMessage = (client: Client, data: Buffer, isBinary: boolean): void => {
    if (client.closing) return;
    if (!client.budget.take(nowMs())) {
      counters.commandRateDisconnects += 1;
      log.warn({ maxCommandsPerSecond, commandBurst }, 'websocket client sent commands too fast; cut off');
      return closeClient(client, WS_CLOSE.tooManyCommands, 'too many commands');
    }
    const result = isBinary
      ? ({ ok: false, error: 'binary messages are not accepted; send JSON text' } as const)
      : parseClientCommand(data.toString('utf8'));
    if (!result.ok) return rejectRequest(client, result.error);
    if (result.command.op === 'ping') return sendControl(client, { op: 'pong' });
    client.filter = result.command.filter;
    sendControl(client, { op: 'subscribed', filter: client.filter });
  };

  const onConnection = (ws: WebSocket, url: URL): void => {
    const parsed = parseFilterQuery(url.searchParams);
    const client: Client = {
      ws,
      filter: parsed.ok ? parsed.filter : NOTHING,
      alive: true,
      closing: false,
      budget: new CommandBudget(maxCommandsPerSecond, commandBurst),
    };
    clients.add(client);
    counters.connectionsTotal += 1;
    ws.on('close', () => clients.delete(client));
    ws.on('error', (error) => log.debug({ err: error }, 'websocket client error'));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data: Buffer, isBinary) => onClientMessage(client, data, isBinary));
    if (!parsed.ok) return rejectRequest(client, parsed.error);
    sendControl(client, { op: 'subscribed', filter: client.filter });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      // Another listener (e.g. a live-preview endpoint) may own this path; answer only if nobody else can.
      if (options.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', (error) => log.debug({ err: error }, 'websocket upgrade socket error'));
    if (closed) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (clients.size >= maxClients) {
      counters.rejectedFull += 1;
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    const authorize = options.authorize;
    // new Promise() also turns a hook that throws synchronously into a rejection.
    new Promise<UpgradeVerdict>((resolve) => resolve(authorize === undefined ? true : authorize(req))).then(
      (verdict) => {
        if (verdict !== true) {
          counters.unauthorized += 1;
          if (verdict !== false) return rejectUpgrade(socket, verdict.status, verdict.reason);
          return rejectUpgrade(socket, 401, 'Unauthorized', ['WWW-Authenticate: Bearer']);
        }
        if (closed) return rejectUpgrade(socket, 503, 'Service Unavailable');
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, url));
      },
      (error: unknown) => {
        log.error({ err: error }, 'websocket authorize hook threw; rejecting the upgrade');
        rejectUpgrade(socket, 500, 'Internal Server Error');
      },
    );
  };

  const heartbeat = (): void => {
    for (const client of clients) {
      if (client.closing) continue;
      if (!client.alive) {
        counters.heartbeatTimeouts += 1;
        client.closing = true;
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  };

  const publish = (message: WireMessage): void => {
    let bytes: Buffer | undefined;
    for (const client of clients) {
      if (client.closing || client.ws.readyState !== WebSocket.OPEN) continue;
      if (!matchesFilter(client.filter, message)) continue;
      if (!withinBuffer(client)) continue;
      bytes ??= encodeWire(message);
      client.ws.send(bytes, { binary: false });
      counters.messagesSent += 1;
    }
  };

  // Clients being closed (slow, invalid, shutting down) no longer count.
  const openClients = (): number => {
    let n = 0;
    for (const c of clients) if (!c.closing) n += 1;
    return n;
  };

  const pingTimer = setInterval(heartbeat, options.pingIntervalMs ?? 30_000);
  options.server.on('upgrade', onUpgrade);

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearInterval(pingTimer);
    options.server.off('upgrade', onUpgrade);
    const gone = [...clients].map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.ws.readyState === WebSocket.CLOSED) return resolve();
          client.ws.once('close', () => resolve());
          if (!client.closing) closeClient(client, WS_CLOSE.goingAway, 'server shutting down');
        }),
    );
    await Promise.all(gone);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };

  return {
    publishEvent: (event) => publish(toWireEvent(event)),
    publishPrediction: (prediction) => publish(toWirePrediction(prediction)),
    publishStatus: (cameraId, status) => publish(toWireStatus(cameraId, status)),
    publish,
    clients: openClients,
    stats: () => ({ clients: openClients(), ...counters }),
    close,
  };
}
