import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { generateClip } from '../../../simulators/rtsp-camera/index.js';

export const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';

export interface TestClip {
  readonly file: string;
  readonly remove: () => Promise<void>;
}

/** A few seconds of 320x240 testsrc2 in a temp dir; made once per test file. */
export async function makeTestClip(seconds = 3): Promise<TestClip> {
  const dir = await mkdtemp(join(tmpdir(), 'tsn-sim-test-'));
  const file = await generateClip({
    ffmpegPath,
    out: join(dir, 'clip.mp4'),
    width: 320,
    height: 240,
    fps: 25,
    seconds,
    pattern: 'testsrc2',
  });
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a client to completion, killing it at the deadline (so a hung client fails the test, not the suite). */
export function run(command: string, args: readonly string[], deadlineMs = 20_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: error.message, timedOut });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

const ffprobePath = ffmpegPath.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1');

/** ffprobe's view of the first video stream: codec and size. */
export async function probeStream(
  url: string,
  transport: 'tcp' | 'udp',
): Promise<{ codec: string; width: number; height: number } | RunResult> {
  const result = await run(ffprobePath, [
    '-v',
    'error',
    '-rtsp_transport',
    transport,
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height',
    '-of',
    'json',
    url,
  ]);
  if (result.code !== 0) return result;
  const stream = (
    JSON.parse(result.stdout) as { streams: { codec_name: string; width: number; height: number }[] }
  ).streams[0];
  if (stream === undefined) return result;
  return { codec: stream.codec_name, width: stream.width, height: stream.height };
}

/** `ffmpeg -i URL -frames:v N -f null -`: decodes N frames; frames counts what ffmpeg reports. */
export async function pullFrames(
  url: string,
  transport: 'tcp' | 'udp',
  frames: number,
): Promise<RunResult & { frames: number }> {
  const result = await run(ffmpegPath, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-stats',
    '-rtsp_transport',
    transport,
    '-i',
    url,
    '-frames:v',
    String(frames),
    '-f',
    'null',
    '-',
  ]);
  const counts = [...result.stderr.matchAll(/frame=\s*(\d+)/g)].map((m) => Number(m[1]));
  return { ...result, frames: counts.at(-1) ?? 0 };
}

/** Ids of this process's live ffmpeg children. */
export async function ffmpegChildren(): Promise<number[]> {
  const result = await run('pgrep', ['-P', String(process.pid), 'ffmpeg'], 5_000);
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

export interface GstPlayResult extends RunResult {
  /** The sink got its buffers and the pipeline reached EOS before any error. */
  readonly played: boolean;
}

/**
 * GStreamer decodes `buffers` frames from an RTSP URL. Judged by EOS reaching the pipeline before any
 * ERROR line, not by the exit code: rtspsrc has a shutdown race (its PAUSE on the way to NULL can meet
 * its own closed socket under load) that fails the exit code after everything was played.
 */
export async function gstPlays(
  url: string,
  transport: 'tcp' | 'udp',
  extra: readonly string[] = [],
  buffers = 10,
): Promise<GstPlayResult> {
  const result = await run('gst-launch-1.0', [
    'rtspsrc',
    `location=${url}`,
    `protocols=${transport}`,
    ...extra,
    ...['!', 'rtph264depay', '!', 'h264parse', '!', 'avdec_h264', '!', 'fakesink', `num-buffers=${buffers}`],
  ]);
  const output = `${result.stdout}\n${result.stderr}`;
  const eos = output.indexOf('Got EOS from element "pipeline0"');
  const firstError = output.search(/^ERROR/m);
  const played = eos >= 0 && (firstError < 0 || firstError > eos);
  return { ...result, played };
}
