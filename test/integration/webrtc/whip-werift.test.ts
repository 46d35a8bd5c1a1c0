// The werift WHIP publisher against the WHIP routes and WHIP camera sources: real WebRTC over loopback,
// real ffmpeg encoders and decoders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isTsnError } from '../../../src/errors/index.js';
import { startWhipPublisher, type WhipPublisher } from '../../../simulators/whip-publisher/index.js';
import { clip, ffmpegChildren, ffmpegPath, startWhipServer, udpSockets, waitForStatus } from './helpers.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait.js';

const cliPath = join(repoRoot, 'dist', 'simulators', 'whip-publisher', 'cli.js');

type Server = Awaited<ReturnType<typeof startWhipServer>>;

const publish = (server: Server, id: string, extra: Partial<Parameters<typeof startWhipPublisher>[0]> = {}) =>
  startWhipPublisher({ url: server.endpoint(id), file: clip, ffmpegPath, fps: 15, ...extra });

async function publishRejected(promise: Promise<WhipPublisher>): Promise<{ status: unknown; code: unknown }> {
  try {
    const unexpected = await promise;
    await unexpected.close();
  } catch (error) {
    assert.ok(isTsnError(error, 'E_WHIP_PUBLISH'), String(error));
    return { status: error.context.status, code: error.context.code };
  }
  return assert.fail('the publish was accepted');
}

