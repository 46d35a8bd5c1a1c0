import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { makeTestClip, probeStream, ffmpegPath, gstPlays, type TestClip } from './helpers.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { RawRtspClient } from './raw-client.js';

const credentials = { username: 'admin', password: 'p4ss-word' };

describe('rtsp simulator authentication and paths', { concurrency: true }, () => {
  let clip: TestClip;
  let sim: RtspSimulator;

  before(async () => {
    clip = await makeTestClip();
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      cameras: [
        { name: 'basic', file: clip.file, auth: { ...credentials, scheme: 'basic' } },
        { name: 'digest', file: clip.file, auth: { ...credentials, scheme: 'digest' } },
      ],
    });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  for (const scheme of ['basic', 'digest'] as const) {
    test(`${scheme}: right credentials play`, async () => {
      const probed = await probeStream(sim.url(scheme, credentials), 'tcp');
      assert.deepEqual(probed, { codec: 'h264', width: 320, height: 240 });
    });

    test(`${scheme}: wrong credentials get 401`, async () => {
      const probed = await probeStream(sim.url(scheme, { username: 'admin', password: 'wrong' }), 'tcp');
      assert.ok('stderr' in probed, 'ffprobe must fail');
      assert.notEqual(probed.code, 0);
      assert.match(probed.stderr, /401|Unauthorized/i);
    });

    test(`${scheme}: a request without credentials gets a ${scheme} challenge`, async () => {
      const client = await RawRtspClient.connect(sim.port);
      try {
        const response = await client.request('DESCRIBE', sim.url(scheme));
        assert.equal(response.status, 401);
        const challenge = response.headers.get('www-authenticate') ?? '';
        assert.match(
          challenge,
          scheme === 'basic' ? /^Basic realm="/ : /^Digest realm="[^"]+", nonce="[0-9a-f]+"/,
        );
      } finally {
        client.close();
      }
    });
  }

  test('gstreamer rtspsrc plays the digest camera with user-id/user-pw', async (t) => {
    if (
      !needs(
        t,
        hasCommand('gst-launch-1.0', ['--version']),
        'gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav',
      )
    ) {
      return;
    }
    const login = (password: string): string[] => ['user-id=admin', `user-pw=${password}`];
    const right = await gstPlays(sim.url('digest'), 'tcp', login(credentials.password));
    assert.ok(right.played, right.stdout + right.stderr);
    const wrong = await gstPlays(sim.url('digest'), 'tcp', login('wrong'));
    assert.equal(wrong.played, false);
    assert.notEqual(wrong.code, 0);
  });

  test('an unknown path gets 404', async () => {
    const client = await RawRtspClient.connect(sim.port);
    try {
      const response = await client.request('DESCRIBE', sim.url('nobody'));
      assert.equal(response.status, 404);
    } finally {
      client.close();
    }
    const probed = await probeStream(sim.url('nobody'), 'tcp');
    assert.ok('stderr' in probed);
    assert.match(probed.stderr, /404|Not Found/i);
  });
});
