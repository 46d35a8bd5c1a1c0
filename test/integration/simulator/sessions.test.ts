import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { ffmpegChildren, ffmpegPath, makeTestClip, type TestClip } from './helpers.js';
import { RawRtspClient } from './raw-client.js';
import { parseRtpHeader } from '../../../simulators/rtsp-camera/rtp/rtp-header.js';
import { waitFor } from '../../helpers/wait.js';

// Session lifecycle with short timeouts: UDP session expiry, sender reports, PAUSE, slow start, idle encoders.
describe('rtsp simulator sessions', () => {
  let clip: TestClip;
  let sim: RtspSimulator;

  before(async () => {
    clip = await makeTestClip(2);
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      sessionTimeoutMs: 1_000,
      idleStopMs: 300,
      senderReportIntervalMs: 200,
      cameras: [
        { name: 'cam', file: clip.file },
        { name: 'slow', file: clip.file, faults: { slowStartMs: 800 } },
      ],
    });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  test('UDP: RTP and RTCP sender reports reach the client ports; a silent client times out', async () => {
    const rtp = await bindUdp();
    const rtcp = await bindUdp();
    const client = await RawRtspClient.connect(sim.port);
    const rtpPackets: Buffer[] = [];
    const reports: Buffer[] = [];
    rtp.socket.on('message', (m) => rtpPackets.push(m));
    rtcp.socket.on('message', (m) => reports.push(m));
    try {
      const describe = await client.request('DESCRIBE', sim.url('cam'));
      assert.equal(describe.status, 200);
      assert.match(describe.body, /a=rtpmap:96 H264\/90000/);
      const setup = await client.request('SETUP', `${sim.url('cam')}/trackID=0`, {
        Transport: `RTP/AVP;unicast;client_port=${rtp.port}-${rtcp.port}`,
      });
      assert.equal(setup.status, 200);
      const serverPorts = /server_port=(\d+)-(\d+)/.exec(setup.headers.get('transport') ?? '');
      assert.ok(serverPorts, 'SETUP answers server_port');
      const session = setup.headers.get('session')!.split(';')[0]!;
      // Like a real client, send receiver reports while waiting for media: the 1 s session timeout is
      // shorter than the lazily started encoder may take to reach its first keyframe.
      const receiverReport = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
      const keepAlive = setInterval(
        () => rtcp.socket.send(receiverReport, Number(serverPorts[2]), '127.0.0.1'),
        200,
      );
      try {
        const play = await client.request('PLAY', sim.url('cam'), { Session: session });
        assert.equal(play.status, 200);
        assert.match(play.headers.get('rtp-info') ?? '', /seq=\d+;rtptime=\d+/);
        await waitFor('RTP over UDP', () => rtpPackets.length > 10);
        await waitFor('an RTCP sender report', () => reports.some((r) => r[1] === 200));
      } finally {
        clearInterval(keepAlive);
      }
      assert.equal(parseRtpHeader(rtpPackets[0]!)?.payloadType, 96);
      // No receiver reports or keepalives from now on: the session must expire and the packets stop.
      await waitFor('the session to expire', stopsGrowing(rtpPackets, 500), 8_000);
      const keepalive = await client.request('GET_PARAMETER', sim.url('cam'), { Session: session });
      assert.equal(keepalive.status, 454, 'a keepalive on an expired session says so');
      const teardown = await client.request('TEARDOWN', sim.url('cam'), { Session: session });
      assert.equal(teardown.status, 454, 'the expired session is gone');
    } finally {
      client.close();
      rtp.socket.close();
      rtcp.socket.close();
    }
  });

  test('PAUSE stops the packets and PLAY resumes them on the same session', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      const session = await client.play(sim.url('cam'));
      await waitFor('media', () => client.packetCount() > 10);
      assert.equal((await client.request('PAUSE', sim.url('cam'), { Session: session })).status, 200);
      await waitFor('packets to stop', stopsGrowing(client.packets, 500));
      const paused = client.packetCount();
      assert.equal((await client.request('PLAY', sim.url('cam'), { Session: session })).status, 200);
      await waitFor('packets after resume', () => client.packetCount() > paused + 10);
      assert.ok(
        client.packets.some((p) => p.channel === 1 && p.data[1] === 200),
        'sender reports interleaved',
      );
    } finally {
      client.close();
    }
  });

  test('slowStartMs delays DESCRIBE', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      const started = Date.now();
      const response = await client.request('DESCRIBE', sim.url('slow'));
      assert.equal(response.status, 200);
      assert.ok(Date.now() - started >= 800, 'answered before the slow start elapsed');
    } finally {
      client.close();
    }
  });

  test('encoders stop when nobody watches', async () => {
    const client = await RawRtspClient.connect(sim.port);
    await client.play(sim.url('cam'));
    await waitFor('media', () => client.packetCount() > 0);
    assert.ok((await ffmpegChildren()).length > 0);
    client.close();
    await waitFor('the encoders to stop', async () => (await ffmpegChildren()).length === 0);
  });
});

// A condition for waitFor: true once the array has not grown for quietMs.
function stopsGrowing(items: readonly unknown[], quietMs: number): () => boolean {
  let length = items.length;
  let changedAtMs = Date.now();
  return () => {
    if (items.length !== length) {
      length = items.length;
      changedAtMs = Date.now();
    }
    return Date.now() - changedAtMs >= quietMs;
  };
}

async function bindUdp(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port };
}
