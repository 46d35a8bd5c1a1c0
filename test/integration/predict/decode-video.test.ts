import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { isTsnError, type ErrorCode } from '../../../src/errors/index.js';
import { decodeSampledFrames } from '../../../src/inference/decode-video.js';
import { resizeFilter } from '../../../src/inference/decode-video-args.js';
import { runFfmpeg } from '../../../src/inference/ffmpeg-run.js';
import { sampleIndices } from '../../../src/inference/preprocess/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { processesMentioning } from './processes.js';

const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';
const reference = (name: string): string => join(fixturesDir, 'reference', name);

/** The reference's decode(): every frame, rgb24, optionally through our resize filter. */
function decodeAll(videoPath: string, vf?: string): Buffer {
  const args = ['-v', 'error', '-i', videoPath, '-map', '0:v:0'];
  if (vf !== undefined) args.push('-vf', vf);
  const r = spawnSync(ffmpegPath, [...args, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
  });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

function generate(args: readonly string[]): void {
  const r = spawnSync(ffmpegPath, ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  assert.equal(r.status, 0, String(r.stderr));
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isTsnError(error, code), `expected ${code}, got ${String(error)}`);
    return true;
  });
}

describe('decodeSampledFrames on the reference clips', () => {
  test('340x256 (no resize): count, indices and every kept byte equal the reference decode', async () => {
    const path = reference('clip_340x256.mp4');
    const clip = await decodeSampledFrames({ videoPath: path, ffmpegPath, numSeg: 8 });
    assert.equal(clip.frameCount, 60);
    assert.deepEqual(clip.indices, [3, 11, 18, 26, 33, 41, 48, 56]);
    assert.deepEqual(clip.size, { width: 340, height: 256 });
    const all = decodeAll(path);
    const bytes = 340 * 256 * 3;
    assert.equal(all.length, 60 * bytes);
    clip.indices.forEach((index, k) => {
      assert.ok(Buffer.from(clip.frames[k]!.rgb).equals(all.subarray(index * bytes, (index + 1) * bytes)));
    });
  });

  test('400x300 and example.avi: resized to 341x256, counts as the reference decode', async () => {
    for (const [name, frames, source] of [
      ['clip_400x300.mp4', 75, { width: 400, height: 300 }],
      ['example.avi', 131, { width: 320, height: 240 }],
    ] as const) {
      const clip = await decodeSampledFrames({ videoPath: reference(name), ffmpegPath, numSeg: 25 });
      assert.equal(clip.frameCount, frames, name);
      assert.deepEqual(clip.indices, sampleIndices(frames, 25));
      assert.deepEqual(clip.sourceSize, source);
      assert.deepEqual(clip.size, { width: 341, height: 256 });
      assert.equal(clip.frames.length, 25);
      const all = decodeAll(reference(name), resizeFilter(clip.size));
      const bytes = 341 * 256 * 3;
      const last = clip.indices.at(-1)!;
      assert.ok(Buffer.from(clip.frames.at(-1)!.rgb).equals(all.subarray(last * bytes, (last + 1) * bytes)));
    }
  });

  test('fewer frames than segments: every index is frame 0, one shared buffer', async () => {
    const clip = await decodeSampledFrames({
      videoPath: reference('clip_340x256.mp4'),
      ffmpegPath,
      numSeg: 60,
    });
    assert.equal(clip.frameCount, 60);
    assert.ok(clip.indices.every((i) => i === 0));
    assert.equal(new Set(clip.frames.map((f) => f.rgb)).size, 1);
  });
});

