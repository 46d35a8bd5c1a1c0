import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSdp } from '../../../simulators/rtsp-camera/rtsp/sdp.js';

test('SDP for one H.264 track (golden)', () => {
  const sps = Buffer.from('6742c01e8c8d40a0fd0078402214', 'hex');
  const pps = Buffer.from('68ce3c80', 'hex');
  const sdp = buildSdp({
    sessionId: '1700000000000',
    host: '127.0.0.1',
    cameraName: 'lobby',
    sps,
    pps,
    payloadType: 96,
    trackControl: 'trackID=0',
    fps: 25,
  });
  assert.equal(
    sdp,
    [
      'v=0',
      'o=- 1700000000000 1 IN IP4 127.0.0.1',
      's=lobby',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'a=tool:tsn-simulate',
      'a=control:*',
      'a=range:npt=0-',
      'm=video 0 RTP/AVP 96',
      'a=rtpmap:96 H264/90000',
      'a=fmtp:96 packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHoyNQKD9AHhAIhQ=,aM48gA==',
      'a=framerate:25',
      'a=control:trackID=0',
      '',
    ].join('\r\n'),
  );
});
