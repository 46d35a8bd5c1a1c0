// sim://NAME[?file=PATH | ?pattern=NAME]: a camera served by an RTSP simulator inside the service, so the
// service can be tried without a camera. Each such camera gets its own simulator on 127.0.0.1 (a free
// port); its frames then take exactly the path a real RTSP camera's do.
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { redactUrl } from '../sources/redact.js';
import {
  clipPatterns,
  generateClip,
  startRtspSimulator,
  type ClipPattern,
} from '../../simulators/rtsp-camera/index.js';

export interface SimUrl {
  readonly name: string;
  readonly file?: string;
  readonly pattern: ClipPattern;
}

/** Throws E_SOURCE_URL for a malformed sim:// URL (so a POST gets a 400, not a failed camera). */
export function parseSimUrl(url: string): SimUrl {
  const match = /^sim:\/\/([A-Za-z0-9_-]+)\/?(?:\?(.*))?$/i.exec(url);
  if (match === null)
    throw simUrlError(url, 'expected sim://NAME, sim://NAME?file=PATH or sim://NAME?pattern=P');
  const params = new URLSearchParams(match[2] ?? '');
  for (const key of params.keys()) {
    if (key !== 'file' && key !== 'pattern')
      throw simUrlError(url, `unknown parameter "${key}" (file, pattern)`);
  }
  const pattern = params.get('pattern') ?? 'testsrc2';
  if (!(clipPatterns as readonly string[]).includes(pattern)) {
    throw simUrlError(url, `pattern must be one of ${clipPatterns.join(', ')}`);
  }
  const file = params.get('file');
  return { name: match[1] as string, pattern: pattern as ClipPattern, ...(file === null ? {} : { file }) };
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
  const file = sim.file !== undefined ? resolve(sim.file) : await patternClip(sim.pattern, deps);
  const simulator = await startRtspSimulator({
    cameras: [{ name: sim.name, file }],
    ffmpegPath: deps.ffmpegPath,
    port: 0,
  });
  return { url: simulator.url(sim.name), close: () => simulator.close() };
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
