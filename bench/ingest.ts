// Ingest cost: CPU seconds ffmpeg spends per second of video, per camera, for the production argv
// (decode + fps selection + scale + 224 crop + rgb24), at several sampling rates.
// npm run bench:ingest [-- --quick --via file|rtsp --seconds 10 --ffmpeg PATH]
// Inputs are paced in real time (file replay with -re, or the RTSP simulator), so a wall second is a
// video second; ffmpeg's CPU comes from /proc/<pid>/stat (utime + stime) over a fixed wall interval.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRtspSimulator, type RtspSimulator } from '../simulators/rtsp-camera/index.js';
import {
  createCameraSource,
  probeFfmpegCapabilities,
  type SupervisedCameraSource,
} from '../src/sources/index.js';

interface InputSpec {
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

const inputs: readonly InputSpec[] = [
  { name: '1080p25', width: 1920, height: 1080 },
  { name: '360p25', width: 640, height: 360 },
];
const sampleRates = [1, 2, 4] as const;

interface Row {
  readonly input: string;
  readonly sampleFps: number;
  readonly wallSeconds: number;
  /** ffmpeg's CPU seconds per second of video (1.0 = one core busy). */
  readonly ffmpegCpuPerVideoSecond: number;
  /** This Node process's CPU per second (frame splitting and delivery), for scale. */
  readonly nodeCpuPerVideoSecond: number;
  readonly framesPerSecond: number;
  /** False when the camera reconnected during the interval (the figure is then not trustworthy). */
  readonly valid: boolean;
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    via: { type: 'string', default: 'file' },
    seconds: { type: 'string' },
    ffmpeg: { type: 'string', default: process.env.FFMPEG_PATH ?? 'ffmpeg' },
  },
});
const quick = flags.quick === true;
const via = flags.via === 'rtsp' ? 'rtsp' : 'file';
const measureSeconds = Number(flags.seconds ?? (quick ? 3 : 10));
const ffmpegPath = flags.ffmpeg ?? 'ffmpeg';
const clockTicksPerSecond =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

function clipFor(input: InputSpec): string {
  const dir = join(tmpdir(), 'tsn-bench-ingest');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${input.name}.mp4`);
  if (existsSync(out)) return out;
  console.error(`rendering ${out} ...`);
  const r = spawnSync(ffmpegPath, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', `testsrc2=size=${input.width}x${input.height}:rate=25`, '-t', '10'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p', '-y', out],
  ]);
  if (r.status !== 0) throw new Error(`could not render ${out}: ${r.stderr?.toString() ?? ''}`);
  return out;
}

async function waitFor(condition: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(source: SupervisedCameraSource, input: InputSpec, sampleFps: number): Promise<Row> {
  let frames = 0;
  source.frames$.subscribe(() => (frames += 1));
  source.start();
  await waitFor(() => frames >= 2, 30_000, `frames from ${input.name}`);
  const pid = source.stats().pid;
  if (pid === undefined) throw new Error('no ffmpeg pid while streaming');
  const spawnsBefore = source.stats().spawns;
  const framesBefore = frames;
  const cpuBefore = cpuSecondsOf(pid);
  const nodeBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((r) => setTimeout(r, measureSeconds * 1000));
  const cpuAfter = cpuSecondsOf(pid);
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const node = process.cpuUsage(nodeBefore);
  const valid = source.stats().spawns === spawnsBefore && source.stats().pid === pid;
  await source.close();
  return {
    input: input.name,
    sampleFps,
    wallSeconds: round(wallSeconds, 2),
    ffmpegCpuPerVideoSecond: round((cpuAfter - cpuBefore) / wallSeconds, 3),
    nodeCpuPerVideoSecond: round((node.user + node.system) / 1e6 / wallSeconds, 3),
    framesPerSecond: round((frames - framesBefore) / wallSeconds, 2),
    valid,
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

async function main(): Promise<void> {
  const capabilities = probeFfmpegCapabilities(ffmpegPath);
  const clips = new Map(inputs.map((i) => [i.name, clipFor(i)]));
  let sim: RtspSimulator | undefined;
  if (via === 'rtsp') {
    sim = await startRtspSimulator({
      ffmpegPath,
      cameras: inputs.map((i) => ({ name: i.name, file: clips.get(i.name) ?? '' })),
    });
  }
  const rows: Row[] = [];
  try {
    for (const input of inputs) {
      for (const sampleFps of quick ? [2] : sampleRates) {
        const url = sim === undefined ? (clips.get(input.name) ?? '') : sim.url(input.name);
        const source = createCameraSource(
          { id: `bench-${input.name}`, url, sampleFps, loop: true, realtime: true, connectTimeoutMs: 30_000 },
          { ffmpegPath, capabilities },
        );
        rows.push(await measure(source, input, sampleFps));
      }
    }
  } finally {
    await sim?.close();
  }
  printTable(rows);
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'ingest.json');
  mkdirSync(dirname(out), { recursive: true });
  const ffmpegVersion =
    spawnSync(ffmpegPath, ['-version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'unknown';
  const report = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    quick,
    via,
    measureSeconds,
    output: '224x224 center crop of short side 256, rgb24',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    ffmpeg: ffmpegVersion,
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

function printTable(rows: readonly Row[]): void {
  const header = ['input', 'sample fps', 'ffmpeg CPU s / video s', 'node CPU s / s', 'frames/s', 'valid'];
  const lines = rows.map((r) => [
    r.input,
    String(r.sampleFps),
    r.ffmpegCpuPerVideoSecond.toFixed(3),
    r.nodeCpuPerVideoSecond.toFixed(3),
    r.framesPerSecond.toFixed(2),
    r.valid ? 'yes' : 'NO (reconnected)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

await main();
