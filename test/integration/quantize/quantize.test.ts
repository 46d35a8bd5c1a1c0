import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { isTsnError } from '../../../src/errors/index.js';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { buildOnnxModels } from '../../../src/inference/onnx/onnx-backend.js';
import { decodeOnnxModel } from '../../../src/inference/onnx/onnx-proto.js';
import { compareLogits } from '../../../src/inference/quantize/agreement.js';
import { hostCpu } from '../../../src/inference/onnx/host-cpu.js';
import { int8WeightLimit } from '../../../src/inference/quantize/weight-limit.js';
import { MAX_EQUALIZATION_SCALE, equalizationGroups } from '../../../src/inference/quantize/equalize.js';
import { activationPoints, convNodes } from '../../../src/inference/quantize/points.js';
import { allConvs, resnetPlan } from '../../../src/inference/resnet/plan.js';
import { loadModel, writeModelDir } from '../../../src/model/model-dir.js';
import type { ActivationRange, Model } from '../../../src/model/types.js';
import { fixturesDir, tsnBin } from '../../helpers/paths.js';
import { randomModel } from '../../unit/inference/random-model.js';
import { logitsThroughBoth } from './logits-through-both.js';
import { getJson, startServe } from '../service/serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';
const reference = (name: string): string => join(fixturesDir, 'reference', name);

// Each generator gives a calibration clip and a held-out clip (other seed or later frames): calibration
// must represent the footage (content far outside the calibrated ranges saturates), but no held-out frame
// is calibrated on. Real footage: the two reference clips calibrate, example.avi is held out.
const lavfiSources = (variant: 0 | 1): string[] => [
  `testsrc2=size=320x240:rate=25,trim=start=${variant * 4}`,
  `mandelbrot=size=320x240:rate=25,trim=start=${variant * 4}`,
  `life=size=320x240:rate=25:mold=10:ratio=0.2:seed=${variant + 1}`,
  `cellauto=size=320x240:rate=25:rule=110:seed=${variant + 1}`,
  `smptehdbars=size=320x240:rate=25,hue=H=2*PI*t+${variant * 3}`,
];

function generateClips(dir: string, variant: 0 | 1): string[] {
  return lavfiSources(variant).map((source, i) => {
    const path = join(dir, `lavfi-${variant}-${i}.mp4`);
    const args = ['-v', 'error', '-f', 'lavfi', '-i', source, '-frames:v', '50', '-pix_fmt', 'yuv420p', path];
    const r = spawnSync(ffmpegPath, args);
    assert.equal(r.status, 0, String(r.stderr));
    return path;
  });
}

