import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ivfFileHeader, ivfFrame } from '../../../src/sources/webrtc/ivf.js';
import { buildWhipIngestArgs } from '../../../src/sources/webrtc/whip-ingest-args.js';
import { parseFfmpegCapabilities } from '../../../src/sources/ffmpeg-capabilities.js';
import { defaultOutput } from '../../../src/sources/options.js';
import { buildEncoderArgs } from '../../../simulators/whip-publisher/encoder-args.js';

describe('IVF writer', () => {
  test('file header: DKIF, 32 bytes, fourcc, 90 kHz time base', () => {
    const h = ivfFileHeader('h264', 640, 480);
    assert.equal(h.length, 32);
    assert.equal(h.toString('ascii', 0, 4), 'DKIF');
    assert.equal(h.readUInt16LE(6), 32);
    assert.equal(h.toString('ascii', 8, 12), 'H264');
    assert.equal(h.readUInt16LE(12), 640);
    assert.equal(h.readUInt16LE(14), 480);
    assert.equal(h.readUInt32LE(16), 90_000);
    assert.equal(h.readUInt32LE(20), 1);
    assert.equal(ivfFileHeader('vp8').toString('ascii', 8, 12), 'VP80');
  });

  test('frame: size u32le, pts u64le, then the data', () => {
    const f = ivfFrame(Buffer.from([1, 2, 3]), 2 ** 33 + 5);
    assert.equal(f.readUInt32LE(0), 3);
    assert.equal(f.readBigUInt64LE(4), BigInt(2 ** 33 + 5));
    assert.deepEqual([...f.subarray(12)], [1, 2, 3]);
    assert.throws(() => ivfFrame(Buffer.alloc(1), -1), RangeError);
  });
});

describe('buildWhipIngestArgs (golden argv)', () => {
  const centerCrop224 =
    "scale=w='trunc(iw*max(256/min(iw,ih),max(224/iw,224/ih))+0.5)':h='trunc(ih*max(256/min(iw,ih),max(224/iw,224/ih))+0.5)':flags=bilinear," +
    "format=rgb24,crop=224:224:'floor((iw-224)/2)':'floor((ih-224)/2)'";

  test('IVF on stdin, same filter graph and rawvideo output as the other sources', () => {
    assert.deepEqual(buildWhipIngestArgs({ sampleFps: 4, output: defaultOutput }), [
      ...['-hide_banner', '-nostats', '-loglevel', 'level+warning'],
      ...['-probesize', '32', '-analyzeduration', '0'],
      ...['-fflags', '+discardcorrupt+nobuffer', '-flags', 'low_delay'],
      ...['-protocol_whitelist', 'pipe', '-f', 'ivf', '-i', 'pipe:0'],
      ...['-map', '0:v:0', '-an', '-sn', '-dn'],
      ...['-vf', `fps=4,${centerCrop224}`],
      ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ]);
  });

  test('scale geometry, fractional fps, ffmpeg 4 spells -vsync', () => {
    const args = buildWhipIngestArgs({
      sampleFps: 2.5,
      output: { width: 341, height: 256, mode: 'scale', shortSide: 256 },
      capabilities: parseFfmpegCapabilities('libavformat    58. 76.100 / 58. 76.100') ?? assert.fail(),
    });
    assert.equal(args[args.indexOf('-vf') + 1], 'fps=2.5,scale=341:256:flags=bilinear,format=rgb24');
    assert.deepEqual(args.slice(-7, -5), ['-vsync', 'passthrough']);
    assert.equal(args.includes('-nostdin'), false, 'stdin carries the video');
  });
});

describe('buildEncoderArgs (publisher, golden argv)', () => {
  test('h264: looped real-time file, baseline, no B-frames, 1 s GOP, AUDs, Annex B on stdout', () => {
    assert.deepEqual(buildEncoderArgs({ file: '/v/a.mp4', codec: 'h264', fps: 25 }), [
      ...[
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        'file:/v/a.mp4',
      ],
      ...['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', 'fps=25', '-pix_fmt', 'yuv420p'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
      ...['-bf', '0', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0'],
      ...['-x264-params', 'aud=1:repeat-headers=1', '-f', 'h264', 'pipe:1'],
    ]);
  });

  test('vp8: realtime libvpx in IVF, scaled, played once', () => {
    assert.deepEqual(buildEncoderArgs({ file: 'b.mp4', codec: 'vp8', fps: 15, height: 360, loop: false }), [
      ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-i', 'file:b.mp4'],
      ...['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', 'fps=15,scale=-2:360', '-pix_fmt', 'yuv420p'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M'],
      ...['-g', '15', '-keyint_min', '15', '-auto-alt-ref', '0', '-lag-in-frames', '0'],
      ...['-f', 'ivf', 'pipe:1'],
    ]);
  });
});
