import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toArray, lastValueFrom } from 'rxjs';
import {
  createCameraSource,
  probeFfmpegCapabilities,
  type SourceOptions,
  type SupervisedCameraSource,
} from '../../../src/sources/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { bundledFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { isTsnError } from '../../../src/errors/index.js';
import type { CameraStatus, Frame } from '../../../src/domain/index.js';
import { ffmpegPath, ingestChildren, makeClip, run, tempDir, waitForStatus } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

const dir = tempDir('tsn-file-source-');
let clip320 = '';
let clipTs = '';
let resolutionChange = '';

before(async () => {
  clip320 = await makeClip(join(dir.path, 'c320.mp4'), 320, 240, 2);
  clipTs = await makeClip(join(dir.path, 'c320.ts'), 320, 240, 1);
  // Two MPEG-TS segments back to back: the picture size changes from 320x240 to 640x360 mid-stream.
  const wide = await makeClip(join(dir.path, 'c640.ts'), 640, 360, 1);
  resolutionChange = join(dir.path, 'change.ts');
  writeFileSync(resolutionChange, Buffer.concat([readFileSync(clipTs), readFileSync(wide)]));
});

after(() => dir.remove());

/** Plays a source that was not started to its end (one ffmpeg run, 'stopped') and returns its frames. */
async function playToEnd(source: SupervisedCameraSource, withinMs = 10_000): Promise<Frame[]> {
  const all = lastValueFrom(source.frames$.pipe(toArray()));
  source.start();
  await waitForStatus(
    source.status$,
    (s) => s.state === 'stopped' && source.stats().spawns === 1,
    withinMs,
    'stopped at end',
  );
  await source.close();
  return all;
}

function fileSource(over: Partial<SourceOptions> = {}) {
  return createCameraSource({ id: 'file-cam', url: clip320, sampleFps: 4, ...over }, { ffmpegPath });
}

