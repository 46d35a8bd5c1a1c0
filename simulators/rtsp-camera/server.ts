import { TsnError } from '../../src/errors/index.js';
import { PacketFaults, mergeFaults } from './faults.js';
import type { CameraRuntime } from './rtsp/camera-runtime.js';
import { RtspServer } from './rtsp/rtsp-server.js';
import { buildCameras } from './cameras.js';
import { ResolutionFaults } from './resolution-faults.js';
import { TimerSet } from './timer-set.js';
import { ScheduleClock } from './actions/schedule-clock.js';
import type { Credentials, FaultSpec, RtspSimulator, RtspSimulatorOptions } from './types.js';

const defaults = {
  host: '127.0.0.1',
  sessionTimeoutMs: 60_000,
  idleStopMs: 5_000,
  senderReportIntervalMs: 2_000,
};

/**
 * Starts an RTSP server that plays each camera's file as a live H.264 stream (RTP over TCP interleaved or
 * UDP). Resolves once it listens; names and files are checked first (E_SIM_CAMERA, E_SIM_FILE).
 */
export async function startRtspSimulator(options: RtspSimulatorOptions): Promise<RtspSimulator> {
  const host = options.host ?? defaults.host;
  const log = options.logger ?? (() => undefined);
  const cameras = await buildCameras({
    cameras: options.cameras,
    ffmpegPath: options.ffmpegPath,
    idleStopMs: options.idleStopMs ?? defaults.idleStopMs,
    log,
  });
  const timers = new TimerSet();
  const resolution = new ResolutionFaults(timers);
  for (const camera of cameras.values()) resolution.attach(camera);
  const clocks = new Map<string, ScheduleClock>();
  for (const [name, camera] of cameras) {
    const schedule = camera.spec.schedule;
    if (schedule !== undefined) clocks.set(name, new ScheduleClock(name, schedule, camera.feed, Date.now));
  }
  let opened: { server: RtspServer; port: number };
  try {
    opened = await RtspServer.open({
      host,
      port: options.port ?? 0,
      cameras,
      sessionTimeoutMs: options.sessionTimeoutMs ?? defaults.sessionTimeoutMs,
      senderReportIntervalMs: options.senderReportIntervalMs ?? defaults.senderReportIntervalMs,
      timers,
      log,
    });
  } catch (error) {
    timers.clearAll();
    for (const clock of clocks.values()) clock.close();
    throw new TsnError(
      'E_SIM_LISTEN',
      `cannot listen on ${host}:${options.port ?? 0} (${error instanceof Error ? error.message : String(error)}); pick another port`,
      {
        cause: error,
        context: { host, port: options.port },
      },
    );
  }
  return simulatorHandle({ host, ...opened, cameras, clocks, resolution, timers, log });
}

interface HandleParts {
  readonly host: string;
  readonly port: number;
  readonly server: RtspServer;
  readonly cameras: ReadonlyMap<string, CameraRuntime>;
  readonly clocks: ReadonlyMap<string, ScheduleClock>;
  readonly resolution: ResolutionFaults;
  readonly timers: TimerSet;
  readonly log: (line: string) => void;
}

function simulatorHandle(parts: HandleParts): RtspSimulator {
  const { host, port, cameras, resolution, log } = parts;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const cameraOf = (name: string): CameraRuntime => {
    const camera = cameras.get(name);
    if (camera !== undefined) return camera;
    throw new TsnError(
      'E_SIM_CAMERA',
      `no camera named "${name}"; cameras: ${[...cameras.keys()].join(', ')}`,
      {
        context: { camera: name },
      },
    );
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
    schedule(name: string) {
      cameraOf(name);
      return parts.clocks.get(name)?.snapshot();
    },
    watchSchedule(name: string, listener) {
      cameraOf(name);
      return parts.clocks.get(name)?.watch(listener) ?? (() => undefined);
    },
    cameraNames: () => [...cameras.keys()],
    close(): Promise<void> {
      closing ??= (async () => {
        parts.timers.clearAll();
        for (const clock of parts.clocks.values()) clock.close();
        const closed = parts.server.close();
        await Promise.all([...cameras.values()].map((c) => c.feed.close()));
        await closed;
        log('closed');
      })();
      return closing;
    },
  };
}
