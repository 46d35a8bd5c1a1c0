import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { ffmpegPath, makeTestClip, probeStream, run, type TestClip } from './helpers.js';
import { RawRtspClient } from './raw-client.js';
import { parseRtpHeader } from '../../../simulators/rtsp-camera/rtp/rtp-header.js';
import { H264Depacketizer } from '../../../simulators/rtsp-camera/rtp/h264-depacketizer.js';
import { waitFor } from '../../helpers/wait.js';

const cameraNames = ['drop', 'stall', 'refuse', 'lossy', 'corrupt', 'resize', 'grow', 'clean'] as const;

describe('rtsp simulator faults', { concurrency: true }, () => {
  let clip: TestClip;
  let sim: RtspSimulator;
  const logs: string[] = [];

  before(async () => {
    clip = await makeTestClip();
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      logger: (line) => logs.push(line),
      cameras: cameraNames.map((name) => ({
        name,
        file: clip.file,
        ...(name === 'drop' ? { faults: { dropAfterMs: 1_500 } } : {}),
        ...(name === 'lossy' ? { faults: { packetLossPercent: 20, seed: 7 } } : {}),
        ...(name === 'corrupt' ? { faults: { corruptPercent: 50 } } : {}),
      })),
    });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  test('dropAfterMs closes the client connection after PLAY', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      await client.play(sim.url('drop'));
      await waitFor('first media packets', () => client.packetCount() > 0);
      await waitFor('the server to close the connection', () => client.closed);
    } finally {
      client.close();
    }
  });

  test('stall stops the packets but keeps the connection; clearing resumes them', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      const session = await client.play(sim.url('stall'));
      await waitFor('media packets', () => client.packetCount() > 20);
      sim.setFault('stall', { stall: true });
      let count = client.packetCount();
      let lastChangeMs = Date.now();
      await waitFor('packets to stop for 1 s', () => {
        if (client.packetCount() !== count) {
          count = client.packetCount();
          lastChangeMs = Date.now();
        }
        return Date.now() - lastChangeMs > 1_000;
      });
      assert.equal(client.closed, false);
      const keepalive = await client.request('GET_PARAMETER', sim.url('stall'), { Session: session });
      assert.equal(keepalive.status, 200);
      const stalledAt = client.packetCount();
      sim.clearFaults('stall');
      await waitFor('packets to flow again', () => client.packetCount() > stalledAt + 5);
    } finally {
      client.close();
    }
  });

  test('refuse answers 503 and ffprobe fails; clearing lets clients in again', async () => {
    sim.setFault('refuse', { refuse: true });
    const client = await RawRtspClient.connect(sim.port);
    try {
      const response = await client.request('DESCRIBE', sim.url('refuse'));
      assert.equal(response.status, 503);
    } finally {
      client.close();
    }
    const refused = await probeStream(sim.url('refuse'), 'tcp');
    assert.ok('stderr' in refused, 'ffprobe must fail while refused');
    sim.clearFaults('refuse');
    assert.deepEqual(await probeStream(sim.url('refuse'), 'tcp'), { codec: 'h264', width: 320, height: 240 });
  });

  test('packet loss leaves gaps in the RTP sequence numbers and the server keeps serving', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      await client.play(sim.url('lossy'));
      await waitFor('200 media packets', () => client.packetCount() >= 200);
    } finally {
      client.close();
    }
    const sequences = client.packets
      .filter((p) => p.channel === 0)
      .map((p) => parseRtpHeader(p.data)!.sequence);
    const lost = sequences
      .slice(1)
      .reduce((sum, seq, i) => sum + ((seq - sequences[i]! - 1 + 0x10000) & 0xffff), 0);
    const share = lost / (lost + sequences.length);
    assert.ok(share > 0.1 && share < 0.3, `lost share ${share}`);
    assert.deepEqual(await probeStream(sim.url('clean'), 'tcp'), { codec: 'h264', width: 320, height: 240 });
  });

  test('corruption reaches the decoder (ffmpeg reports errors) and the server keeps serving', async () => {
    const result = await run(ffmpegPath, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-rtsp_transport',
      'tcp',
      '-i',
      sim.url('corrupt'),
      '-frames:v',
      '25',
      '-f',
      'null',
      '-',
    ]);
    assert.equal(result.timedOut, false);
    assert.match(result.stderr, /\[h264 @ [^\]]+\] .*(error|out of range|invalid|concealing)/i);
    assert.deepEqual(await probeStream(sim.url('clean'), 'tcp'), { codec: 'h264', width: 320, height: 240 });
  });

  test('changeResolution sends new SPS in-band mid-session and new clients see the new size', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      await client.play(sim.url('resize'));
      await waitFor('an SPS', () => spsSet(client).size === 1);
      sim.setFault('resize', { changeResolution: { width: 160, height: 128 } });
      await waitFor('a second, different SPS on the same session', () => spsSet(client).size === 2);
      assert.equal(client.closed, false);
    } finally {
      client.close();
    }
    assert.deepEqual(await probeStream(sim.url('resize'), 'tcp'), { codec: 'h264', width: 160, height: 128 });
  });

  test('changeResolution after a delay: a playing ffmpeg decodes both sizes', async () => {
    // afterMs counts from the encoder's first picture; the client starts at the next IDR (<= 1 s later) and
    // its 150 frames (6 s) end well after the switch.
    sim.setFault('grow', { changeResolution: { width: 240, height: 176, afterMs: 3_000 } });
    const result = await run(
      ffmpegPath,
      ['-hide_banner', '-nostdin', '-rtsp_transport', 'tcp', '-i', sim.url('grow')].concat([
        '-frames:v',
        '150',
        '-vf',
        'showinfo',
        '-f',
        'null',
        '-',
      ]),
      30_000,
    );
    assert.equal(result.code, 0, result.stderr.slice(-2_000));
    const sizes = new Set([...result.stderr.matchAll(/ s:(\d+x\d+) /g)].map((m) => m[1]));
    assert.ok(sizes.has('320x240') && sizes.has('240x176'), `sizes seen: ${[...sizes].join(', ')}`);
  });

  test('garbage on a connection gets 400 or a close, and other clients keep playing', async () => {
    const watcher = await RawRtspClient.connect(sim.port);
    const garbage = await RawRtspClient.connect(sim.port);
    const binary = await RawRtspClient.connect(sim.port);
    try {
      await watcher.play(sim.url('clean'));
      await waitFor('media for the watcher', () => watcher.packetCount() > 0);
      garbage.writeRaw('HELLO THERE\r\n\r\n');
      const response = await garbage.nextResponse();
      assert.equal(response.status, 400);
      await waitFor('the garbage connection to close', () => garbage.closed);
      binary.writeRaw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0xff, 0xfe, 0x00, 0x00]));
      await waitFor('the binary connection to close', () => binary.closed);
      const before = watcher.packetCount();
      await waitFor('the watcher to keep receiving', () => watcher.packetCount() > before + 10);
      assert.equal(watcher.closed, false);
    } finally {
      watcher.close();
      garbage.close();
      binary.close();
    }
  });
});

function spsSet(client: RawRtspClient): Set<string> {
  const depacketizer = new H264Depacketizer();
  const sps = new Set<string>();
  for (const packet of client.packets) {
    if (packet.channel !== 0) continue;
    for (const nal of depacketizer.pushPacket(packet.data))
      if ((nal[0]! & 0x1f) === 7) sps.add(nal.toString('hex'));
  }
  return sps;
}