describe('WHIP ingest with the werift publisher', () => {
  let udpBefore = 0;
  let server: Server;

  before(async () => {
    udpBefore = udpSockets();
    server = await startWhipServer(
      ['h264cam', 'vp8cam', 'dropcam', 'busycam', 'gonecam', 'clicam', 'losscam'],
      {
        stallTimeoutMs: 2_000,
      },
    );
  });

  after(async () => {
    await server.close();
    await waitFor('no ffmpeg left', () => ffmpegChildren().length === 0, 5_000);
    assert.equal(udpSockets(), udpBefore, 'every ICE socket was closed');
  });

  for (const codec of ['h264', 'vp8'] as const) {
    test(`${codec}: frames flow; DELETE stops the decoder and the camera waits; a new publisher resumes it`, async () => {
      const camera = server.camera(`${codec}cam`);
      const first = await publish(server, `${codec}cam`, { codec });
      assert.match(first.location, new RegExp(`/v1/whip/${codec}cam/sessions/[0-9a-f-]{36}$`));
      await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
      await waitFor('5 frames', () => camera.frames.length >= 5, 20_000);
      const frame = camera.frames.at(-1)!;
      assert.equal(frame.rgb.length, 224 * 224 * 3);
      assert.ok(
        camera.frames.some((f) => f.rgb.some((v) => v > 0)),
        'pictures are not blank',
      );
      const decoder = camera.source.stats().pid;
      assert.ok(decoder !== undefined);

      await first.close();
      assert.deepEqual(
        {
          state: camera.status?.state,
          attempt: camera.status?.state === 'connecting' && camera.status.attempt,
        },
        { state: 'connecting', attempt: 2 },
      );
      assert.equal(camera.source.stats().pid, undefined);
      await waitFor('the decoder to exit', () => !ffmpegChildren().includes(decoder), 5_000);

      const framesBefore = camera.frames.length;
      const lastPts = camera.frames.at(-1)!.ptsMs;
      const second = await publish(server, `${codec}cam`, { codec: codec === 'h264' ? 'vp8' : 'h264' });
      await waitFor('frames after reconnecting', () => camera.frames.length >= framesBefore + 3, 20_000);
      assert.ok(camera.frames[framesBefore]!.ptsMs > lastPts, 'the stream clock continues across publishers');
      await second.close();
    });
  }

  test('abrupt disconnect (no DELETE): the camera leaves streaming with a fault, then a new publisher (offering audio too) resumes', async () => {
    const camera = server.camera('dropcam');
    const first = await publish(server, 'dropcam');
    await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    await first.drop();
    const lost = await waitForStatus(camera.source.status$, (s) => s.state === 'backoff', 10_000, 'backoff');
    assert.ok(
      lost.state === 'backoff' && ['exited', 'stalled'].includes(lost.error.kind),
      JSON.stringify(lost),
    );
    assert.equal(camera.source.stats().pid, undefined, 'the decoder was stopped');
    const framesBefore = camera.frames.length;
    const second = await publish(server, 'dropcam', { offerAudio: true });
    await waitFor('frames after reconnecting', () => camera.frames.length >= framesBefore + 3, 20_000);
    assert.equal(camera.status?.state, 'streaming');
    await second.close();
  });

  test('packet loss: the camera asks for keyframes (PLI) and keeps streaming', async () => {
    const camera = server.camera('losscam');
    const publisher = await publish(server, 'losscam', { dropEveryNthPacket: 40 });
    await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    await waitFor('losses to be seen', () => camera.source.stats().packetsLost >= 3, 20_000);
    const framesBefore = camera.frames.length;
    await waitFor('frames despite the loss', () => camera.frames.length >= framesBefore + 10, 20_000);
    const stats = camera.source.stats();
    assert.ok(stats.keyframeRequests > 0 && stats.encodedFramesDropped > 0, JSON.stringify(stats));
    assert.ok(publisher.stats().keyframeRequests > 0, 'the publisher received PLIs');
    assert.equal(camera.status?.state, 'streaming');
    await publisher.close();
  });

  test('one publisher per camera: a second gets 409 E_WHIP_BUSY; ?replace=1 takes over', async () => {
    const camera = server.camera('busycam');
    const first = await publish(server, 'busycam');
    assert.deepEqual(await publishRejected(publish(server, 'busycam')), { status: 409, code: 'E_WHIP_BUSY' });
    const second = await publish(server, 'busycam', { replace: true, codec: 'vp8' });
    await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    const stale = await fetch(first.location, { method: 'DELETE' });
    assert.equal(stale.status, 404, 'the replaced session is gone');
    await first.drop();
    await second.close();
  });

  test('the CLI publishes until SIGINT, then DELETEs its session and exits 0', async () => {
    const camera = server.camera('clicam');
    const cli = spawn(
      process.execPath,
      [cliPath, '--url', server.endpoint('clicam'), '--file', clip, '--codec', 'vp8', '--fps', '15'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stdout.on('data', (c: Buffer) => (output += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('close', (code) => resolve(code)));
    await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    assert.match(output, /publishing .* as http:\/\/127\.0\.0\.1:\d+\/v1\/whip\/clicam\/sessions\//);
    cli.kill('SIGINT');
    assert.equal(await exited, 0, output);
    assert.equal(camera.status?.state, 'connecting', 'the session was ended with DELETE');
  });

  test('the camera is removed while publishing: stopped, decoder gone, further offers 404', async () => {
    const camera = server.camera('gonecam');
    const publisher = await publish(server, 'gonecam');
    await waitForStatus(camera.source.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    const decoder = camera.source.stats().pid;
    await camera.source.close();
    assert.equal(camera.status?.state, 'stopped');
    assert.ok(decoder !== undefined && !ffmpegChildren().includes(decoder), 'the decoder was stopped');
    assert.equal(server.hub.has('gonecam'), false);
    assert.deepEqual(await publishRejected(publish(server, 'gonecam')), {
      status: 404,
      code: 'E_WHIP_NOT_FOUND',
    });
    await publisher.drop();
  });
});

describe('WHIP request errors', () => {
  let server: Server;
  const offer = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body });

  before(async () => {
    server = await startWhipServer(['cam1'], { token: 's3cret' });
  });
  after(() => server.close());

  test('no token: 401 with WWW-Authenticate; a wrong one: 403; with it the publisher gets in', async () => {
    const missing = await offer(server.endpoint('cam1'), 'v=0\r\n');
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'E_API_UNAUTHORIZED');
    const wrong = await offer(server.endpoint('cam1'), 'v=0\r\n', { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 403);
    assert.deepEqual(await publishRejected(publish(server, 'cam1')), {
      status: 401,
      code: 'E_API_UNAUTHORIZED',
    });
    const publisher = await publish(server, 'cam1', { token: 's3cret' });
    const noTokenDelete = await fetch(publisher.location, { method: 'DELETE' });
    assert.equal(noTokenDelete.status, 401, 'DELETE needs the token too');
    await publisher.close();
  });

  test('bad SDP: 400 E_WHIP_SDP saying what is wrong; wrong content type 415; unknown camera 404', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    const notSdp = await offer(server.endpoint('cam1'), '{"hello": 1}', auth);
    assert.equal(notSdp.status, 400);
    const body = (await notSdp.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'E_WHIP_SDP');
    assert.match(body.error.message, /not an SDP offer/);
    const audioOnly =
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n';
    const noVideo = await offer(server.endpoint('cam1'), audioOnly, auth);
    assert.equal(noVideo.status, 400);
    assert.match(
      ((await noVideo.json()) as { error: { message: string } }).error.message,
      /no \(enabled\) video m-line/,
    );
    const text = await fetch(server.endpoint('cam1'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...auth },
      body: 'v=0',
    });
    assert.equal(text.status, 415);
    const unknown = await offer(server.endpoint('nocam'), 'v=0\r\n', auth);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'E_WHIP_NOT_FOUND');
  });

  test('PATCH (trickle ICE) is 405; DELETE of an unknown session 404; OPTIONS advertises application/sdp', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    const session = `${server.endpoint('cam1')}/sessions/00000000-0000-0000-0000-000000000000`;
    const patch = await fetch(session, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', ...auth },
      body: 'a=ice-ufrag:x\r\n',
    });
    assert.equal(patch.status, 405);
    assert.equal((await fetch(session, { method: 'DELETE', headers: auth })).status, 404);
    const options = await fetch(server.endpoint('cam1'), { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('accept-post'), 'application/sdp');
  });
});
