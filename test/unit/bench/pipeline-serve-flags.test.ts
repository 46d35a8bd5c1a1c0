import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DROP_COUNTERS, counterDeltas, parseCounterTotals } from '../../../bench/serve/drops.js';
import { PRESETS, parseBenchFlags, type BenchFlags } from '../../../bench/serve/flags.js';
import { plotResults, type ResultFile } from '../../../bench/serve/plot.js';

const parse = (argv: string[]): BenchFlags => {
  const f = parseBenchFlags(argv);
  assert.notEqual(f, 'help');
  return f as BenchFlags;
};

describe('bench:pipeline flags', () => {
  test("the issue's presets: INT8 36 cameras at 360p; 12 at 1080p on substreams, or decoding the main", () => {
    const a = parse(['--preset', 'int8-360p-36']);
    assert.deepEqual([a.cameras, a.resolution, a.ingest, a.precisions], [[36], '360p', 'main', ['int8']]);
    const b = parse(['--preset', 'int8-1080p-12']);
    assert.deepEqual(
      [b.cameras, b.resolution, b.ingest, b.precisions],
      [[12], '1080p', 'substream', ['int8']],
    );
    const c = parse(['--preset', 'int8-1080p-12-main']);
    assert.deepEqual([c.cameras, c.resolution, c.ingest], [[12], '1080p', 'main']);
    assert.equal(b.pytorch, true, 'the PyTorch peer runs in the same run unless --no-pytorch');
    assert.equal(a.decode, 'picked', 'many-camera presets decode only what the picks need');
    assert.equal(parse(['--preset', 'int8-360p-36-all']).decode, 'all');
    const k = parse(['--preset', 'int8-360p-36-keyframes']);
    assert.deepEqual([k.cameras, k.decode, k.maxBatch], [[36], 'keyframes', 4]);
    assert.equal(parse(['--preset', 'int8-360p-36', '--decode', 'keyframes']).decode, 'keyframes');
    assert.equal(parse([]).decode, 'all', "the service's default");
    assert.throws(() => parse(['--decode', 'some']), /all, picked or keyframes/);
    assert.ok(Object.keys(PRESETS).includes('quick'));
    // Picked cameras' grids sit on the segment centres: 1 frame/s is each centre; the others need 2.
    assert.deepEqual(
      ['int8-360p-36', 'int8-1080p-12', 'int8-360p-36-all', 'int8-360p-36-keyframes'].map(
        (preset) => parse(['--preset', preset]).sampleFps,
      ),
      [1, 1, 2, 2],
    );
    assert.equal(a.staggerMs, 1000, "simulated cameras' keyframes out of step, a GOP apart at most");
    assert.equal(parse(['--preset', 'int8-360p-36', '--stagger-ms', '0']).staggerMs, 0);
    assert.throws(() => parse(['--stagger-ms', 'soon']), /milliseconds/);
    assert.throws(() => parse(['--stagger-ms', '10001']), /at most 10000/);
  });

  test('flags after a preset override it; lists sweep; bad values are refused', () => {
    const f = parse(['--preset', 'int8-360p-36', '--cameras', '12,24', '--seconds', '5', '--no-pytorch']);
    assert.deepEqual([f.cameras, f.seconds, f.pytorch, f.preset], [[12, 24], 5, false, 'int8-360p-36']);
    assert.equal(parse(['--substream']).ingest, 'substream');
    assert.equal(parse([]).preset, 'custom');
    assert.throws(() => parse(['--preset', 'nope']), /unknown --preset nope/);
    assert.throws(() => parse(['--precisions', 'fp16']), /fp32,int8/);
    assert.throws(() => parse(['--cameras', '0']), /positive integer/);
    assert.equal(parseBenchFlags(['--help']), 'help');
  });

  test("many-camera presets batch 4 frames / 150 ms on the bundled ffmpeg; flags override; defaults are the service's", () => {
    const p = parse(['--preset', 'int8-360p-36']);
    assert.deepEqual([p.maxBatch, p.maxWaitMs, p.ffmpeg], [4, 150, 'bundled']);
    const o = parse([
      '--preset',
      'int8-360p-36',
      '--ffmpeg',
      'system',
      '--max-batch',
      '2',
      '--max-wait-ms',
      '50',
    ]);
    assert.deepEqual([o.maxBatch, o.maxWaitMs, o.ffmpeg], [2, 50, 'system']);
    const d = parse([]);
    assert.deepEqual([d.maxBatch, d.maxWaitMs, d.ffmpeg], [undefined, undefined, 'system']);
    assert.throws(() => parse(['--ffmpeg', 'mine']), /system or bundled/);
    assert.equal(parse(['--max-wait-ms', '0']).maxWaitMs, 0, 'no wait is a valid batching');
    assert.throws(() => parse(['--max-wait-ms=-1']), /milliseconds >= 0/);
  });
});

test('drops: each counter summed over its labels, deltas over the measured interval', () => {
  const text = (n: number): string =>
    [
      '# TYPE tsn_camera_queue_drops_total counter',
      `tsn_camera_queue_drops_total{camera="a"} ${n}`,
      `tsn_camera_queue_drops_total{camera="b"} 1`,
      `tsn_head_dropped_total ${2 * n}`,
      'tsn_camera_frames_total{camera="a"} 999',
    ].join('\n');
  const d = counterDeltas(
    parseCounterTotals(text(1), DROP_COUNTERS),
    parseCounterTotals(text(4), DROP_COUNTERS),
  );
  assert.equal(d.tsn_camera_queue_drops_total, 3);
  assert.equal(d.tsn_head_dropped_total, 6);
  assert.equal(d.tsn_windows_abandoned_total, 0);
  assert.equal('tsn_camera_frames_total' in d, false);
});

test('the plot comes from result files: one series per precision/resolution/ingest plus the peer, deterministic', () => {
  const row = (cameras: number, rate: number, p99: number | string, keptUp: boolean) => ({
    precision: 'int8',
    cameras,
    resolution: '360p',
    ingest: 'main',
    predictionsPerSecond: rate,
    latencyMs: { p99AtMost: p99 },
    keptUp,
  });
  const files: ResultFile[] = [
    { date: '2026-01-02', rows: [row(36, 36, 1000, true)], pytorchRecompute: null },
    {
      date: '2026-01-01',
      rows: [row(36, 30, '>10000', false), row(12, 12, 500, true)],
      pytorchRecompute: {
        cameras: 2,
        resolution: '360p',
        predictionsPerSecond: 0.4,
        latencyMs: { p99: 9000 },
        droppedWindows: 3,
      },
    },
  ];
  const svg = plotResults(files);
  assert.match(svg, /^<svg /);
  assert.match(svg, /int8 360p/);
  assert.match(svg, /PyTorch recompute 360p/);
  assert.equal(plotResults(files), svg, 'same files, same picture');
});
