import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIngestArgs,
  buildRelayDecoderArgs,
  buildRelayDemuxArgs,
  maxSocketTimeoutMs,
  type IngestArgsOptions,
} from '../../../src/sources/ingest-args.js';
import { resolveSourceUrl } from '../../../src/sources/registry.js';
import { parseFfmpegCapabilities } from '../../../src/sources/ffmpeg-capabilities.js';
import { defaultOutput } from '../../../src/sources/options.js';

const base: IngestArgsOptions = {
  kind: 'rtsp',
  input: 'rtsp://admin:pw@10.0.0.5:554/stream1',
  protocolWhitelist: 'rtsp,rtp,udp,tcp',
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
      ...['-protocol_whitelist', 'rtsp,rtp,udp,tcp'],
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
    assert.deepEqual(args.slice(0, 13), [
      ...head,
      '-hwaccel',
      'cuda',
      '-hwaccel_device',
      '1',
      '-protocol_whitelist',
      'rtsp,rtp,udp,tcp',
      '-rtsp_transport',
      'udp',
    ]);
  });

  test("decode 'keyframes': the decoder skips all but keyframes (input option); a file's last one is kept", () => {
    assert.deepEqual(buildIngestArgs({ ...base, decode: 'keyframes' }), [
      ...head,
      ...['-protocol_whitelist', 'rtsp,rtp,udp,tcp'],
      ...['-rtsp_transport', 'tcp', '-timeout', '5000000', '-allowed_media_types', 'video'],
      ...['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'],
      ...['-threads', '1', '-skip_frame', 'nokey', '-i', 'rtsp://admin:pw@10.0.0.5:554/stream1'],
      ...mapVideo,
      ...['-vf', `fps=2:eof_action=pass,${centerCrop224}`],
      ...tail,
    ]);
    assert.deepEqual(buildIngestArgs({ ...base, decode: 'all' }), buildIngestArgs(base));
  });

  test("decode 'picked': a demuxer copying the video into MPEG-TS, and a decoder of stdin (golden)", () => {
    assert.deepEqual(buildRelayDemuxArgs({ ...base, decode: 'picked' }), [
      ...head,
      ...['-protocol_whitelist', 'rtsp,rtp,udp,tcp'],
      ...['-rtsp_transport', 'tcp', '-timeout', '5000000', '-allowed_media_types', 'video'],
      ...['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'],
      ...['-i', 'rtsp://admin:pw@10.0.0.5:554/stream1'],
      ...mapVideo,
      ...['-c:v', 'copy', '-f', 'mpegts', '-mpegts_start_pid', '256', '-flush_packets', '1', 'pipe:1'],
    ]);
    assert.deepEqual(buildRelayDecoderArgs({ ...base, decode: 'picked', hwaccel: 'cuda' }, 0.15), [
      ...head,
      ...['-hwaccel', 'cuda'],
      ...['-protocol_whitelist', 'pipe', '-f', 'mpegts', '-probesize', '32768', '-analyzeduration', '0'],
      ...['-threads', '1', '-i', 'pipe:0'],
      ...mapVideo,
      ...['-vf', `setpts=PTS+0.15/TB,fps=2,${centerCrop224}`],
      ...tail,
    ]);
  });

  test('vaapi without a device names only the hwaccel', () => {
    const args = buildIngestArgs({ ...base, hwaccel: 'vaapi' });
    assert.deepEqual(args.slice(5, 10), [
      '-hwaccel',
      'vaapi',
      '-protocol_whitelist',
      'rtsp,rtp,udp,tcp',
      '-rtsp_transport',
    ]);
  });

  test('file replay: real-time pacing, endless loop, file: protocol', () => {
    assert.deepEqual(
      buildIngestArgs({
        ...base,
        kind: 'file',
        input: '/clips/a:b.mp4',
        protocolWhitelist: 'file',
        loop: true,
        sampleFps: 4,
      }),
      [
        ...head,
        ...['-protocol_whitelist', 'file'],
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
    assert.deepEqual(args.slice(7, 13), [
      ...['-fflags', '+genpts+discardcorrupt', '-threads', '1'],
      ...['-i', 'file:/clips/x y.mp4'],
    ]);
  });

  test('http (hls) gets ffmpeg reconnect options and an I/O timeout', () => {
    const args = buildIngestArgs({
      ...base,
      kind: 'url',
      input: 'https://cdn/live.m3u8',
      protocolWhitelist: 'http,https,tcp,tls,crypto',
      ioTimeoutMs: 2_500,
    });
    assert.deepEqual(args.slice(5, args.indexOf('-i') + 2), [
      ...['-protocol_whitelist', 'http,https,tcp,tls,crypto'],
      ...['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '5'],
      ...['-rw_timeout', '2500000'],
      ...['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'],
      ...['-threads', '1', '-i', 'https://cdn/live.m3u8'],
    ]);
  });

  test('socket timeouts are capped at 30 s whatever the camera timeouts say (orphaned ffmpeg dies)', () => {
    assert.equal(maxSocketTimeoutMs, 30_000);
    const rtsp = buildIngestArgs({ ...base, ioTimeoutMs: 600_000 });
    assert.equal(rtsp[rtsp.indexOf('-timeout') + 1], '30000000');
    const http = buildIngestArgs({ ...base, kind: 'url', input: 'http://cam/x.m3u8', ioTimeoutMs: 2 ** 31 });
    assert.equal(http[http.indexOf('-rw_timeout') + 1], '30000000');
  });

  test('each scheme of the registry hands ffmpeg its own protocol whitelist (golden)', () => {
    const whitelist = (url: string): string => {
      const target = resolveSourceUrl(url);
      assert.ok(target.driver === 'ffmpeg');
      const args = buildIngestArgs({
        ...base,
        kind: target.kind,
        input: target.input,
        protocolWhitelist: target.protocolWhitelist,
      });
      const at = args.indexOf('-protocol_whitelist');
      assert.ok(at >= 0 && at < args.indexOf('-i'), 'an input option, before -i');
      return args[at + 1] ?? '';
    };
    assert.equal(whitelist('rtsp://cam/live'), 'rtsp,rtp,udp,tcp');
    assert.equal(whitelist('rtsps://cam/live'), 'rtsp,rtsps,rtp,udp,tcp,tls');
    assert.equal(whitelist('http://cdn/live.m3u8'), 'http,https,tcp,tls,crypto');
    assert.equal(whitelist('https://cdn/live.m3u8'), 'http,https,tcp,tls,crypto');
    assert.equal(whitelist('package.json'), 'file');
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
