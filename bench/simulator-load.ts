// CPU of the RTSP simulator serving N cameras of one H.264 file to N RTSP clients (ffmpeg -c copy, so
// the clients decode nothing): with passthrough, one demuxer for all cameras plus RTP packetization.
// npm run bench:simulator [-- --cameras 32 --seconds 20 --file PATH]; writes bench/results/simulator.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import { descendantsOf, readProc } from './lib/proc-stats.js';
import { startSimulatorProcess } from './pipeline/simulator.js';
import { ensureFootage } from './serve/footage.js';
import { flagsOrExit, parseBenchArgs } from './lib/bench-args.js';
import { isDelayMs, maxDelayMs } from '../simulators/rtsp-camera/cameras.js';
import { staggeredDelayMs } from '../simulators/rtsp-camera/cli-options.js';

const USAGE = `npm run bench:simulator -- [options]
  --cameras N    cameras of one file served to as many RTSP clients (default 32)
  --seconds S    measured seconds (default 20)
  --file PATH    the H.264 file served (default the 360p 0.8 Mbit/s archery footage)
  --stagger-ms MS  delay each camera by up to MS, keyframes out of step as bench:pipeline's (default 1000)`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const values = parseBenchArgs('bench:simulator', USAGE, {
    cameras: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    file: { type: 'string' },
    'stagger-ms': { type: 'string', default: '1000' },
  });
  const staggerMs = flagsOrExit('bench:simulator', USAGE, () => {
    const ms = Number(values['stagger-ms']);
    if (!isDelayMs(ms))
      throw new Error(`--stagger-ms takes whole ms from 0 to ${maxDelayMs}, got ${values['stagger-ms']}`);
    return ms;
  });
  const ffmpeg = locateFfmpeg()?.path;
  if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
  const source = join(repoRoot, 'test', 'fixtures', 'reference', 'example.avi');
  const file = values.file ?? ensureFootage(ffmpeg, source, join(repoRoot, '.cache', 'bench-serve'), '360p');
  const names = Array.from({ length: Number(values.cameras) }, (_, i) => `cam-${i + 1}`);
  const simulator = await startSimulatorProcess(
    ffmpeg,
    names.map((name) => ({ name, file, delayMs: staggeredDelayMs(name, staggerMs) })),
  );
  const clients: ChildProcess[] = [];
  try {
    for (const name of names) {
      const args = [
        '-v',
        'error',
        '-rtsp_transport',
        'tcp',
        '-i',
        simulator.url(name),
        '-c',
        'copy',
        '-f',
        'null',
        '-',
      ];
      clients.push(spawn(ffmpeg, args, { stdio: 'ignore' }));
    }
    await sleep(5000);
    const cpu = (): number =>
      (readProc(simulator.pid)?.cpuSeconds ?? 0) +
      descendantsOf(simulator.pid).reduce((s, p) => s + p.cpuSeconds, 0);
    const before = cpu();
    const start = performance.now();
    await sleep(Number(values.seconds) * 1000);
    const cores = (cpu() - before) / ((performance.now() - start) / 1000);
    const encoders = descendantsOf(simulator.pid).filter((p) => p.command === 'ffmpeg').length;
    const result = {
      benchmark: 'simulator',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadBefore: loadavg() },
      cameras: names.length,
      seconds: Number(values.seconds),
      staggerMs,
      file: file.startsWith(repoRoot) ? file.slice(repoRoot.length + 1) : file,
      // The issue 14 bar: 32 cameras of one H.264 file for under 0.2 of a core in total.
      simulatorCores: Math.round(cores * 1000) / 1000,
      ffmpegChildren: encoders,
    };
    console.log(JSON.stringify(result));
    const out = join(repoRoot, 'bench', 'results', 'simulator.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    for (const c of clients) c.kill('SIGTERM');
    await simulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
