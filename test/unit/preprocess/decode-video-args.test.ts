import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDecodeArgs,
  buildPacketCountArgs,
  buildProbeArgs,
  resizeFilter,
} from '../../../src/inference/decode-video-args.js';

describe('whole-file decode argv (golden)', () => {
  test('short side already 256: the reference command, no filter at all', () => {
    assert.deepEqual(
      buildDecodeArgs({
        videoPath: '/v/clip 340x256.mp4',
        source: { width: 340, height: 256 },
        target: { width: 340, height: 256 },
      }),
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-i',
        'file:/v/clip 340x256.mp4',
        '-map',
        '0:v:0',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
    );
  });

  test('resize: convert to rgb24 first, then scale in RGB', () => {
    assert.deepEqual(
      buildDecodeArgs({
        videoPath: '/v/example.avi',
        source: { width: 320, height: 240 },
        target: { width: 341, height: 256 },
      }),
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-i',
        'file:/v/example.avi',
        '-map',
        '0:v:0',
        '-vf',
        'format=rgb24,scale=341:256:flags=area',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
    );
    assert.equal(resizeFilter({ width: 455, height: 256 }), 'format=rgb24,scale=455:256:flags=area');
  });

  test('probe: first frame as PPM on stdout', () => {
    assert.deepEqual(buildProbeArgs('/v/a:b.mp4'), [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      'file:/v/a:b.mp4',
      '-map',
      '0:v:0',
      '-frames:v',
      '1',
      '-c:v',
      'ppm',
      '-f',
      'image2pipe',
      'pipe:1',
    ]);
  });

  test('packet count: demux only, progress on stdout', () => {
    assert.deepEqual(buildPacketCountArgs('/v/x.mp4'), [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-progress',
      'pipe:1',
      '-i',
      'file:/v/x.mp4',
      '-map',
      '0:v:0',
      '-c:v',
      'copy',
      '-copyinkf',
      '-f',
      'null',
      '-',
    ]);
  });
});
