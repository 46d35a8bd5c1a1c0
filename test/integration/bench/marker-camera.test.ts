// The delay bench's marker camera (bench/live/marker-camera.ts) with a real ffmpeg: every frame read back
// over its HTTP stream carries a readable stamp of the wall time it was made, and stamps increase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  markerCameraArgs,
  msSinceStamp,
  readBarcode,
  startMarkerCamera,
} from '../../../bench/live/marker-camera.js';
import { hasCommand, needs } from '../../helpers/tools.js';

const size = { width: 320, height: 180, fps: 25, kbps: 400, gopS: 1 };

test('marker camera argv: paced, stamped with the wall clock, camera-like H.264 in MPEG-TS (golden)', () => {
  const args = markerCameraArgs(size);
  const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
  assert.match(graph, /^testsrc2=size=320x180:rate=25,realtime,settb=1\/1000,setpts=RTCTIME\/1000,split/);
  assert.match(graph, /geq=lum='if\(between\(X,1,24\),255\*abs\(Y-mod\(floor\(mod\(floor\(T\*1000/);
  assert.match(graph, /scale=320:24:flags=neighbor/);
  assert.deepEqual(args.slice(args.indexOf('-c:v')), [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0'],
    ...['-g', '25', '-keyint_min', '25', '-b:v', '400k', '-maxrate', '400k', '-bufsize', '400k'],
    ...['-pix_fmt', 'yuv420p', '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0'],
    ...['-flush_packets', '1', 'pipe:1'],
  ]);
});

test('msSinceStamp: the latest time at or before now with those low 24 bits', () => {
  const now = 1_800_000_123_456;
  assert.equal(msSinceStamp(now, (now - 1234) % 2 ** 24), 1234);
  assert.equal(msSinceStamp(now, now % 2 ** 24), 0);
});

test('marker camera: frames read back over HTTP carry increasing stamps of when they were made', async (t) => {
  if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
  const startedMs = Date.now();
  const camera = await startMarkerCamera('ffmpeg', size);
  try {
    const frames = 20;
    const decode = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        camera.url,
        '-frames:v',
        String(frames),
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const chunks: Buffer[] = [];
    decode.stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await new Promise((r) => decode.once('exit', r));
    const endedMs = Date.now();
    assert.equal(code, 0);
    const raw = Buffer.concat(chunks);
    const frameBytes = size.width * size.height;
    assert.equal(raw.length, frames * frameBytes);
    const ages: number[] = [];
    for (let f = 0; f < frames; f++) {
      const luma = (x: number, y: number) => raw[f * frameBytes + y * size.width + x] ?? 0;
      const stamp = readBarcode(luma, size.width, size.height);
      assert.notEqual(stamp, undefined, `frame ${f}: barcode readable`);
      ages.push(msSinceStamp(endedMs, stamp!));
    }
    // Made after the camera started and before the last was decoded, in order.
    for (const age of ages) assert.ok(age >= 0 && age <= endedMs - startedMs, `age ${age} ms`);
    for (let i = 1; i < ages.length; i++) assert.ok(ages[i]! <= ages[i - 1]!, 'stamps never go back');
  } finally {
    await camera.close();
  }
});
