// Ingest cost: CPU seconds ffmpeg spends per second of video, per camera, for the production argv
// (decode + fps selection + scale + 224 crop + rgb24), at several sampling rates.
// npm run bench:ingest [-- --quick --via file|rtsp --seconds 10 --ffmpeg PATH]
// npm run bench:ingest -- --variants [--quick]: which ffmpeg options cut the decode (bench/ingest/variants.ts);
//   writes bench/results/ingest-variants.json.
// Inputs: real footage at camera bitrates (PaddleVideo's archery clip from test/fixtures, upscaled: 1080p
// at 4 Mbit/s, 360p at 0.8 Mbit/s; bench/serve/footage.ts). Rows mode paces them in real time (file
// replay with -re, or the RTSP simulator), so a wall second is a video second; ffmpeg's CPU comes from
// /proc/<pid>/stat (utime + stime) over a fixed wall interval.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRtspSimulator, type RtspSimulator } from '../simulators/rtsp-camera/index.js';
import { measureVariants, type VariantRow } from './ingest/variants.js';
import { ensureFootage, type FootageResolution } from './serve/footage.js';
import { ffmpegVersionLine } from './lib/ffmpeg-version.js';
import {
  createCameraSource,
  probeFfmpegCapabilities,
  type SupervisedCameraSource,
} from '../src/sources/index.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:ingest -- [options]
  --quick            3 s rows at one sampling rate (--variants: one repeat): proves the bench works
  --via file|rtsp    pace the footage by file replay (-re) or through the RTSP simulator (default file)
  --seconds S        measured seconds per row (default 10, --quick 3)
  --ffmpeg PATH      the ffmpeg measured (default $FFMPEG_PATH or ffmpeg)
  --sample-fps N     frames/s kept by the fps filter in --variants mode (default 4)
  --variants         which ffmpeg options cut the decode: writes bench/results/ingest-variants.json`;

interface InputSpec {
  readonly name: string;
  readonly resolution: FootageResolution;
}

const inputs: readonly InputSpec[] = [
  { name: '1080p25 4 Mbit/s', resolution: '1080p' },
  { name: '360p25 0.8 Mbit/s', resolution: '360p' },
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

const flags = parseBenchArgs('bench:ingest', USAGE, {
  quick: { type: 'boolean', default: false },
  via: { type: 'string', default: 'file' },
  seconds: { type: 'string' },
  ffmpeg: { type: 'string', default: process.env.FFMPEG_PATH ?? 'ffmpeg' },
  variants: { type: 'boolean', default: false },
  'sample-fps': { type: 'string', default: '4' },
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

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function clipFor(input: InputSpec): string {
  const source = join(repoRoot, 'test', 'fixtures', 'reference', 'example.avi');
  return ensureFootage(ffmpegPath, source, join(repoRoot, '.cache', 'bench-serve'), input.resolution);
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

function videoSeconds(file: string): number {
  const r = spawnSync(ffmpegPath.replace(/ffmpeg$/, 'ffprobe'), [
    ...['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
  ]);
  const seconds = Number(r.stdout?.toString().trim());
  if (!(seconds > 0)) throw new Error(`ffprobe could not read the duration of ${file}`);
  return seconds;
}

/** --variants: the production argv against one-change variants, on whole files (see variants.ts). */
function variantsMain(): void {
  const sampleFps = Number(flags['sample-fps']);
  const rows: VariantRow[] = [];
  for (const input of inputs) {
    const file = clipFor(input);
    console.error(`${input.name}: ${file}`);
    rows.push(
      ...measureVariants(
        ffmpegPath,
        { name: input.name, file, seconds: videoSeconds(file) },
        sampleFps,
        quick ? 1 : 3,
      ),
    );
  }
  const header = ['input', 'variant', 'ffmpeg CPU s / video s', 'vs production', 'output'];
  const base = new Map(rows.filter((r) => r.variant === 'production').map((r) => [r.input, r]));
  const lines = rows.map((r) => [
    r.input,
    r.variant,
    r.cpuPerVideoSecond.toFixed(3),
    `${((r.cpuPerVideoSecond / (base.get(r.input)?.cpuPerVideoSecond ?? NaN)) * 100).toFixed(0)}%`,
    r.sameOutput ? 'identical' : `differs (mean |diff| ${r.meanAbsDiff})`,
  ]);
  printRows(header, lines);
  const out = join(repoRoot, 'bench', 'results', 'ingest-variants.json');
  const report = {
    benchmark: 'ingest-variants',
    date: new Date().toISOString(),
    quick,
    sampleFps,
    output: '224x224 center crop of short side 256, rgb24',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    ffmpeg: ffmpegVersionLine(ffmpegPath),
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

async function main(): Promise<void> {
  if (flags.variants === true) return variantsMain();
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
  const out = join(repoRoot, 'bench', 'results', 'ingest.json');
  mkdirSync(dirname(out), { recursive: true });
  const ffmpegVersion = ffmpegVersionLine(ffmpegPath);
  const report = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    quick,
    via,
    measureSeconds,
    output: '224x224 center crop of short side 256, rgb24',
    input: 'test/fixtures/reference/example.avi upscaled (bench/serve/footage.ts)',
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
  printRows(header, lines);
}

function printRows(header: readonly string[], lines: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

await main();
