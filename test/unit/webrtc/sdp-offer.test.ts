import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWhipOffer } from '../../../src/sources/webrtc/sdp-offer.js';
import { isTsnError } from '../../../src/errors/index.js';

const session = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0'];
const video = (rtpmaps: string[]) => [
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendonly',
  ...rtpmaps,
];
const sdp = (lines: string[]) => [...lines, ''].join('\r\n');

function rejects(text: string): void {
  assert.throws(
    () => checkWhipOffer(text, 'cam1'),
    (e: unknown) => isTsnError(e, 'E_WHIP_SDP'),
  );
}

describe('checkWhipOffer', () => {
  test('VP8 and H.264 packetization-mode 1 are accepted, in the offer order', () => {
    const offer = sdp([
      ...session,
      ...video([
        'a=rtpmap:96 VP8/90000',
        'a=rtpmap:97 H264/90000',
        'a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        'a=rtpmap:98 rtx/90000',
      ]),
    ]);
    assert.deepEqual(checkWhipOffer(offer, 'cam1'), { videoCodecs: ['vp8', 'h264'], hasAudio: false });
  });

  test('H.264 in packetization-mode 0 only is not enough', () => {
    rejects(sdp([...session, ...video(['a=rtpmap:97 H264/90000', 'a=fmtp:97 packetization-mode=0'])]));
  });

  test('not SDP, no video m-line, a disabled video m-line, VP9 only', () => {
    rejects('{"sdp": "v=0"}');
    rejects('');
    rejects(sdp([...session, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2']));
    rejects(sdp([...session, 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000']));
    rejects(sdp([...session, ...video(['a=rtpmap:98 VP9/90000'])]));
  });

  test('an audio m-line next to the video is fine (it is ignored)', () => {
    const offer = sdp([
      ...session,
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=rtpmap:111 opus/48000/2',
      ...video(['a=rtpmap:96 VP8/90000']),
    ]);
    assert.deepEqual(checkWhipOffer(offer, 'cam1'), { videoCodecs: ['vp8'], hasAudio: true });
  });
});