describe('decodeSampledFrames on generated inputs', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-decode-'));
  });
  after(() => {
    assert.deepEqual(processesMentioning(dir), [], 'no ffmpeg left running');
    rmSync(dir, { recursive: true, force: true });
  });

  test('variable frame rate: L is what ffmpeg outputs (duplicated frames included), not the packet count', async () => {
    const path = join(dir, 'vfr.mp4');
    // 50 frames with a 0.5 s gap after frame 10: the rawvideo output repeats frames to fill it.
    generate([
      '-f',
      'lavfi',
      '-i',
      'testsrc=r=25:d=2:s=320x240',
      '-vf',
      "setpts='N/(25*TB)+if(gte(N,10),0.5/TB,0)'",
      '-fps_mode',
      'vfr',
      '-c:v',
      'mpeg4',
      path,
    ]);
    const all = decodeAll(path, resizeFilter({ width: 341, height: 256 }));
    const bytes = 341 * 256 * 3;
    const expectedCount = all.length / bytes;
    assert.notEqual(expectedCount, 50, 'the clip must make ffmpeg duplicate frames');
    const clip = await decodeSampledFrames({ videoPath: path, ffmpegPath, numSeg: 8 });
    assert.equal(clip.frameCount, expectedCount);
    assert.deepEqual(clip.indices, sampleIndices(expectedCount, 8));
    clip.indices.forEach((index, k) => {
      assert.ok(Buffer.from(clip.frames[k]!.rgb).equals(all.subarray(index * bytes, (index + 1) * bytes)));
    });
  });

  test('missing file or a directory: E_VIDEO_OPEN', async () => {
    await rejectsWith(
      decodeSampledFrames({ videoPath: join(dir, 'nope.mp4'), ffmpegPath, numSeg: 3 }),
      'E_VIDEO_OPEN',
    );
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    await rejectsWith(decodeSampledFrames({ videoPath: sub, ffmpegPath, numSeg: 3 }), 'E_VIDEO_OPEN');
  });

  test('not a video: E_VIDEO_DECODE', async () => {
    const path = join(dir, 'garbage.mp4');
    writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 255)));
    await rejectsWith(decodeSampledFrames({ videoPath: path, ffmpegPath, numSeg: 3 }), 'E_VIDEO_DECODE');
  });

  test('audio only, or a video stream without frames: E_VIDEO_EMPTY', async () => {
    const audio = join(dir, 'audio.m4a');
    generate(['-f', 'lavfi', '-i', 'sine=d=0.5', audio]);
    await rejectsWith(decodeSampledFrames({ videoPath: audio, ffmpegPath, numSeg: 3 }), 'E_VIDEO_EMPTY');
    const empty = join(dir, 'empty.avi');
    generate(['-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48', '-frames:v', '0', '-c:v', 'mpeg4', empty]);
    await rejectsWith(decodeSampledFrames({ videoPath: empty, ffmpegPath, numSeg: 3 }), 'E_VIDEO_EMPTY');
  });

  test('no ffmpeg at the given path: E_FFMPEG_MISSING', async () => {
    await rejectsWith(
      decodeSampledFrames({
        videoPath: reference('example.avi'),
        ffmpegPath: join(dir, 'no-such-ffmpeg'),
        numSeg: 3,
      }),
      'E_FFMPEG_MISSING',
    );
  });
});

describe('runFfmpeg leaves no process behind', () => {
  const endless = (marker: string): string[] => [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=s=64x64',
    '-metadata',
    `comment=${marker}`,
    '-f',
    'rawvideo',
    'pipe:1',
  ];

  test('a consumer that throws kills ffmpeg before the promise settles', async () => {
    const marker = `tsn-consumer-throws-${process.pid}-${Date.now()}`;
    const boom = new Error('consumer failed');
    await assert.rejects(
      runFfmpeg(ffmpegPath, endless(marker), () => {
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.deepEqual(processesMentioning(marker), []);
  });

  test('abort kills ffmpeg before the promise settles', async () => {
    const marker = `tsn-abort-${process.pid}-${Date.now()}`;
    const controller = new AbortController();
    let chunks = 0;
    await assert.rejects(
      runFfmpeg(
        ffmpegPath,
        endless(marker),
        () => {
          chunks++;
          if (chunks === 1) {
            assert.equal(processesMentioning(marker).length, 1, 'ffmpeg runs while streaming');
            controller.abort(new Error('stop'));
          }
        },
        controller.signal,
      ),
      /stop/,
    );
    assert.deepEqual(processesMentioning(marker), []);
  });
});
