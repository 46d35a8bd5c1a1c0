// GET /v1/live/:camera (WebSocket upgrade on the API's own server): fragmented MP4 of one camera for the
// dashboard's Media Source Extensions player. One LiveChannel (one encoder) per watched camera; viewers
// share it. Other upgrade paths are left to their own listeners (the events WebSocket).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { UpgradeVerdict } from '../publish/websocket/auth.js';
import { WS_CLOSE } from '../publish/websocket/close-codes.js';
import type { LiveViewer } from './fanout.js';
import {
  LiveChannel,
  type LiveChannelOptions,
  type LiveChannelStats,
  type LiveLogger,
  type LiveSource,
} from './live-channel.js';

export const LIVE_PATH_PREFIX = '/v1/live/';
/** Close code after {"op":"unavailable"}: this camera has nothing a live encoder can open (docs/live-view.md). */
export const LIVE_CLOSE_UNAVAILABLE = 4404;
const cameraIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export interface LiveHubOptions {
  readonly server: Server;
  readonly ffmpegPath: string;
  /** What the live encoder of a camera reads (or why it cannot), from the source table. */
  readonly inputOf: (cameraId: string) => LiveSource;
  readonly cameraExists: (cameraId: string) => boolean;
  /** Upgrade paths another listener answers (the events WebSocket); every other path gets a 404 here. */
  readonly ownedElsewhere?: (pathname: string) => boolean;
  /** false: 401; a refusal: its status (request-guard.ts). */
  readonly authorize?: (req: IncomingMessage) => UpgradeVerdict;
  /** How long an encoder outlives its last viewer (a page reload does not restart it). Default 5 s. */
  readonly lingerMs?: number;
  readonly restartDelayMs?: number;
  /** Per-viewer unsent bytes before the viewer is dropped. Default 4 MiB (a few seconds of 1080p). */
  readonly maxBufferedBytes?: number;
  readonly maxViewers?: number;
  /** How often viewers of removed cameras are closed and idle channels forgotten. Default 2 s. */
  readonly sweepMs?: number;
  /** Force a transcode even for H.264 cameras (bench: what a JSMpeg-style transcode would cost). */
  readonly mode?: LiveChannelOptions['mode'];
  readonly logger?: LiveLogger;
  readonly spawn?: LiveChannelOptions['spawn'];
}

export interface LiveHub {
  stats(): Readonly<Record<string, LiveChannelStats>>;
  /** Closes every viewer (1001) and stops every encoder; resolves once no ffmpeg is left. */
  close(): Promise<void>;
}

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });
  const channels = new Map<string, LiveChannel>();
  const sockets = new Map<WebSocket, string>();
  const maxViewers = options.maxViewers ?? 200;
  let closed = false;

  const channelOf = (cameraId: string): LiveChannel => {
    let channel = channels.get(cameraId);
    if (channel === undefined) {
      channel = new LiveChannel({
        cameraId,
        input: () => options.inputOf(cameraId),
        ffmpegPath: options.ffmpegPath,
        lingerMs: options.lingerMs ?? 5000,
        restartDelayMs: options.restartDelayMs ?? 2000,
        maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
        ...(options.mode === undefined ? {} : { mode: options.mode }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
      });
      channels.set(cameraId, channel);
    }
    return channel;
  };

  const onConnection = (ws: WebSocket, cameraId: string): void => {
    sockets.set(ws, cameraId);
    const viewer: LiveViewer = {
      sendText: (text) => ws.readyState === WebSocket.OPEN && ws.send(text, { binary: false }),
      sendBinary: (bytes) => ws.readyState === WebSocket.OPEN && ws.send(bytes, { binary: true }),
      bufferedBytes: () => ws.bufferedAmount,
      drop: (reason) =>
        reason === 'slow'
          ? ws.close(WS_CLOSE.slowConsumer, 'slow viewer')
          : ws.close(LIVE_CLOSE_UNAVAILABLE, 'no live view for this camera'),
    };
    const channel = channelOf(cameraId);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      sockets.delete(ws);
      channel.removeViewer(viewer);
    });
    channel.addViewer(viewer);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(LIVE_PATH_PREFIX)) {
      if (!(options.ownedElsewhere?.(url.pathname) ?? false)) reject(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', () => undefined);
    const cameraId = decodeURIComponent(url.pathname.slice(LIVE_PATH_PREFIX.length));
    if (closed || sockets.size >= maxViewers) return reject(socket, 503, 'Service Unavailable');
    const verdict = options.authorize?.(req) ?? true;
    if (verdict === false) return reject(socket, 401, 'Unauthorized');
    if (verdict !== true) return reject(socket, verdict.status, verdict.reason);
    if (!cameraIdPattern.test(cameraId) || !options.cameraExists(cameraId))
      return reject(socket, 404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, cameraId));
  };
  options.server.on('upgrade', onUpgrade);

  // Viewers of a removed camera are closed (its encoder then stops); an encoder whose camera URL changed
  // restarts on the new one; idle channels are forgotten.
  const sweep = setInterval(() => {
    for (const [ws, id] of sockets) if (!options.cameraExists(id)) ws.close(1000, 'camera removed');
    for (const [id, channel] of channels) {
      if (channel.idle) channels.delete(id);
      else channel.refreshInput();
    }
  }, options.sweepMs ?? 2000);

  return {
    stats: () => Object.fromEntries([...channels].map(([id, c]) => [id, c.stats()])),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      options.server.off('upgrade', onUpgrade);
      for (const ws of sockets.keys()) ws.close(WS_CLOSE.goingAway, 'server shutting down');
      await Promise.all([...channels.values()].map((c) => c.close()));
      for (const ws of sockets.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
