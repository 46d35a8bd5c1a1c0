import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtspMessageReader } from '../../../simulators/rtsp-camera/rtsp/message-reader.js';
import {
  parseRequestTarget,
  parseTransport,
  sessionIdOf,
} from '../../../simulators/rtsp-camera/rtsp/headers.js';
import { formatResponse } from '../../../simulators/rtsp-camera/rtsp/response.js';
import { seededRandom } from '../../../simulators/rtsp-camera/faults.js';

test('the reader splits requests (with bodies) and interleaved frames fed byte by byte', () => {
  const input = Buffer.concat([
    Buffer.from('OPTIONS rtsp://h/cam RTSP/1.0\r\nCSeq: 1\r\n\r\n'),
    Buffer.from([0x24, 1, 0, 3, 9, 8, 7]),
    Buffer.from('SET_PARAMETER rtsp://h/cam RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nhello'),
  ]);
  const reader = new RtspMessageReader();
  const events = [...input].flatMap((byte) => reader.push(Buffer.from([byte])));
  assert.equal(events.length, 3);
  assert.deepEqual(
    events[0]?.kind === 'request' && [events[0].request.method, events[0].request.headers.get('cseq')],
    ['OPTIONS', '1'],
  );
  assert.deepEqual(events[1], { kind: 'interleaved', channel: 1, data: Buffer.from([9, 8, 7]) });
  assert.equal(events[2]?.kind === 'request' && events[2].request.body.toString(), 'hello');
});

test('garbage is reported as malformed, once, without waiting for a full header', () => {
  for (const garbage of ['HELLO THERE\r\n\r\n', 'GET / HTTP/1.1\r\n', '\x16\x03\x01\x00\xa5\x01']) {
    const reader = new RtspMessageReader();
    const events = reader.push(Buffer.from(garbage, 'latin1'));
    assert.equal(events.length, 1, JSON.stringify(garbage));
    assert.equal(events[0]?.kind, 'malformed');
    assert.deepEqual(reader.push(Buffer.from('OPTIONS * RTSP/1.0\r\n\r\n')), []);
  }
  const huge = new RtspMessageReader();
  assert.equal(
    huge.push(Buffer.from('OPTIONS * RTSP/1.0\r\nX: ' + 'a'.repeat(20_000)))[0]?.kind,
    'malformed',
  );
  const badLength = new RtspMessageReader();
  assert.equal(
    badLength.push(Buffer.from('OPTIONS * RTSP/1.0\r\nContent-Length: -1\r\n\r\n'))[0]?.kind,
    'malformed',
  );
});

test('request targets: camera name and track from absolute and relative URIs', () => {
  assert.deepEqual(parseRequestTarget('rtsp://127.0.0.1:8554/lobby'), {
    cameraName: 'lobby',
    track: undefined,
  });
  assert.deepEqual(parseRequestTarget('rtsp://u:p@host/lobby/trackID=0'), {
    cameraName: 'lobby',
    track: 'trackID=0',
  });
  assert.deepEqual(parseRequestTarget('/site%20a/cam1/?x=1'), {
    cameraName: 'site a/cam1',
    track: undefined,
  });
  assert.deepEqual(parseRequestTarget('*'), { cameraName: undefined, track: undefined });
  assert.deepEqual(parseRequestTarget('rtsp://[bad'), { cameraName: undefined, track: undefined });
});

test('transport: first supported alternative; TCP interleaved or UDP client ports', () => {
  assert.deepEqual(parseTransport('RTP/AVP/TCP;unicast;interleaved=2-3'), {
    kind: 'tcp',
    rtpChannel: 2,
    rtcpChannel: 3,
  });
  assert.deepEqual(parseTransport('RTP/AVP/TCP;unicast'), { kind: 'tcp', rtpChannel: 0, rtcpChannel: 1 });
  assert.deepEqual(parseTransport('RTP/AVP;multicast,RTP/AVP/UDP;unicast;client_port=5000-5001'), {
    kind: 'udp',
    rtpPort: 5000,
    rtcpPort: 5001,
  });
  assert.equal(parseTransport('RTP/AVP;unicast'), undefined);
  assert.equal(parseTransport('RAW/RAW/UDP;unicast;client_port=1-2'), undefined);
  assert.equal(parseTransport(undefined), undefined);
  assert.equal(sessionIdOf('abc123;timeout=60'), 'abc123');
  assert.equal(sessionIdOf(''), undefined);
});

test('responses echo CSeq and carry Content-Length for bodies', () => {
  const text = formatResponse({ status: 404 }, '7').toString();
  assert.equal(text, 'RTSP/1.0 404 Not Found\r\nCSeq: 7\r\nServer: tsn-simulate\r\n\r\n');
  const withBody = formatResponse(
    { status: 200, headers: [['Content-Type', 'application/sdp']], body: 'v=0\r\n' },
    '2',
  );
  assert.match(withBody.toString(), /Content-Type: application\/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n$/);
});

test('random bytes never make the reader throw', () => {
  const random = seededRandom(99);
  for (let round = 0; round < 300; round++) {
    const reader = new RtspMessageReader();
    const prefix = round % 3 === 0 ? 'DESCRIBE rtsp://h/x RTSP/1.0\r\n' : round % 3 === 1 ? '$' : '';
    const bytes = Buffer.concat([
      Buffer.from(prefix, 'latin1'),
      Buffer.from(Array.from({ length: Math.floor(random() * 400) }, () => Math.floor(random() * 256))),
    ]);
    for (let i = 0; i < bytes.length;) {
      const size = 1 + Math.floor(random() * 50);
      assert.doesNotThrow(() => reader.push(bytes.subarray(i, i + size)));
      i += size;
    }
  }
});
