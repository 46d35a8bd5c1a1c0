import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, resolveCamera } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { mergePatch } from '../../../src/service/camera-manager.js';
import { pipelineOptionsOf, sourceOptionsOf } from '../../../src/service/camera-options.js';
import { FpsMeter } from '../../../src/service/fps-meter.js';
import { createMetricsRegistry } from '../../../src/service/metrics.js';
import { parseSimUrl } from '../../../src/service/simulated-camera.js';
import { emptyCameraCounters, type PipelineMetricsSnapshot } from '../../../src/pipeline/metrics.js';

function cameraFrom(yaml: string) {
  const config = loadConfig({ text: yaml, env: {} });
  return resolveCamera(config.defaults, config.cameras[0]!);
}

describe('camera options mapping', () => {
  test("decode 'picked': the source gets the segment length, the pipeline centres on frames 0, P, 2P", () => {
    const camera = cameraFrom(
      'cameras:\n  - { id: a, url: rtsp://cam/x, sampleFps: 2, windowMs: 8000, decode: picked }\n',
    );
    assert.equal(sourceOptionsOf(camera, camera.url, 8).segmentMs, 1000);
    assert.equal(pipelineOptionsOf(camera, 8).gridOriginMs, -500);
    const all = cameraFrom('cameras:\n  - { id: b, url: rtsp://cam/x, sampleFps: 2 }\n');
    assert.equal(sourceOptionsOf(all, all.url, 8).segmentMs, undefined);
    assert.equal(pipelineOptionsOf(all, 8).gridOriginMs, undefined, 'phase slots spread the others');
  });

  test('center crop: 224 centre crop from ffmpeg, one view, the model num_seg when unset', () => {
    const camera = cameraFrom('cameras:\n  - { id: a, url: rtsp://u:p@cam/x, sampleFps: 2 }\n');
    assert.deepEqual(sourceOptionsOf(camera, camera.url, 3), {
      id: 'a',
      url: 'rtsp://u:p@cam/x',
      rtspTransport: 'tcp',
      hwaccel: 'none',
      decode: 'all',
      sampleFps: 2,
      output: { width: 224, height: 224, mode: 'center-crop', shortSide: 256 },
      loop: false,
      stallTimeoutMs: 10_000,
      connectTimeoutMs: 15_000,
    });
    const p = pipelineOptionsOf(camera, 3);
    assert.equal(p.numSeg, 3);
    assert.equal(p.views, 1);
    assert.equal(p.emitPredictions, true);
    assert.equal(p.detector?.onThreshold, 0.5);
  });

  test('ten crop: the whole short-side-256 picture, ten views; backoff without times repeats forever', () => {
    const camera = cameraFrom(
      'cameras:\n  - id: a\n    url: rtsp://cam/x\n    crop: ten\n    numSeg: 8\n    backoff: [{ delayMs: 250, times: 2 }, { delayMs: 500 }]\n',
    );
    const s = sourceOptionsOf(camera, camera.url, 8);
    assert.deepEqual(s.output, { width: 341, height: 256, mode: 'center-crop', shortSide: 256 });
    assert.deepEqual(s.backoff, [
      { delayMs: 250, times: 2 },
      { delayMs: 500, times: Infinity },
    ]);
    const p = pipelineOptionsOf(camera, 3);
    assert.equal(p.views, 10);
    assert.equal(p.numSeg, 8);
  });
});

describe('sim:// URLs', () => {
  test('name, file and pattern', () => {
    assert.deepEqual(parseSimUrl('sim://demo'), { name: 'demo', pattern: 'testsrc2' });
    assert.deepEqual(parseSimUrl('sim://demo?file=a/b.mp4'), {
      name: 'demo',
      pattern: 'testsrc2',
      file: 'a/b.mp4',
    });
    assert.deepEqual(parseSimUrl('sim://x?pattern=smptebars'), { name: 'x', pattern: 'smptebars' });
  });

  test('malformed ones are E_SOURCE_URL', () => {
    for (const url of ['sim://', 'sim://a b', 'sim://a?fps=3', 'sim://a?pattern=nope']) {
      assert.throws(
        () => parseSimUrl(url),
        (e: unknown) => isTsnError(e, 'E_SOURCE_URL'),
        url,
      );
    }
  });
});

test('FpsMeter: rate over the sliding window, 0 when frames stop', () => {
  const meter = new FpsMeter(5000);
  for (let i = 0; i <= 20; i++) meter.tick(1000 + i * 250);
  assert.equal(meter.fps(6000), 4);
  assert.equal(meter.fps(20_000), 0);
});

test('PATCH merges the detector key by key and replaces other keys', () => {
  const spec = loadConfig({
    text: 'cameras:\n  - { id: a, url: rtsp://x, windowMs: 3000, detector: { onThreshold: 0.6, cooldownMs: 10 } }\n',
    env: {},
  }).cameras[0]!;
  const merged = mergePatch(spec, { detector: { cooldownMs: 20 }, crop: 'ten' });
  assert.deepEqual(merged.detector, { onThreshold: 0.6, cooldownMs: 20 });
  assert.equal(merged.crop, 'ten');
  assert.equal(merged.windowMs, 3000);
  assert.equal(merged.id, 'a');
});

test('metrics: pipeline counters per camera, gauges, and histogram samples in the same scrape', async () => {
  const snapshot: PipelineMetricsSnapshot = {
    cameras: { door: { ...emptyCameraCounters(), framesIn: 42, predictions: 7 } },
    queueDepth: 3,
    inFlight: 1,
    pendingWindows: 0,
    heldFeatures: 5,
    batches: 9,
    batchItems: 30,
    inferenceErrors: 0,
    headCalls: 7,
    headErrors: 0,
    headDropped: 0,
    windowsAbandoned: 0,
    windowsDegraded: 0,
    pendingSamples: 0,
  };
  let drained = 0;
  const registry = createMetricsRegistry({
    pipeline: () => snapshot,
    drainSamples: () => {
      drained++;
      return { batchSize: [4, 8], inferenceMs: [120], headMs: [2], latencyMs: [900], discarded: 0 };
    },
    cameras: {
      list: () => [
        {
          spec: { id: 'gate', url: 'rtsp://cam/x', enabled: true },
          status: { state: 'streaming', sinceMs: 0, width: 224, height: 224 },
          fps: 2,
          lastPrediction: null,
          counters: { decodeUnitsPassed: 60, decodeUnitsDropped: 140, decodeMissedPicks: 1 },
        },
      ],
      get: () => undefined,
      add: async () => assert.fail(),
      patch: async () => assert.fail(),
      remove: async () => undefined,
    },
  });
  const text = await registry.metrics();
  assert.match(text, /^tsn_camera_frames_total\{camera="door"\} 42$/m);
  assert.match(text, /^tsn_camera_predictions_total\{camera="door"\} 7$/m);
  assert.match(text, /^tsn_queue_depth 3$/m);
  assert.match(text, /^tsn_batches_total 9$/m);
  assert.match(text, /^tsn_batch_size_count 2$/m);
  assert.match(text, /^tsn_batch_size_sum 12$/m);
  assert.match(text, /^tsn_inference_seconds_sum 0\.12$/m);
  assert.match(text, /^tsn_latency_seconds_count 1$/m);
  assert.equal(drained, 1, 'one drain per scrape');
  // decode: picked cameras: what their decode gate kept from the decoder.
  assert.match(text, /^tsn_camera_decode_units_dropped_total\{camera="gate"\} 140$/m);
  assert.match(text, /^tsn_camera_decode_missed_picks_total\{camera="gate"\} 1$/m);
});
