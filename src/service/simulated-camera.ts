// sim://NAME[?file=PATH | ?pattern=NAME | ?actions=SEED]: a camera served by an RTSP simulator inside the service, so the
// service can be tried without a camera. Each such camera gets its own simulator on 127.0.0.1 (a free
// port); its frames then take exactly the path a real RTSP camera's do.
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { redactUrl } from '../sources/redact.js';
import {
  clipPatterns,
  ensureActionClip,
  generateClip,
  startRtspSimulator,
  type CameraSchedule,
  type CameraSpec,
  type ClipPattern,
} from '../../simulators/rtsp-camera/index.js';

export interface SimUrl {
  readonly name: string;
  readonly file?: string;
  readonly pattern: ClipPattern;
  /** A synthetic action camera playing this seed's loop (its ground truth goes to a JSON file). */
  readonly actions?: number;
}

/** Throws E_SOURCE_URL for a malformed sim:// URL (so a POST gets a 400, not a failed camera). */
export function parseSimUrl(url: string): SimUrl {
  const match = /^sim:\/\/([A-Za-z0-9_-]+)\/?(?:\?(.*))?$/i.exec(url);
  if (match === null)
    throw simUrlError(
      url,
      'expected sim://NAME, sim://NAME?file=PATH, sim://NAME?pattern=P or sim://NAME?actions=SEED',
    );
  const params = new URLSearchParams(match[2] ?? '');
  for (const key of params.keys()) {
    if (key !== 'file' && key !== 'pattern' && key !== 'actions')
      throw simUrlError(url, `unknown parameter "${key}" (file, pattern, actions)`);
  }
  if ([...params.keys()].length > 1) throw simUrlError(url, 'give one of file, pattern, actions');
  const pattern = params.get('pattern') ?? 'testsrc2';
  if (!(clipPatterns as readonly string[]).includes(pattern)) {
    throw simUrlError(url, `pattern must be one of ${clipPatterns.join(', ')}`);
  }
  const file = params.get('file');
  const actions = params.get('actions');
  if (actions !== null && !(/^\d{1,10}$/.test(actions) && Number(actions) <= 2 ** 31 - 1))
    throw simUrlError(url, `actions must be a seed, an integer 0-2147483647 (got "${actions}")`);
  return {
    name: match[1] as string,
    pattern: pattern as ClipPattern,
    ...(file === null ? {} : { file }),
    ...(actions === null ? {} : { actions: Number(actions) }),
  };
}

function simUrlError(url: string, why: string): TsnError {
  const shown = redactUrl(url);
  return new TsnError('E_SOURCE_URL', `camera url ${shown}: ${why}`, { context: { url: shown } });
}

export interface SimulatedCamera {
  readonly url: string;
  close(): Promise<void>;
}

export async function startSimulatedCamera(
  sim: SimUrl,
  deps: { readonly ffmpegPath: string; readonly clipsDir: string },
): Promise<SimulatedCamera> {
  const camera = await cameraSpecOf(sim, deps);
  const simulator = await startRtspSimulator({ cameras: [camera], ffmpegPath: deps.ffmpegPath, port: 0 });
  // The ground truth in wall time is rewritten each time the loop restarts (the first watcher, a restart).
  const unwatch = simulator.watchSchedule(sim.name, (schedule) => {
    void writeSchedule(schedulePathOf(deps.clipsDir, sim.name), schedule).catch(() => undefined);
  });
  return {
    url: simulator.url(sim.name),
    close: () => {
      unwatch();
      return simulator.close();
    },
  };
}

/**
 * Where the service keeps a sim://NAME?actions=SEED camera's ground truth: JSON { camera, seed, loopMs,
 * anchorWallMs, actions: [{ label, startMs, endMs }] }; action k of loop n plays from
 * anchorWallMs + n x loopMs + startMs.
 */
export function schedulePathOf(clipsDir: string, simName: string): string {
  return join(clipsDir, 'schedules', `${simName}.json`);
}

async function writeSchedule(path: string, schedule: CameraSchedule): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(schedule, null, 2)}\n`);
  await rename(partial, path);
}

async function cameraSpecOf(
  sim: SimUrl,
  deps: { readonly ffmpegPath: string; readonly clipsDir: string },
): Promise<CameraSpec> {
  if (sim.actions !== undefined) {
    const clip = await ensureActionClip({
      ffmpegPath: deps.ffmpegPath,
      dir: deps.clipsDir,
      seed: sim.actions,
    });
    return { name: sim.name, file: clip.file, schedule: clip.schedule };
  }
  const file = sim.file !== undefined ? resolve(sim.file) : await patternClip(sim.pattern, deps);
  return { name: sim.name, file };
}

async function patternClip(
  pattern: ClipPattern,
  deps: { ffmpegPath: string; clipsDir: string },
): Promise<string> {
  const out = join(deps.clipsDir, `${pattern}-640x360.mp4`);
  try {
    await access(out);
    return out;
  } catch {
    return generateClip({
      ffmpegPath: deps.ffmpegPath,
      out,
      width: 640,
      height: 360,
      fps: 25,
      seconds: 10,
      pattern,
    });
  }
}
