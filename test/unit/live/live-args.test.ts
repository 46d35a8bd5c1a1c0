import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveViewArgs } from '../../../src/live/live-args.js';
import { buildIngestArgs } from '../../../src/sources/ingest-args.js';
import { defaultOutput } from '../../../src/sources/options.js';
import { resolveSourceUrl, type FfmpegTarget } from '../../../src/sources/registry.js';

const rtsp = { kind: 'rtsp', input: 'rtsp://u:p@cam/stream', protocolWhitelist: 'rtsp,rtp,udp,tcp' } as const;
const probe = ['-fflags', 'nobuffer', '-probesize', '32768', '-analyzeduration', '500000'];
const fmp4 = [
  ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '200000'],
  ...['-f', 'mp4', 'pipe:1'],
];

test('live view argv: RTSP H.264 passed through into fragmented MP4, whitelisted (golden)', () => {
  assert.deepEqual(liveViewArgs({ source: rtsp, mode: 'copy' }), [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-protocol_whitelist', 'rtsp,rtp,udp,tcp', '-rtsp_transport', 'tcp', ...probe],
    ...['-i', 'rtsp://u:p@cam/stream', '-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-c:v', 'copy'],
    ...fmp4,
  ]);
});

test('live view argv: a looped file through file:, transcoded at a given height (golden)', () => {
  const file = { kind: 'file', input: '/clips/a:b.mp4', protocolWhitelist: 'file' } as const;
  assert.deepEqual(liveViewArgs({ source: file, mode: 'transcode', height: 720, fps: 10, loopFile: true }), [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-protocol_whitelist', 'file', '-re', '-stream_loop', '-1', ...probe],
    ...['-i', 'file:/clips/a:b.mp4', '-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', 'fps=10,scale=-2:720,format=yuv420p'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-profile:v', 'baseline', '-g', '10', '-keyint_min', '10', '-bf', '0'],
    ...['-maxrate', '6000k', '-bufsize', '6000k'],
    ...fmp4,
  ]);
});

test('live view argv: an HTTP(S)/HLS camera is read as it comes (no -re), with the http whitelist (golden)', () => {
  const hls = resolveSourceUrl('https://cam.example/live/index.m3u8') as FfmpegTarget;
  assert.deepEqual(liveViewArgs({ source: hls, mode: 'copy' }), [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-protocol_whitelist', 'http,https,tcp,tls,crypto', ...probe],
    ...['-i', 'https://cam.example/live/index.m3u8', '-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-c:v', 'copy'],
    ...fmp4,
  ]);
});

test('live view and recognition ingest open every source-table kind with the same whitelist and target', () => {
  for (const url of ['rtsp://cam/a', 'rtsps://cam/a', 'http://cam/a.ts', 'https://cam/a.m3u8']) {
    const target = resolveSourceUrl(url) as FfmpegTarget;
    const live = liveViewArgs({ source: target, mode: 'copy' });
    const ingest = buildIngestArgs({
      kind: target.kind,
      input: target.input,
      protocolWhitelist: target.protocolWhitelist,
      sampleFps: 4,
      output: defaultOutput,
      rtspTransport: 'tcp',
      hwaccel: 'none',
      ioTimeoutMs: 5000,
      loop: false,
      realtime: false,
    });
    const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(after(live, '-protocol_whitelist'), after(ingest, '-protocol_whitelist'), url);
    assert.equal(after(live, '-i'), after(ingest, '-i'), url);
    assert.ok(live.indexOf('-protocol_whitelist') < live.indexOf('-i'), `${url}: whitelist before -i`);
  }
});

test('live view argv: UDP transport when asked; a hostile URL stays one argument', () => {
  const source = { ...rtsp, input: 'rtsp://cam/x; rm -rf /' };
  const args = liveViewArgs({ source, mode: 'copy', rtspTransport: 'udp' });
  assert.equal(args[args.indexOf('-rtsp_transport') + 1], 'udp');
  assert.equal(args[args.indexOf('-i') + 1], 'rtsp://cam/x; rm -rf /');
});