describe('tsn quantize: an int8 model through the normal model loading', () => {
  let dir: string;
  let fp32: Model;
  let int8: Model;
  let heldOut: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-quantize-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the command writes an int8 model directory from a float32 one', async () => {
    const m = randomModel(18, 10, 7);
    await writeModelDir(join(dir, 'fp32'), { manifest: m.manifest, weights: m.weights, labels: m.labels });
    const calibration = [
      reference('clip_340x256.mp4'),
      reference('clip_400x300.mp4'),
      ...generateClips(dir, 0),
    ];
    const args = [tsnBin, 'quantize', join(dir, 'fp32'), '--calibrate', ...calibration];
    const r = spawnSync(process.execPath, [...args, '--out', join(dir, 'int8'), '--threads', '1'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /quantized TSN ResNet-18 to int8 \(minmax calibration\)/);
    // The check after writing: both models on the calibration clips.
    assert.match(r.stdout, /check {8}on the 7 calibration clips: top-1 agrees on [67]\/7/);
    assert.match(r.stdout, /moves the top-1\/top-2 margin by \d+\.\d{3} logits \(RMS\); \d+ clip\(s\)/);
    fp32 = await loadModel(join(dir, 'fp32'));
    int8 = await loadModel(join(dir, 'int8'));
    assert.equal(fp32.manifest.precision, undefined);
    assert.equal(int8.manifest.precision, 'int8');
    const q = int8.manifest.quantization;
    assert.ok(q);
    assert.deepEqual(q.calibration, { clips: calibration.map((c) => basename(c)), images: 56 });
    const keys = activationPoints(resnetPlan(18), 'images').map((p) => p.key);
    assert.deepEqual(Object.keys(q.ranges).sort(), [...keys].sort());
    for (const key of keys) {
      const range: ActivationRange | undefined = q.ranges[key];
      assert.ok(range, key);
      assert.ok(range.max > 0 && range.min <= 0, key);
      if (key.endsWith('.out') || key === 'stem') assert.equal(range.zeroPoint, 0, key);
    }
    // Equalisation where this CPU's kernels take 8-bit weights: every group's scales, one per channel,
    // at least 1, some channels scaled; with 7-bit weights none (quantize-model.ts).
    if (int8WeightLimit(hostCpu()) === 127) {
      assert.match(r.stdout, /channels {5}equalised in 12 tensor groups/);
      for (const g of equalizationGroups(resnetPlan(18))) {
        const scales: readonly number[] = q.equalization?.[g.key] ?? [];
        assert.equal(scales.length, g.channels, g.key);
        assert.ok(
          scales.every((s) => s >= 1 && s <= MAX_EQUALIZATION_SCALE),
          g.key,
        );
      }
      assert.ok(Object.values(q.equalization ?? {}).some((scales) => scales.some((s) => s > 1.5)));
    } else {
      assert.match(r.stdout, /channels {5}not equalised \(off with 7-bit weights/);
      assert.equal(q.equalization, undefined);
    }
    // Bias correction: one finite shift per output channel of every conv.
    for (const c of convNodes(resnetPlan(18))) {
      const shift: readonly number[] = q.biasCorrection?.[c.name] ?? [];
      assert.equal(shift.length, c.spec.outChannels, c.name);
      assert.ok(
        shift.every((v) => Number.isFinite(v)),
        c.name,
      );
    }
  });

  test('refuses to overwrite its source, and a missing --calibrate, with stable codes', () => {
    const run = (extra: string[]): string =>
      spawnSync(process.execPath, [tsnBin, 'quantize', join(dir, 'fp32'), ...extra], { encoding: 'utf8' })
        .stderr;
    assert.match(
      run(['--calibrate', reference('example.avi'), '--out', join(dir, 'fp32')]),
      /E_MODEL_OUT_EXISTS/,
    );
    assert.match(run(['--out', join(dir, 'x')]), /E_USAGE.*--calibrate/);
    assert.match(
      run(['--calibrate', reference('example.avi'), '--out', join(dir, 'x'), '--method', 'mse']),
      /E_USAGE/,
    );
  });

  test('an int8 model on the tfjs backend is refused with E_BACKEND_UNAVAILABLE', async () => {
    const options = { backend: 'tfjs', executionProviders: ['cpu'], threads: 1 } as const;
    await assert.rejects(createBackend(int8, options), (e: unknown) =>
      isTsnError(e, 'E_BACKEND_UNAVAILABLE'),
    );
  });

  test('onnxruntime runs the backbone on integer kernels: every conv a QLinearConv, every add a QLinearAdd', async () => {
    const optimized = join(dir, 'optimized.onnx');
    const session = await InferenceSession.create(buildOnnxModels(int8).backbone, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    await session.release();
    const graph = decodeOnnxModel(readFileSync(optimized)).graph as {
      node: { opType: string; name: string }[];
    };
    // The input image's map back to pixel bytes (pixel-input.ts) is float by design: Pad, Mul, Add.
    const pixelMap = graph.node.filter((n) => n.name.startsWith('input.pixels.'));
    assert.deepEqual(pixelMap.map((n) => n.opType).sort(), ['Add', 'Mul', 'Pad']);
    const rest = graph.node.filter((n) => !pixelMap.includes(n));
    const count = (op: string): number => rest.filter((n) => n.opType === op).length;
    const plan = resnetPlan(18);
    assert.equal(count('QLinearConv'), allConvs(plan).length);
    assert.equal(count('QLinearAdd'), plan.blocks.length);
    assert.equal(count('Conv') + count('FusedConv') + count('Add'), 0, 'no float conv or add is left');
    // Float after the pool: the features divided back by the last stream's equalisation scales.
    assert.equal(count('Mul'), int8.manifest.quantization?.equalization === undefined ? 0 : 1);
  });

  test('held-out clips: int8 agrees with fp32 (top-1, top-5, logits correlation)', async (t) => {
    heldOut = [reference('example.avi'), ...generateClips(dir, 1)];
    const options = { backend: 'onnx', executionProviders: ['cpu'], threads: 1 } as const;
    const [a, b] = await Promise.all([createBackend(fp32, options), createBackend(int8, options)]);
    try {
      assert.doesNotMatch(a.description, /int8/);
      assert.match(b.description, /^onnxruntime cpu int8/);
      const logits = await logitsThroughBoth(fp32, [a, b], heldOut, ffmpegPath);
      const agreement = compareLogits(logits[0], logits[1]);
      t.diagnostic(JSON.stringify(agreement));
      assert.equal(agreement.top1, 1);
      assert.ok(agreement.top5Overlap >= 0.95, `top-5 overlap ${agreement.top5Overlap}`);
      assert.ok(agreement.correlation >= 0.999, `correlation ${agreement.correlation}`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('tsn serve runs the int8 model through its normal model loading', async () => {
    const config = join(dir, 'serve.yaml');
    const clip = reference('clip_340x256.mp4');
    writeFileSync(
      config,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `model: { dir: ${join(dir, 'int8')} }`,
        'backend: { threads: 1 }',
        'defaults: { windowMs: 2000, numSeg: 4 }',
        'cameras:',
        `  - { id: sim1, url: 'sim://sim1?file=${clip}' }`,
      ].join('\n'),
    );
    const serve = startServe(['--config', config]);
    try {
      const url = await waitFor(
        'listening',
        () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
        60_000,
      );
      const started = await waitFor(
        'the model line',
        () => serve.logs.find((l) => typeof l.backend === 'string'),
        60_000,
      );
      assert.match(String(started.backend), /^onnxruntime cpu int8/);
      assert.equal(started.model, int8.id);
      await waitFor(
        'a prediction',
        async () => {
          const { body } = await getJson(`${url}/v1/cameras/sim1`);
          return (body as { lastPrediction: unknown }).lastPrediction !== null ? true : undefined;
        },
        60_000,
      );
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.stderr());
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});
