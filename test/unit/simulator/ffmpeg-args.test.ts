import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clipArgs,
  encoderArgs,
  parseProbeOutput,
  probeArgs,
  passthroughArgs,
  canPassThrough,
} from '../../../simulators/rtsp-camera/media/ffmpeg-args.js';
import { sliceType } from '../../../simulators/rtsp-camera/media/slice-type.js';

test('encoder argv (golden)', () => {
  assert.deepEqual(encoderArgs({ file: '/clips/lobby.mp4', frameRate: { num: 25, den: 1 } }), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    '/clips/lobby.mp4',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    'fps=25/1,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-bf',
    '0',
    '-x264-params',
    'repeat-headers=1',
    '-f',
    'h264',
    '-',
  ]);
});

test('encoder argv scales on a resolution change and rounds the GOP of NTSC rates', () => {
  const args = encoderArgs({
    file: 'a file with spaces.mkv',
    frameRate: { num: 30000, den: 1001 },
    size: { width: 640, height: 360 },
  });
  assert.equal(args[args.indexOf('-i') + 1], 'a file with spaces.mkv');
  assert.equal(args[args.indexOf('-vf') + 1], 'fps=30000/1001,scale=640:360,format=yuv420p');
  assert.equal(args[args.indexOf('-g') + 1], '30');
});

test('clip argv (golden)', () => {
  assert.deepEqual(
    clipArgs({ out: '/tmp/x.mp4', width: 320, height: 240, fps: 25, seconds: 3, pattern: 'testsrc2' }),
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-t',
      '3',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '25',
      '-bf',
      '0',
      '-an',
      '-f',
      'mp4',
      '/tmp/x.mp4',
    ],
  );
});

test('probe argv (golden)', () => {
  assert.deepEqual(probeArgs('/v.mp4'), ['-hide_banner', '-nostdin', '-i', '/v.mp4']);
});

test('probe output: size and frame rate of the first video stream', () => {
  const stderr = [
    "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':",
    '  Duration: 00:00:03.00, start: 0.000000, bitrate: 97 kb/s',
    '  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 2 kb/s (default)',
    '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], 93 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)',
    'At least one output file must be specified',
  ].join('\n');
  assert.deepEqual(parseProbeOutput(stderr), {
    codec: 'h264',
    width: 320,
    height: 240,
    frameRate: { num: 30000, den: 1001 },
  });
  assert.deepEqual(parseProbeOutput('  Stream #0:0: Video: mpeg4, yuv420p, 640x480, 25 tbr, 25 tbn\n'), {
    codec: 'mpeg4',
    width: 640,
    height: 480,
    frameRate: { num: 25, den: 1 },
  });
  assert.equal(parseProbeOutput('  Stream #0:0: Audio: aac, 48000 Hz\n'), undefined);
});

test("passthrough argv (golden): the file's H.264 copied to Annex B, looped in real time", () => {
  assert.deepEqual(passthroughArgs('/clips/lobby.mp4'), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    '/clips/lobby.mp4',
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-c:v',
    'copy',
    '-f',
    'h264',
    '-',
  ]);
});

test('only H.264 at its own size passes through; other codecs and resolution faults re-encode', () => {
  assert.equal(canPassThrough({ codec: 'h264' }, undefined), true);
  assert.equal(canPassThrough({ codec: 'hevc' }, undefined), false);
  assert.equal(canPassThrough({ codec: 'mpeg4' }, undefined), false);
  assert.equal(canPassThrough({ codec: 'h264' }, { width: 640, height: 360 }), false);
});

test('slice_type from the slice header (first_mb_in_slice, slice_type as Exp-Golomb)', () => {
  // NAL header, then bits: first_mb 0 -> "1", slice_type 7 (I) -> "0001000", 5 (P) -> "00110", 6 (B) -> "00111".
  assert.equal(sliceType(Buffer.from([0x65, 0b10001000, 0])), 7);
  assert.equal(sliceType(Buffer.from([0x41, 0b10011000])), 5);
  assert.equal(sliceType(Buffer.from([0x41, 0b10011100])), 6);
  // first_mb 3 -> "00100", then slice_type 1 (B) -> "010".
  assert.equal(sliceType(Buffer.from([0x01, 0b00100010])), 1);
  assert.equal(sliceType(Buffer.from([0x67, 0xff])), undefined);
});
