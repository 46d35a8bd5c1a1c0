import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveViewArgs } from '../../../src/live/live-args.js';

test('live view argv: RTSP H.264 passed through into fragmented MP4 (golden)', () => {
  assert.deepEqual(liveViewArgs({ input: 'rtsp://u:p@cam/stream', mode: 'copy' }), [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-rtsp_transport', 'tcp'],
    ...[
      '-fflags',
      'nobuffer',
      '-probesize',
      '32768',
      '-analyzeduration',
      '500000',
      '-i',
      'rtsp://u:p@cam/stream',
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
    ],
    ...['-c:v', 'copy'],
    ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1'],
  ]);
});

test('live view argv: transcode to H.264 baseline at a given height, one keyframe per second (golden)', () => {
  assert.deepEqual(
    liveViewArgs({ input: '/clips/a.mp4', mode: 'transcode', height: 720, fps: 10, loopFile: true }),
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1'],
      ...[
        '-fflags',
        'nobuffer',
        '-probesize',
        '32768',
        '-analyzeduration',
        '500000',
        '-i',
        '/clips/a.mp4',
        '-map',
        '0:v:0',
        '-an',
        '-sn',
        '-dn',
      ],
      ...['-vf', 'fps=10,scale=-2:720,format=yuv420p'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
      ...['-profile:v', 'baseline', '-g', '10', '-keyint_min', '10', '-bf', '0'],
      ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1'],
    ],
  );
});

test('live view argv: UDP transport when asked; a hostile URL stays one argument', () => {
  const args = liveViewArgs({ input: 'rtsp://cam/x; rm -rf /', mode: 'copy', rtspTransport: 'udp' });
  assert.equal(args[args.indexOf('-rtsp_transport') + 1], 'udp');
  assert.equal(args[args.indexOf('-i') + 1], 'rtsp://cam/x; rm -rf /');
});
