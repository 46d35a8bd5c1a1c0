import { TsnError } from '../../src/errors/index.js';
import { CameraFeed } from './media/camera-feed.js';
import { framesPerSecond } from './media/ffmpeg-args.js';
import { probeVideo } from './media/probe.js';
import { SharedFileReaders } from './media/shared-reader.js';
import { PacketFaults } from './faults.js';
import type { CameraRuntime } from './rtsp/camera-runtime.js';
import type { CameraSpec } from './types.js';

export interface CameraBuildOptions {
  readonly cameras: readonly CameraSpec[];
  readonly ffmpegPath: string;
  readonly idleStopMs: number;
  readonly log: (line: string) => void;
}

export const maxDelayMs = 10_000;

/** A camera's delayMs (and the stagger that draws one): whole ms from 0 to maxDelayMs. */
export const isDelayMs = (value: number): boolean =>
  Number.isInteger(value) && value >= 0 && value <= maxDelayMs;

/** Checks names and files (probing each file once) and builds the runtime of every camera; no encoder starts yet. */
export async function buildCameras(options: CameraBuildOptions): Promise<Map<string, CameraRuntime>> {
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
  const invalid = names.find((n) => n === '' || /[\s?#]/.test(n) || n.startsWith('/') || n.endsWith('/'));
  if (invalid !== undefined) {
    throw new TsnError(
      'E_SIM_CAMERA',
      `camera name "${invalid}" cannot be a URL path; use letters, digits, - _ .`,
      {
        context: { camera: invalid },
      },
    );
  }
  const badDelay = options.cameras.find((c) => !isDelayMs(c.delayMs ?? 0));
  if (badDelay !== undefined) {
    throw new TsnError(
      'E_SIM_ARGS',
      `camera ${badDelay.name}: delayMs ${String(badDelay.delayMs)} is not a whole number of ms from 0 to ${maxDelayMs}`,
      { context: { camera: badDelay.name } },
    );
  }
  const probed = await Promise.all(options.cameras.map((c) => probeVideo(options.ffmpegPath, c.file)));
  const cameras = new Map<string, CameraRuntime>();
  const readers = new SharedFileReaders(options.ffmpegPath, options.log);
  options.cameras.forEach((spec, i) => {
    const video = probed[i]!;
    const feed = new CameraFeed({
      name: spec.name,
      file: spec.file,
      frameRate: video.frameRate,
      ffmpegPath: options.ffmpegPath,
      idleStopMs: options.idleStopMs,
      log: options.log,
      readers,
      codec: video.codec,
      delayMs: spec.delayMs ?? 0,
    });
    const faults = spec.faults ?? {};
    const fps = framesPerSecond(video.frameRate);
    cameras.set(spec.name, { spec, feed, fps, faults, packetFaults: new PacketFaults(faults) });
    options.log(`camera ${spec.name}: ${spec.file} (${video.width}x${video.height} @ ${fps.toFixed(2)} fps)`);
  });
  return cameras;
}
