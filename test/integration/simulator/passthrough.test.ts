import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { ffmpegChildren, ffmpegPath, pullFrames, run } from './helpers.js';

/** 3 s of 320x240 testsrc2, one keyframe per second, in the given codec settings. */
async function clip(dir: string, name: string, codec: readonly string[]): Promise<string> {
  const out = join(dir, name);
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '3'];
  const result = await run(ffmpegPath, ['-v', 'error', '-y', ...source, ...codec, '-g', '25', '-an', out]);
  assert.equal(result.code, 0, result.stderr);
  return out;
}

describe('rtsp simulator: H.264 passed through, everything else re-encoded', () => {
  let dir: string;
  let sim: RtspSimulator;
  const logs: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsn-sim-passthrough-'));
    const h264 = await clip(dir, 'plain.mp4', ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0']);
    const mpeg4 = await clip(dir, 'part2.mp4', ['-c:v', 'mpeg4']);
    const bframes = await clip(dir, 'bframes.mp4', ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2']);
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      logger: (line) => logs.push(line),
      cameras: [
        { name: 'copy-1', file: h264 },
        { name: 'copy-2', file: h264 },
        { name: 'copy-3', file: h264 },
        { name: 'mpeg4-1', file: mpeg4 },
        { name: 'mpeg4-2', file: mpeg4 },
        { name: 'bframes', file: bframes },
      ],
    });
  });
  after(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('every camera plays; three cameras of one H.264 file share one reader, MPEG-4 is encoded per camera', async () => {
    const names = ['copy-1', 'copy-2', 'copy-3', 'mpeg4-1', 'mpeg4-2', 'bframes'];
    const results = await Promise.all(names.map((name) => pullFrames(sim.url(name), 'tcp', 10)));
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${names[i]}: ${result.stderr}`);
      assert.equal(result.frames, 10, `${names[i]}: ${result.stderr}`);
    });
    const readers = logs.filter((l) => l.includes('passthrough reader pid'));
    assert.equal(readers.filter((l) => l.includes('plain.mp4')).length, 1, logs.join('\n'));
    for (const name of ['copy-1', 'copy-2', 'copy-3']) {
      assert.ok(
        logs.some((l) => l.startsWith(`camera ${name}: passing`)),
        `${name} passes through`,
      );
      assert.ok(!logs.some((l) => l.startsWith(`camera ${name}: encoder pid`)), `${name} never encodes`);
    }
    for (const name of ['mpeg4-1', 'mpeg4-2']) {
      assert.ok(
        logs.some((l) => l.startsWith(`camera ${name}: encoder pid`)),
        `${name} re-encodes`,
      );
    }
    // A B-frame file is found out at its first B slice and re-encoded from then on.
    assert.ok(
      logs.some((l) => l.includes('bframes.mp4: has B-frames')),
      logs.join('\n'),
    );
    assert.ok(logs.some((l) => l.startsWith('camera bframes: encoder pid')));
  });

  test('close() leaves no ffmpeg child behind', async () => {
    await sim.close();
    assert.deepEqual(await ffmpegChildren(), []);
  });
});
