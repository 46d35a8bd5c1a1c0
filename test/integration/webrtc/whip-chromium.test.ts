// Headless Chromium publishes its (fake) camera through the service's publish page; the frames go
// through the whole service: WHIP source -> segmenter -> batcher -> TSN (the fixture checkpoint) ->
// detector -> events, exactly as an RTSP camera's would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pino } from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { configSchema } from '../../../src/config/index.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { startService, type RunningService } from '../../../src/compose/start-service.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { chromiumArgs, chromiumPath, ffmpegChildren, makeY4m, tempDir, udpSockets } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

const checkpoint = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');

interface CameraJson {
  status: { state: string; attempt?: number };
  lastPrediction: { top: { label: string; score: number }[] } | null;
  counters: Record<string, number>;
}

describe('WHIP from headless Chromium through the service', () => {
  const dir = tempDir('tsn-whip-chromium-');
  let service: RunningService | undefined;
  let browser: BrowserContext | undefined;

  before(async () => {
    await convertCheckpoint({ checkpointPath: checkpoint, outDir: join(dir.path, 'model') });
  });

  after(async () => {
    await browser?.close();
    await service?.close();
    dir.remove();
  });

  const camera = async (): Promise<CameraJson> =>
    (await (await fetch(`${service!.url}/v1/cameras/webcam`)).json()) as CameraJson;

  async function publishFromPage(codec: 'VP8' | 'H264'): Promise<Page> {
    const page = await browser!.newPage();
    await page.goto(`${service!.url}/v1/whip/publish.html?camera=webcam&codec=${codec}&autostart=1`);
    await page.waitForFunction(
      () => {
        const state = (globalThis as unknown as { whipState: { state: string } }).whipState.state;
        return state === 'publishing' || state === 'error';
      },
      null,
      { timeout: 20_000 },
    );
    const state = await page.evaluate(() => (globalThis as unknown as { whipState: unknown }).whipState);
    assert.equal((state as { state: string }).state, 'publishing', JSON.stringify(state));
    return page;
  }

  test('publish page -> WHIP -> frames, predictions and events; Stop (DELETE) and a closed tab end the session', async (t) => {
    if (!needs(t, hasCommand(chromiumPath, ['--version']), 'chromium')) return;
    const config = configSchema.parse({
      server: { host: '127.0.0.1', port: 0 },
      model: { dir: join(dir.path, 'model'), download: false },
      backend: { threads: 1 },
      websocket: { enabled: false },
      cameras: [
        {
          id: 'webcam',
          url: 'whip://',
          sampleFps: 4,
          windowMs: 2000,
          stallTimeoutMs: 3000,
          // Low thresholds: any label of the 10-class fixture model starts an episode on the first window.
          detector: { smoothing: 1, onThreshold: 0.01, offThreshold: 0, minWindowsOn: 1 },
        },
      ],
      logLevel: 'silent',
    });
    const udpBefore = udpSockets();
    service = await startService(config, { logger: pino({ level: 'silent' }), ffmpegPath: 'ffmpeg' });
    await service.started;
    assert.equal((await camera()).status.state, 'connecting', 'a WHIP camera waits for its publisher');

    browser = await chromium.launchPersistentContext(join(dir.path, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs(makeY4m(join(dir.path, 'fake-camera.y4m'))),
    });

    const page = await publishFromPage('VP8');
    await waitFor('a prediction for webcam', async () => (await camera()).lastPrediction !== null, 30_000);
    const streaming = await camera();
    assert.equal(streaming.status.state, 'streaming');
    assert.ok((streaming.counters.sourceFrames ?? 0) > 0);
    const events = async () =>
      (
        (await (await fetch(`${service!.url}/v1/events/recent?camera=webcam`)).json()) as {
          events: unknown[];
        }
      ).events;
    await waitFor('an action event for webcam', async () => (await events()).length > 0, 15_000);
    const [event] = (await events()) as { camera: string; type: string }[];
    assert.equal(event?.camera, 'webcam');
    assert.equal(event?.type, 'action.started');

    await page.click('#stop');
    await waitFor('webcam waiting again', async () => (await camera()).status.state === 'connecting', 10_000);
    assert.equal((await camera()).status.attempt, 2);
    await waitFor('the decoder to exit', () => ffmpegChildren().length === 0, 5_000);
    await page.close();

    // H.264 from the same browser, same camera: the camera resumes.
    const framesBefore = (await camera()).counters.sourceFrames ?? 0;
    const h264 = await publishFromPage('H264');
    await waitFor(
      'H.264 frames after reconnecting',
      async () => ((await camera()).counters.sourceFrames ?? 0) > framesBefore + 3,
      20_000,
    );
    assert.equal((await camera()).status.state, 'streaming');
    // The tab goes away without a DELETE: the stall watchdog notices, the camera waits for a publisher.
    await h264.close();
    await waitFor(
      'webcam to notice the loss',
      async () => (await camera()).status.state === 'backoff',
      15_000,
    );
    await waitFor('the decoder to exit', () => ffmpegChildren().length === 0, 5_000);

    await browser.close();
    browser = undefined;
    await service.close();
    service = undefined;
    assert.deepEqual(ffmpegChildren(), [], 'no ffmpeg left behind');
    assert.equal(udpSockets(), udpBefore, 'every ICE socket was closed');
  });
});
