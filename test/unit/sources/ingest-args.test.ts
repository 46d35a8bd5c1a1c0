import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIngestArgs, type IngestArgsOptions } from '../../../src/sources/ingest-args.js';
import { parseFfmpegCapabilities } from '../../../src/sources/ffmpeg-capabilities.js';
import { defaultOutput } from '../../../src/sources/options.js';

const base: IngestArgsOptions = {
  kind: 'rtsp',
  input: 'rtsp://admin:pw@10.0.0.5:554/stream1',
  sampleFps: 2,
  output: defaultOutput,
  rtspTransport: 'tcp',
  hwaccel: 'none',
  ioTimeoutMs: 5_000,
  loop: false,
  realtime: true,
};

const head = ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+warning'];
const centerCrop224 =
  "scale=w='trunc(iw*max(256/min(iw,ih),max(224/iw,224/ih))+0.5)':h='trunc(ih*max(256/min(iw,ih),max(224/iw,224/ih))+0.5)':flags=bilinear," +
  "format=rgb24,crop=224:224:'floor((iw-224)/2)':'floor((ih-224)/2)'";
const tail = ['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
const mapVideo = ['-map', '0:v:0', '-an', '-sn', '-dn'];

describe('buildIngestArgs (golden argv)', () => {
  test('rtsp over tcp, 2 fps, 224 center crop', () => {
    assert.deepEqual(buildIngestArgs(base), [
      ...head,
      ...['-rtsp_transport', 'tcp', '-timeout', '5000000', '-allowed_media_types', 'video'],
      ...['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'],
      ...['-threads', '1', '-i', 'rtsp://admin:pw@10.0.0.5:554/stream1'],
      ...mapVideo,
      ...['-vf', `fps=2,${centerCrop224}`],
      ...tail,
    ]);
  });

  test('rtsp over udp with CUDA decoding on device 1', () => {
    const args = buildIngestArgs({ ...base, rtspTransport: 'udp', hwaccel: 'cuda', hwaccelDevice: '1' });
    assert.deepEqual(args.slice(0, 11), [
      ...head,
      '-hwaccel',
      'cuda',
      '-hwaccel_device',
      '1',
      '-rtsp_transport',
      'udp',
    ]);
  });

  test('vaapi without a device names only the hwaccel', () => {
    const args = buildIngestArgs({ ...base, hwaccel: 'vaapi' });
    assert.deepEqual(args.slice(5, 8), ['-hwaccel', 'vaapi', '-rtsp_transport']);
  });

  test('file replay: real-time pacing, endless loop, file: protocol', () => {
    assert.deepEqual(
      buildIngestArgs({ ...base, kind: 'file', input: '/clips/a:b.mp4', loop: true, sampleFps: 4 }),
      [
        ...head,
        ...['-re', '-stream_loop', '-1', '-fflags', '+genpts+discardcorrupt'],
        ...['-threads', '1', '-i', 'file:/clips/a:b.mp4'],
        ...mapVideo,
        ...['-vf', `fps=4,${centerCrop224}`],
        ...tail,
      ],
    );
  });

  test('file once, as fast as it decodes, from a file:// URL', () => {
    const args = buildIngestArgs({
      ...base,
      kind: 'file',
      input: 'file:///clips/x%20y.mp4',
      realtime: false,
    });
    assert.deepEqual(args.slice(5, 11), [
      ...['-fflags', '+genpts+discardcorrupt', '-threads', '1'],
      ...['-i', 'file:/clips/x y.mp4'],
    ]);
  });

  test('http (hls) gets ffmpeg reconnect options and an I/O timeout', () => {
    const args = buildIngestArgs({
      ...base,
      kind: 'url',
      input: 'https://cdn/live.m3u8',
      ioTimeoutMs: 2_500,
    });
    assert.deepEqual(args.slice(5, args.indexOf('-i') + 2), [
      ...['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '5'],
      ...['-rw_timeout', '2500000'],
      ...['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'],
      ...['-threads', '1', '-i', 'https://cdn/live.m3u8'],
    ]);
  });

  test('other URLs (srt, rtmp) get no http-only options', () => {
    const args = buildIngestArgs({ ...base, kind: 'url', input: 'srt://10.0.0.9:9000' });
    assert.equal(args.includes('-reconnect'), false);
    assert.equal(args[args.indexOf('-rw_timeout') + 1], '5000000');
  });

  test("'scale' mode stretches to the configured size; fractional fps stays exact", () => {
    const args = buildIngestArgs({
      ...base,
      sampleFps: 2.5,
      output: { width: 341, height: 256, mode: 'scale', shortSide: 256 },
    });
    assert.equal(args[args.indexOf('-vf') + 1], 'fps=2.5,scale=341:256:flags=bilinear,format=rgb24');
  });

  test('ffmpeg 4 (libavformat 58) spells the rtsp I/O timeout -stimeout and the timing -vsync', () => {
    const caps = parseFfmpegCapabilities('ffmpeg version N-47683\nlibavformat    58. 24.101 / 58. 24.101\n');
    assert.ok(caps !== undefined);
    const args = buildIngestArgs({ ...base, capabilities: caps });
    assert.equal(args[args.indexOf('-stimeout') + 1], '5000000');
    assert.equal(args.includes('-timeout'), false);
    assert.deepEqual(args.slice(-7, -5), ['-vsync', 'passthrough']);
  });
});
