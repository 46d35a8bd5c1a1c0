// What watching a camera costs: CPU per watched camera at 360p and 1080p, H.264 passed through (copy) vs
// transcoded (what any re-encode, MPEG-1/JSMpeg included, costs at least), per part: the service's node
// process (WebSocket fan-out), the live ffmpeg, the simulator (one more RTSP session per watched camera),
// and the recognition ingest ffmpeg (should not move). A real `tsn serve` recognises --cameras simulated
// RTSP cameras replaying real footage at camera bitrate; each configuration is measured unwatched, watched
// by --viewers WebSocket viewers per camera, then unwatched again; the cost is watched minus the mean of
// the two unwatched phases. Writes bench/results/live-view.json.
//
//   npm run bench:live [-- --quick] [--cameras 2] [--viewers 1] [--seconds 20] [--warmup 5]
//                      [--resolutions 360p,1080p] [--modes copy,transcode] [--depth 18] [--threads 1]
//                      [--out bench/results/live-view.json]
// --quick: 1 camera, 360p, 4 s phases (checks the bench works; not figures).
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { ResNetDepth } from '../src/model/types.js';
import {
  benchFootage,
  benchModelDir,
  cacheDir,
  coresBetween,
  machine,
  partsCpu,
  repoRoot,
  sleep,
  until,
  watchLive,
  writeReport,
  type Cores,
} from './live/common.js';
import { mean, round } from './lib/percentiles.js';
import { startSimulatorProcess, type SimulatorProcess } from './pipeline/simulator.js';
import type { FootageResolution } from './serve/footage.js';
import { startService } from './serve/service.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:live -- [options]
  --quick                  1 camera, 360p, 4 s phases: proves the bench works, not figures
  --cameras N              simulated RTSP cameras (default 2)
  --viewers N              WebSocket viewers per watched camera (default 1)
  --seconds S              seconds per phase (default 20)
  --warmup S               seconds before the first phase (default 5)
  --resolutions 360p,1080p the footage (default both)
  --modes copy,transcode   live view modes (default both)
  --depth 18|34|50         the service's backbone (default 18)
  --threads N              onnxruntime threads (default 1)
  --out FILE               results JSON (default bench/results/live-view.json)`;

type Mode = 'copy' | 'transcode';

const values = parseBenchArgs('bench:live', USAGE, {
  quick: { type: 'boolean', default: false },
  cameras: { type: 'string' },
  viewers: { type: 'string', default: '1' },
  seconds: { type: 'string' },
  warmup: { type: 'string' },
  resolutions: { type: 'string' },
  modes: { type: 'string', default: 'copy,transcode' },
  depth: { type: 'string', default: '18' },
  threads: { type: 'string', default: '1' },
  out: { type: 'string', default: 'bench/results/live-view.json' },
});
const quick = values.quick;
const flags = {
  quick,
  cameras: Number(values.cameras ?? (quick ? 1 : 2)),
  viewersPerCamera: Number(values.viewers),
  seconds: Number(values.seconds ?? (quick ? 4 : 20)),
  warmupSeconds: Number(values.warmup ?? (quick ? 2 : 5)),
  resolutions: (values.resolutions ?? (quick ? '360p' : '360p,1080p')).split(',') as FootageResolution[],
  modes: values.modes.split(',') as Mode[],
  depth: Number(values.depth) as ResNetDepth,
  threads: Number(values.threads),
};

async function measure(pids: { service: number; simulator: number }): Promise<Cores> {
  const a = partsCpu(pids.service, pids.simulator);
  await sleep(flags.seconds * 1000);
  return coresBetween(a, partsCpu(pids.service, pids.simulator));
}

async function runOne(
  resolution: FootageResolution,
  mode: Mode,
  simulator: SimulatorProcess,
  names: string[],
) {
  const service = await startService({
    repoRoot,
    workDir: cacheDir,
    modelDir: await benchModelDir(flags.depth),
    cameras: names.map((id) => ({ id, url: simulator.url(id) })),
    threads: flags.threads,
    // Recognition runs, lightly (one prediction per 4 s): its inference is the noisiest CPU in the
    // service, and the cost of watching is measured as a difference on top of it.
    defaults: { sampleFps: 2, windowMs: 4000, numSeg: 4, strideSegments: 4 },
    extra: { liveView: { mode } },
    configName: 'bench-live-view.json',
  });
  const pids = { service: service.pid, simulator: simulator.pid };
  try {
    await until(
      'every camera predicting',
      async () => {
        const body = (await (await fetch(`${service.url}/v1/cameras`)).json()) as {
          cameras: { lastPrediction: unknown }[];
        };
        return body.cameras.length === names.length && body.cameras.every((c) => c.lastPrediction !== null);
      },
      180_000,
    );
    await sleep(flags.warmupSeconds * 1000);
    const before = await measure(pids);
    const viewers = names.flatMap((n) =>
      Array.from({ length: flags.viewersPerCamera }, () => watchLive(service.url, n)),
    );
    await until('every viewer has 2 fragments', () => viewers.every((v) => v.fragments >= 2), 60_000);
    // Encoder start-up (RTSP set-up, probe) is not the steady cost of watching.
    await sleep(flags.warmupSeconds * 1000);
    const bytesBefore = viewers.map((v) => v.bytes);
    const fragmentsBefore = viewers.map((v) => v.fragmentArrivalsMs.length);
    const encoders = partsCpu(service.pid).liveEncoders;
    const watched = await measure(pids);
    const kbit = viewers.map((v, i) => ((v.bytes - (bytesBefore[i] ?? 0)) * 8) / 1000 / watched.seconds);
    const intervals = viewers.flatMap((v, i) =>
      v.fragmentArrivalsMs
        .slice(fragmentsBefore[i])
        .flatMap((t, k, all) => (k === 0 ? [] : [t - all[k - 1]!])),
    );
    const firstFragmentMs = mean(viewers.map((v) => v.firstFragmentMs ?? Number.NaN));
    for (const v of viewers) v.close();
    // The encoders outlive their last viewer by the linger time: the baseline starts once they are gone.
    await until('live encoders stopped', () => partsCpu(service.pid).liveEncoders === 0, 30_000);
    await sleep(flags.warmupSeconds * 1000);
    const after = await measure(pids);
    const perCamera = (part: 'service' | 'ingestFfmpeg' | 'liveFfmpeg' | 'simulator') =>
      round(((watched[part] - (before[part] + after[part]) / 2) / names.length) * 100, 2);
    const cost = {
      service: perCamera('service'),
      liveFfmpeg: perCamera('liveFfmpeg'),
      simulator: perCamera('simulator'),
      ingestFfmpeg: perCamera('ingestFfmpeg'),
    };
    return {
      resolution,
      mode,
      cameras: names.length,
      viewersPerCamera: flags.viewersPerCamera,
      liveEncoders: encoders,
      // Watched minus unwatched, per watched camera; 100 = one core. ingestFfmpeg should stay ~0.
      cpuPercentPerWatchedCamera: {
        ...cost,
        total: round(cost.service + cost.liveFfmpeg + cost.simulator + cost.ingestFfmpeg, 2),
      },
      kbitPerViewer: round(mean(kbit), 0),
      firstFragmentMs: round(firstFragmentMs, 0),
      fragmentIntervalMs: round(mean(intervals), 0),
      phases: { unwatchedBefore: before, watched, unwatchedAfter: after },
    };
  } finally {
    await service.close();
  }
}

const ffmpeg = locateFfmpeg()?.path;
if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
const rows = [];
for (const resolution of flags.resolutions) {
  const footage = benchFootage(ffmpeg, resolution);
  const names = Array.from({ length: flags.cameras }, (_, i) => `cam${i + 1}`);
  const simulator = await startSimulatorProcess(
    ffmpeg,
    names.map((name) => ({ name, file: footage })),
  );
  try {
    for (const mode of flags.modes) {
      console.log(
        `live view: ${resolution} ${mode}, ${flags.cameras} camera(s), ${flags.seconds} s phases ...`,
      );
      const row = await runOne(resolution, mode, simulator, names);
      const c = row.cpuPercentPerWatchedCamera;
      console.log(
        `  per watched camera (% of one core): service ${c.service}, live ffmpeg ${c.liveFfmpeg}, ` +
          `simulator ${c.simulator}, ingest ${c.ingestFfmpeg}, total ${c.total}; ` +
          `${row.kbitPerViewer} kbit/s per viewer; first fragment ${row.firstFragmentMs} ms`,
      );
      rows.push(row);
    }
  } finally {
    await simulator.close();
  }
}
writeReport(values.out, {
  benchmark: 'live-view',
  date: new Date().toISOString(),
  machine: machine(),
  flags,
  model: `random-weights ResNet-${flags.depth} TSN, 4 segments over 4 s, 1 prediction per 4 s per camera`,
  footage: 'test/fixtures/reference/example.avi re-encoded: 360p ~0.8 Mbit/s, 1080p ~4 Mbit/s, 1 IDR/s',
  note: 'cpuPercentPerWatchedCamera = (watched - mean(unwatched before, after)) / cameras, 100 = one core',
  rows,
});
