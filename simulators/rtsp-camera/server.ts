import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TsnError } from '../../src/errors/index.js';
import { CameraFeed } from './media/camera-feed.js';
import { framesPerSecond } from './media/ffmpeg-args.js';
import { probeVideo } from './media/probe.js';
import { PacketFaults, mergeFaults } from './faults.js';
import { RtspConnection } from './rtsp/connection.js';
import { RtspRequestHandler } from './rtsp/handlers.js';
import type { RtspSession } from './rtsp/session.js';
import type { CameraRuntime } from './rtsp/camera-runtime.js';
import { UdpPair } from './rtsp/udp-pair.js';
import { defaultRealm } from './rtsp/auth.js';
import { ResolutionFaults } from './resolution-faults.js';
import { TimerSet } from './timer-set.js';
import type { Credentials, FaultSpec, RtspSimulator, RtspSimulatorOptions } from './types.js';

const defaults = {
  host: '127.0.0.1',
  sessionTimeoutMs: 60_000,
  idleStopMs: 5_000,
  senderReportIntervalMs: 2_000,
};

/**
 * Starts an RTSP server that plays each camera's file as a live H.264 stream (RTP over TCP interleaved or
 * UDP). Resolves once it listens; files are checked first (E_SIM_FILE).
 */
export async function startRtspSimulator(options: RtspSimulatorOptions): Promise<RtspSimulator> {
  const host = options.host ?? defaults.host;
  const log = options.logger ?? (() => undefined);
  const names = options.cameras.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new TsnError(
      'E_SIM_CAMERA',
      `camera name "${duplicate}" is used twice; give each camera its own name`,
      {
        context: { camera: duplicate },
      },
    );
  }
  const probed = await Promise.all(options.cameras.map((c) => probeVideo(options.ffmpegPath, c.file)));
  const timers = new TimerSet();
  const cameras = new Map<string, CameraRuntime>();
  const resolution = new ResolutionFaults(timers);
  options.cameras.forEach((spec, i) => {
    const video = probed[i]!;
    const feed = new CameraFeed({
      name: spec.name,
      file: spec.file,
      frameRate: video.frameRate,
      ffmpegPath: options.ffmpegPath,
      idleStopMs: options.idleStopMs ?? defaults.idleStopMs,
      log,
    });
    const faults = spec.faults ?? {};
    const runtime: CameraRuntime = {
      spec,
      feed,
      fps: framesPerSecond(video.frameRate),
      faults,
      packetFaults: new PacketFaults(faults),
    };
    cameras.set(spec.name, runtime);
    resolution.attach(runtime);
    log(`camera ${spec.name}: ${spec.file} (${video.width}x${video.height} @ ${runtime.fps.toFixed(2)} fps)`);
  });

  const sessions = new Map<string, RtspSession>();
  const connections = new Set<RtspConnection>();
  const udp = await UdpPair.open(host, (_data, address, port) => {
    for (const s of sessions.values()) {
      if (s.transport.kind === 'udp' && s.transport.address === address && s.transport.rtcpPort === port) {
        s.lastActivityMs = Date.now();
      }
    }
  });
  const sessionTimeoutMs = options.sessionTimeoutMs ?? defaults.sessionTimeoutMs;
  const handler = new RtspRequestHandler({
    cameras,
    sessions,
    realm: defaultRealm,
    nonce: randomBytes(16).toString('hex'),
    sessionTimeoutMs,
    senderReportIntervalMs: options.senderReportIntervalMs ?? defaults.senderReportIntervalMs,
    udp,
    host,
    delay: (ms) => timers.delay(ms),
    log,
  });

  const server = createServer((socket: Socket) => {
    const connection = new RtspConnection(socket, {
      handle: (request, conn) => handler.handle(request, conn),
      onInterleaved: (_channel, _data, conn) => touchSessionsOf(conn),
      onClose: (conn) => {
        connections.delete(conn);
        // Interleaved sessions die with their connection; UDP sessions live on until TEARDOWN or timeout.
        for (const s of sessions.values()) {
          if (s.transport.kind === 'tcp' && s.transport.socket === conn.socket) handler.endSession(s);
        }
      },
      log,
    });
    connections.add(connection);
  });
  const touchSessionsOf = (conn: RtspConnection): void => {
    for (const s of sessions.values()) {
      if (s.transport.kind === 'tcp' && s.transport.socket === conn.socket) s.lastActivityMs = Date.now();
    }
  };
  timers.every(Math.min(5_000, Math.max(100, sessionTimeoutMs / 4)), () => {
    const now = Date.now();
    for (const s of sessions.values()) {
      if (s.transport.kind === 'udp' && now - s.lastActivityMs > sessionTimeoutMs) {
        log(`camera ${s.camera.spec.name}: session ${s.id} timed out`);
        handler.endSession(s);
      }
    }
  });

  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host);
  } catch (error) {
    timers.clearAll();
    await udp.close();
    throw new TsnError('E_SIM_LISTEN', `cannot listen on ${host}:${options.port ?? 0}; pick another --port`, {
      cause: error,
      context: { host, port: options.port },
    });
  }
  log(`listening on rtsp://${host}:${port}/ (RTP over UDP from ports ${udp.rtpPort}-${udp.rtcpPort})`);

  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const cameraOf = (name: string): CameraRuntime => {
    const camera = cameras.get(name);
    if (camera === undefined) {
      throw new TsnError(
        'E_SIM_CAMERA',
        `no camera named "${name}"; cameras: ${[...cameras.keys()].join(', ')}`,
        {
          context: { camera: name },
        },
      );
    }
    return camera;
  };
  let closing: Promise<void> | undefined;

  return {
    port,
    url(name: string, credentials?: Credentials): string {
      const userInfo =
        credentials === undefined
          ? ''
          : `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`;
      return `rtsp://${userInfo}${urlHost}:${port}/${name.split('/').map(encodeURIComponent).join('/')}`;
    },
    setFault(name: string, fault: FaultSpec): void {
      const camera = cameraOf(name);
      camera.faults = mergeFaults(camera.faults, fault);
      camera.packetFaults = new PacketFaults(camera.faults);
      if (fault.changeResolution !== undefined) resolution.apply(camera);
      log(`camera ${name}: faults ${JSON.stringify(camera.faults)}`);
    },
    clearFaults(name: string): void {
      const camera = cameraOf(name);
      camera.faults = {};
      camera.packetFaults = new PacketFaults({});
      resolution.apply(camera);
      log(`camera ${name}: faults cleared`);
    },
    cameraNames: () => [...cameras.keys()],
    close(): Promise<void> {
      closing ??= (async () => {
        timers.clearAll();
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sessions.values()) s.close();
        sessions.clear();
        for (const c of connections) c.close();
        await Promise.all([...cameras.values()].map((c) => c.feed.close()));
        await udp.close();
        await serverClosed;
      })();
      return closing;
    },
  };
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