describe('file source with real ffmpeg', () => {
  test('looped real-time replay: 224x224 frames, ptsMs steps by 1/sampleFps across the loop point', async () => {
    const source = fileSource({ loop: true });
    const frames: Frame[] = [];
    source.frames$.subscribe((f) => frames.push(f));
    source.start();
    await waitForStatus(source.status$, (s) => s.state === 'streaming', 10_000, 'streaming');
    await waitFor('12 frames (past the 2 s loop point)', () => frames.length >= 12, 10_000);
    await source.close();
    for (const f of frames) {
      assert.deepEqual([f.cameraId, f.width, f.height, f.rgb.length], ['file-cam', 224, 224, 224 * 224 * 3]);
    }
    assert.deepEqual(
      frames.slice(1).map((f, i) => f.ptsMs - (frames[i]?.ptsMs ?? 0)),
      Array(frames.length - 1).fill(250),
    );
    assert.ok(frames.every((f, i) => i === 0 || f.wallMs > (frames[i - 1]?.wallMs ?? 0)));
    assert.equal(source.stats().spawns, 1);
    assert.deepEqual(ingestChildren(), []);
  });

  test("a file played once ends in 'stopped' with every sampled frame; pixels are PaddleVideo's center crop", async () => {
    const source = fileSource({ realtime: false });
    const frames = await playToEnd(source);
    assert.equal(frames.length, 8, '2 s at 4 frames/s');
    // The reference crop, written out by hand: 320x240 -> 341x256, offsets (58, 16).
    const reference = await run([
      ...[
        '-nostdin',
        '-loglevel',
        'error',
        '-i',
        clip320,
        '-vf',
        'fps=4,scale=341:256:flags=bilinear,format=rgb24,crop=224:224:58:16',
      ],
      ...['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ]);
    assert.equal(Buffer.compare(Buffer.from(frames[0]?.rgb ?? []), reference), 0);
  });

  test("decode 'keyframes': the constant-rate stream holds each keyframe until the next (pixels of the I-frames)", async () => {
    const source = fileSource({ realtime: false, decode: 'keyframes' });
    const frames = await playToEnd(source);
    // The clip's keyframes, decoded in full by an independent ffmpeg run and cropped the same way.
    const keyframes = await run([
      ...['-nostdin', '-loglevel', 'error', '-i', clip320],
      ...['-vf', "select='eq(pict_type,I)',scale=341:256:flags=bilinear,format=rgb24,crop=224:224:58:16"],
      ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ]);
    const size = 224 * 224 * 3;
    assert.equal(keyframes.length, 2 * size, 'a 2 s clip with a 1 s GOP has 2 keyframes');
    const keyframeOf = (f: Frame): number =>
      [0, 1].findIndex(
        (k) => Buffer.compare(Buffer.from(f.rgb), keyframes.subarray(k * size, (k + 1) * size)) === 0,
      );
    // Slots at 0, 0.25, 0.5, 0.75 s show the keyframe at 0; the one at 1 s is its own; the file ends there.
    assert.deepEqual(frames.map(keyframeOf), [0, 0, 0, 0, 1]);
    assert.deepEqual(
      frames.map((f) => f.ptsMs),
      [0, 250, 500, 750, 1000],
    );
  });

  // 2 frames/s: a slot on each segment's start and centre; 1 frame/s: on its centre only (the grid of a
  // picked camera is anchored there), which gives the same picks for half the conversion. ffmpeg 5.1
  // writes each frame one slot late, so at 1 frame/s the gate would pass every unit: that case decodes
  // with the bundled static ffmpeg, which writes at once (the bench presets' decoder).
  const bundled = bundledFfmpeg()?.path;
  for (const { sampleFps, shiftSeconds, decoder } of [
    { sampleFps: 2, shiftSeconds: 0.15, decoder: ffmpegPath },
    { sampleFps: 1, shiftSeconds: 0.4, decoder: bundled },
  ]) {
    test(`decode 'picked' at ${sampleFps} frame(s)/s: each segment's centre frame equals a full decode's on the same timeline, with less decoded`, async (t) => {
      if (decoder === undefined) return t.skip('@ffmpeg-installer/ffmpeg has no binary for this platform');
      const clip = await makeClip(join(dir.path, `picked-${sampleFps}.mp4`), 320, 240, 5);
      const source = createCameraSource(
        { id: 'picked', url: clip, sampleFps, realtime: false, decode: 'picked', segmentMs: 1000 },
        { ffmpegPath: decoder },
      );
      const frames = await playToEnd(source);
      const gate = source.stats().decodeGate;
      // The same clip decoded whole by an independent ffmpeg, on the timeline the gate chose: segment
      // centres (one slot in sampleFps) 100 ms after each keyframe (shift: half a slot less 100 ms).
      const reference = await run([
        ...['-nostdin', '-loglevel', 'error', '-i', clip],
        ...[
          '-vf',
          `setpts=PTS+${shiftSeconds}/TB,fps=${sampleFps},scale=341:256:flags=bilinear,format=rgb24,crop=224:224:58:16`,
        ],
        ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      ]);
      const size = 224 * 224 * 3;
      const centres = frames
        .map((_, n) => n)
        .filter((n) => n % sampleFps === 0 && (n + 1) * size <= reference.length);
      assert.ok(centres.length >= 4, `segment centres compared: ${centres.length}`);
      for (const n of centres) {
        const same = Buffer.compare(
          Buffer.from(frames[n]?.rgb ?? []),
          reference.subarray(n * size, (n + 1) * size),
        );
        assert.equal(same, 0, `centre slot ${n} differs from the full decode`);
      }
      assert.ok(gate !== undefined && gate.dropped > 0, `units dropped before the decoder: ${gate?.dropped}`);
      assert.equal(gate.missedPicks, 0);
      assert.deepEqual(ingestChildren(), []);
    });
  }

  for (const decode of ['all', 'picked'] as const) {
    test(`a resolution change mid-stream keeps the output size and the connection (decode ${decode})`, async () => {
      await resolutionChangeKeepsConnection(decode);
    });
  }

  async function resolutionChangeKeepsConnection(decode: 'all' | 'picked'): Promise<void> {
    const source = fileSource({
      url: resolutionChange,
      realtime: false,
      output: { width: 160, height: 120, mode: 'scale' },
      ...(decode === 'picked' ? { decode, sampleFps: 2, segmentMs: 1000 } : {}),
    });
    const frames = await playToEnd(source);
    assert.equal(frames.length, decode === 'all' ? 8 : 4, '2 s at 4 frames/s (picked: 2 frames/s)');
    assert.ok(frames.every((f) => f.width === 160 && f.height === 120 && f.rgb.length === 160 * 120 * 3));
    assert.equal(source.stats().partialBytesDropped, 0);
  }

  test('a substream, when given, is what gets ingested', async () => {
    const source = fileSource({
      // Never opened: the main stream is only checked, the substream is ingested.
      url: 'rtsp://127.0.0.1:1/main-stream-absent',
      substreamUrl: clip320,
      realtime: false,
    });
    source.start();
    await waitForStatus(
      source.status$,
      (s) => s.state === 'streaming',
      10_000,
      'streaming from the substream',
    );
    await source.close();
  });

  test('the static ffmpeg of @ffmpeg-installer (ffmpeg 4 option names) works too', async (t) => {
    const installer = join(repoRoot, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');
    if (!existsSync(installer))
      return t.skip('@ffmpeg-installer/linux-x64 is not installed on this platform');
    const capabilities = probeFfmpegCapabilities(installer);
    const source = createCameraSource(
      { id: 'old', url: clip320, sampleFps: 4, realtime: false },
      { ffmpegPath: installer, capabilities },
    );
    assert.equal((await playToEnd(source, 20_000)).length, 8);
  });

  test("a file that vanished after validation is 'not-found' and 'failed': no retry can heal it", async () => {
    const gone = join(dir.path, 'gone.mp4');
    writeFileSync(gone, readFileSync(clip320));
    const source = fileSource({ url: gone, backoff: [{ delayMs: 200, times: Infinity }] });
    rmSync(gone);
    const statuses: CameraStatus[] = [];
    source.status$.subscribe((s) => statuses.push(s));
    source.start();
    const failed = await waitForStatus(source.status$, (s) => s.state === 'failed', 10_000, 'failed');
    assert.ok(failed.state === 'failed');
    assert.equal(failed.error.kind, 'not-found');
    await source.close();
    assert.equal(source.stats().spawns, 1);
    assert.equal(
      statuses.some((s) => s.state === 'backoff'),
      false,
    );
  });

  test("a text file (README.md) is 'not-video' and 'failed' at once, not retried forever", async () => {
    const source = fileSource({ url: join(repoRoot, 'README.md'), backoff: [{ delayMs: 200 }] });
    source.start();
    const failed = await waitForStatus(source.status$, (s) => s.state === 'failed', 10_000, 'failed');
    assert.ok(failed.state === 'failed');
    assert.equal(failed.error.kind, 'not-video');
    await source.close();
    assert.equal(source.stats().spawns, 1);
  });

  test('a missing file or a non-URL is refused before any ffmpeg starts', () => {
    for (const url of [join(dir.path, 'nope.mp4'), 'notaurl', 'ftp://127.0.0.1/a.mp4']) {
      assert.throws(
        () => fileSource({ url }),
        (e: unknown) => isTsnError(e, 'E_SOURCE_URL'),
        url,
      );
    }
  });

  test("ffmpeg that cannot run: 'failed', no retries", async () => {
    const source = createCameraSource(
      { id: 'x', url: clip320, sampleFps: 1 },
      { ffmpegPath: join(dir.path, 'no-ffmpeg') },
    );
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'failed', 10_000, 'failed');
    assert.ok(status.state === 'failed');
    assert.equal(status.error.kind, 'unknown');
    await source.close();
    assert.equal(source.stats().spawns, 1);
  });

  test('close() called by a status subscriber while connecting still stops the ffmpeg it started', async () => {
    const source = fileSource({ loop: true });
    let closing: Promise<void> | undefined;
    source.status$.subscribe((s) => {
      if (s.state === 'connecting') closing = source.close();
    });
    source.start();
    assert.ok(closing !== undefined);
    await closing;
    assert.equal(source.stats().pid, undefined);
    assert.deepEqual(ingestChildren(), []);
  });

  test('frames that run ahead of real time are treated as a timestamp jump and the connection restarted', async () => {
    // An unpaced file decodes far faster than real time: the same symptom as a camera clock stepping forward.
    const source = fileSource({
      realtime: false,
      loop: true,
      maxLeadMs: 1_000,
      backoff: [{ delayMs: 60_000 }],
    });
    let frames = 0;
    source.frames$.subscribe(() => (frames += 1));
    source.start();
    const status = await waitForStatus(
      source.status$,
      (s) => s.state === 'backoff',
      10_000,
      'backoff',
    ).finally(() => source.close());
    assert.ok(status.state === 'backoff');
    assert.equal(status.error.kind, 'protocol');
    assert.ok(frames <= 4 * 2 + 1, `at most ~maxLeadMs of frames ahead got through, got ${frames}`);
  });

  test('close() before start() and twice is fine and completes both observables', async () => {
    const source = fileSource();
    let completed = 0;
    source.frames$.subscribe({ complete: () => (completed += 1) });
    source.status$.subscribe({ complete: () => (completed += 1) });
    await source.close();
    await source.close();
    source.start();
    assert.equal(completed, 2);
    assert.equal(source.stats().spawns, 0);
  });
});
