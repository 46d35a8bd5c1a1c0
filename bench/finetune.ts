// The real CLI's cost: `tsn finetune` on N rendered action clips (wall time: decode, backbone features,
// head training, writing the model) and `tsn eval` throughput in clips per second on held-out clips
// (wall time of the whole command, so model loading is included), on the demo-actions backbone.
// npm run bench:finetune [-- --clips 100 --eval-clips 50 --threads 0]   (--quick: 10 + 5 clips, 1 pass)
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import { ensureDemoModel } from '../src/model-store/index.js';
import { ACTION_LABELS } from '../simulators/actions/render.js';
import { renderActionDataset } from '../simulators/actions/dataset.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:finetune -- [options]
  --clips N        rendered training clips (default 100)
  --eval-clips N   held-out clips for tsn eval (default 50)
  --threads N      onnxruntime threads for finetune and eval (default 0 = all cores)
  --quick          10 + 5 clips, 1 pass: proves the bench works, not figures`;

const run = promisify(execFile);
const tsnBin = fileURLToPath(new URL('../../bin/tsn.js', import.meta.url));

const values = parseBenchArgs('bench:finetune', USAGE, {
  clips: { type: 'string', default: '100' },
  'eval-clips': { type: 'string', default: '50' },
  threads: { type: 'string', default: '0' },
  quick: { type: 'boolean', default: false },
});
const quick = values.quick === true;
const labels = [...ACTION_LABELS];
const perLabel = (n: number): number => Math.max(1, Math.round(n / labels.length));
const trainPerLabel = perLabel(quick ? 10 : Number(values.clips));
const evalPerLabel = perLabel(quick ? 5 : Number(values['eval-clips']));
const threads = String(Number(values.threads));

async function timed<T>(args: readonly string[]): Promise<{ seconds: number; json: T }> {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, [tsnBin, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return { seconds: (performance.now() - t0) / 1000, json: JSON.parse(stdout) as T };
}

const ffmpeg = locateFfmpeg();
if (ffmpeg === undefined) throw new Error('bench:finetune needs ffmpeg (apt-get install ffmpeg)');
const work = mkdtempSync(join(tmpdir(), 'tsn-bench-finetune-'));
try {
  const render = { ffmpegPath: ffmpeg.path, seconds: 3, width: 160, height: 120, fps: 15, labels };
  process.stderr.write(
    `rendering ${trainPerLabel * labels.length} + ${evalPerLabel * labels.length} clips\n`,
  );
  await renderActionDataset({ ...render, dir: join(work, 'train'), clipsPerLabel: trainPerLabel, seed: 11 });
  await renderActionDataset({ ...render, dir: join(work, 'test'), clipsPerLabel: evalPerLabel, seed: 12 });
  const base = await ensureDemoModel(join(work, 'cache'), { info: () => undefined });
  const out = join(work, 'model');
  // The user's command with its defaults (passes, epochs, lr, num-seg); all clips train (no val split).
  const finetuneArgs = ['finetune', '--model', base, '--data', join(work, 'train'), '--out', out];
  finetuneArgs.push('--val-split', '0', '--threads', threads, '--json', ...(quick ? ['--passes', '1'] : []));
  process.stderr.write(`node bin/tsn.js ${finetuneArgs.join(' ')}\n`);
  const ft = await timed<{ trainClips: number; passes: number; numSeg: number; recipe: { epochs: number } }>(
    finetuneArgs,
  );
  const evalArgs = ['eval', '--model', out, '--data', join(work, 'test'), '--threads', threads, '--json'];
  process.stderr.write(`node bin/tsn.js ${evalArgs.join(' ')}\n`);
  const ev = await timed<{ clips: number; top1: number; numSeg: number; crop: string }>(evalArgs);

  const report = {
    benchmark: 'finetune',
    date: new Date().toISOString(),
    node: process.version,
    cpu: { count: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadAvg1mAtEnd: loadavg()[0] },
    quick,
    threads: Number(threads),
    backbone: 'demo-actions (ResNet-18, 224 px)',
    clip: { seconds: render.seconds, size: `${render.width}x${render.height}`, fps: render.fps },
    finetune: {
      command: 'tsn finetune --model demo-actions --data DIR --out OUT --val-split 0',
      clips: ft.json.trainClips,
      passes: ft.json.passes,
      numSeg: ft.json.numSeg,
      epochs: ft.json.recipe.epochs,
      imagesThroughBackbone: ft.json.trainClips * (ft.json.passes + 1) * ft.json.numSeg,
      seconds: ft.seconds,
    },
    eval: {
      command: 'tsn eval --model OUT --data HELDOUT --json',
      clips: ev.json.clips,
      numSeg: ev.json.numSeg,
      crop: ev.json.crop,
      seconds: ev.seconds,
      clipsPerSecond: ev.json.clips / ev.seconds,
      heldoutTop1: ev.json.top1,
    },
  };
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'finetune.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `tsn finetune: ${report.finetune.clips} clips x (${report.finetune.passes} passes + centre) x ${report.finetune.numSeg} segments, ${report.finetune.epochs} epochs: ${ft.seconds.toFixed(1)} s\n` +
      `tsn eval: ${ev.json.clips} clips in ${ev.seconds.toFixed(1)} s = ${report.eval.clipsPerSecond.toFixed(2)} clips/s (${ev.json.numSeg} segments, ${ev.json.crop} crop), held-out top-1 ${ev.json.top1}\n` +
      `written to ${file}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
