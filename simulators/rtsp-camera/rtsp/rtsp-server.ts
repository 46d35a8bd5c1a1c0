import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RtspConnection } from './connection.js';
import { RtspRequestHandler } from './handlers.js';
import type { RtspSession } from './session.js';
import type { CameraRuntime } from './camera-runtime.js';
import { UdpPair } from './udp-pair.js';
import { defaultRealm } from './auth.js';
import type { TimerSet } from '../timer-set.js';

export interface RtspServerOptions {
  readonly host: string;
  readonly port: number;
  readonly cameras: ReadonlyMap<string, CameraRuntime>;
  readonly sessionTimeoutMs: number;
  readonly senderReportIntervalMs: number;
  readonly timers: TimerSet;
  readonly log: (line: string) => void;
}

/** The network side: the RTSP TCP listener, its connections and sessions, and the shared UDP port pair. */
export class RtspServer {
  private readonly sessions = new Map<string, RtspSession>();
  private readonly connections = new Set<RtspConnection>();
  private readonly server: Server;
  private readonly handler: RtspRequestHandler;

  private constructor(
    private readonly options: RtspServerOptions,
    private readonly udp: UdpPair,
  ) {
    this.handler = new RtspRequestHandler({
      cameras: options.cameras,
      sessions: this.sessions,
      realm: defaultRealm,
      nonce: randomBytes(16).toString('hex'),
      sessionTimeoutMs: options.sessionTimeoutMs,
      senderReportIntervalMs: options.senderReportIntervalMs,
      udp,
      host: options.host,
      delay: (ms) => options.timers.delay(ms),
      log: options.log,
    });
    this.server = createServer((socket) => this.accept(socket));
    options.timers.every(Math.min(5_000, Math.max(100, options.sessionTimeoutMs / 4)), () =>
      this.expireSessions(),
    );
  }

  static async open(options: RtspServerOptions): Promise<{ server: RtspServer; port: number }> {
    // RTCP may arrive before the server object exists; it is then simply not counted as activity.
    const ref: { server?: RtspServer } = {};
    const udp = await UdpPair.open(options.host, (_data, address, port) =>
      ref.server?.touchUdp(address, port),
    );
    const server = new RtspServer(options, udp);
    ref.server = server;
    try {
      const port = await listen(server.server, options.port, options.host);
      server.server.on('error', (error) => options.log(`rtsp server: ${error.message}`));
      options.log(
        `listening on rtsp://${options.host}:${port}/ (RTP over UDP from ports ${udp.rtpPort}-${udp.rtcpPort})`,
      );
      return { server, port };
    } catch (error) {
      await udp.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
    for (const connection of this.connections) connection.close();
    await this.udp.close();
    await closed;
  }

  private accept(socket: Socket): void {
    const connection = new RtspConnection(socket, {
      handle: (request, conn) => this.handler.handle(request, conn),
      onInterleaved: (_channel, _data, conn) => {
        for (const s of this.sessionsOn(conn)) s.lastActivityMs = Date.now();
      },
      onClose: (conn) => {
        this.connections.delete(conn);
        // Interleaved sessions die with their connection; UDP sessions live on until TEARDOWN or timeout.
        for (const s of this.sessionsOn(conn)) this.handler.endSession(s);
      },
      log: this.options.log,
    });
    this.connections.add(connection);
  }

  private sessionsOn(connection: RtspConnection): RtspSession[] {
    return [...this.sessions.values()].filter(
      (s) => s.transport.kind === 'tcp' && s.transport.socket === connection.socket,
    );
  }

  private touchUdp(address: string, rtcpPort: number): void {
    for (const s of this.sessions.values()) {
      if (
        s.transport.kind === 'udp' &&
        s.transport.address === address &&
        s.transport.rtcpPort === rtcpPort
      ) {
        s.lastActivityMs = Date.now();
      }
    }
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (s.transport.kind === 'udp' && now - s.lastActivityMs > this.options.sessionTimeoutMs) {
        this.options.log(`camera ${s.camera.spec.name}: session ${s.id} timed out`);
        this.handler.endSession(s);
      }
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
