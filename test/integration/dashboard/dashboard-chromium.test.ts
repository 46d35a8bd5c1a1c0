// The dashboard in headless Chromium against a real `tsn serve` with simulated cameras: live video really
// painted, predictions moving the bars, events in the timeline, a camera added through the form, and the
// token prompt when auth is on. TSN_DASHBOARD_SCREENSHOT=PATH also saves a screenshot (npm run
// screenshot:dashboard writes docs/dashboard.png).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { closedPort, descendants, getJson, startServe, type Serve } from '../service/serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const chromiumPath = '/usr/bin/chromium';
const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
const token = 'dashboard-test-token-0123';

interface Tiles {
  [camera: string]: { predictions: number; liveFragments: number; openEpisodes: number };
}

describe('dashboard in headless Chromium against tsn serve', () => {
  const work = mkdtempSync(join(tmpdir(), 'tsn-dashboard-'));
  const modelDir = join(work, 'model');
  let browser: Browser | undefined;
  const serves: Serve[] = [];

  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
  });
  after(async () => {
    await browser?.close();
    for (const s of serves) s.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  async function serve(name: string, extra: string[] = []): Promise<string> {
    const config = join(work, `${name}.yaml`);
    writeFileSync(
      config,
      [
        'server:',
        '  host: 127.0.0.1',
        '  port: 0',
        ...extra,
        `model: { dir: ${modelDir}, download: false }`,
        'backend: { threads: 1 }',
        // Low thresholds: any label of the 10-class fixture model opens an episode on the first window.
        'defaults:',
        '  windowMs: 2000',
        '  numSeg: 4',
        '  publishPredictions: true',
        '  detector: { smoothing: 1, onThreshold: 0.01, offThreshold: 0, minWindowsOn: 1 }',
        'cameras:',
        `  - { id: cam1, url: 'sim://cam1?file=${clip}' }`,
        `stateFile: ${join(work, `${name}-state.json`)}`,
      ].join('\n'),
    );
    const s = startServe(['--config', config]);
    serves.push(s);
    const url = await waitFor(
      'listening',
      () => s.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
    );
    await waitFor('ready', async () => ((await getJson(`${url}/readyz`)).status === 200 ? true : undefined));
    return url;
  }

  /** The live-view ffmpeg processes of one camera under the serve process at url. */
  function liveEncodersOf(url: string, camera: string): number[] {
    const s = serves.find((x) => x.logs.some((l) => l.url === url));
    return descendants(s?.child.pid ?? -1).filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return (
          cmd.includes('frag_keyframe+empty_moov+default_base_moof') &&
          cmd.some((a) => a.endsWith(`/${camera}`))
        );
      } catch {
        return false;
      }
    });
  }

  async function stop(url: string): Promise<void> {
    const s = serves.find((x) => x.logs.some((l) => l.url === url));
    s?.child.kill('SIGTERM');
    assert.equal(await s?.exited, 0, s?.stderr());
  }

  async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
    browser ??= await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    return { page, problems };
  }

  const tiles = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { dashboard: { tiles(): Tiles } }).dashboard.tiles());

  /** Range and a coarse signature of the video's current frame (drawn on a canvas); null before one. */
  const frameOf = (page: Page, camera: string) =>
    page.evaluate(`(() => {
      const video = document.querySelector('[data-camera="${camera}"] video');
      if (video === null || video.readyState < 2 || video.videoWidth === 0) return null;
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(video, 0, 0, 64, 48);
      const data = ctx.getImageData(0, 0, 64, 48).data;
      let min = 255, max = 0;
      const signature = [];
      for (let i = 0; i < data.length; i += 4) {
        const luma = (data[i] + data[i + 1] + data[i + 2]) / 3;
        min = Math.min(min, luma);
        max = Math.max(max, luma);
        if (i % 64 === 0) signature.push(Math.round(luma));
      }
      return { range: max - min, signature };
    })()`) as Promise<{ range: number; signature: number[] } | null>;

  async function assertVideoPainted(page: Page, camera: string): Promise<void> {
    await waitFor(
      `${camera}: live fragments played`,
      async () => (((await tiles(page))[camera]?.liveFragments ?? 0) >= 2 ? true : undefined),
      60_000,
    );
    // The first frame a video element hands out can be blank until the decoder has painted a picture:
    // wait for one with content (a camera that only ever paints flat frames fails here).
    const first = await waitFor(
      `${camera}: a decoded frame that is not a flat colour`,
      () => frameOf(page, camera).then((f) => (f !== null && f.range > 20 ? f : undefined)),
      30_000,
    );
    const shot1 = await page.locator(`[data-camera="${camera}"] video`).screenshot();
    await page.waitForTimeout(1000); // the two samples a second apart that the check is about
    const shot2 = await page.locator(`[data-camera="${camera}"] video`).screenshot();
    const second = await frameOf(page, camera);
    assert.ok(!shot1.equals(shot2), `${camera}: the tile's pixels changed between two screenshots 1 s apart`);
    assert.notDeepEqual(second?.signature, first.signature, `${camera}: the video frame itself changed`);
  }

  test('loads without console errors; video painted; bars move with predictions; events in the timeline; a camera added through the form gets video', async (t) => {
    if (!needs(t, hasCommand(chromiumPath, ['--version']), 'chromium')) return;
    const url = await serve('open');
    const { page, problems } = await openPage(url);
    await page.waitForFunction(
      () => (globalThis as unknown as { dashboard?: { ready: boolean } }).dashboard?.ready === true,
    );
    await page.waitForSelector('[data-camera="cam1"]');
    await assertVideoPainted(page, 'cam1');

    // Predictions from the WebSocket move the bars and the label drawn over the video.
    const bars = () =>
      page.evaluate(`[...document.querySelectorAll('[data-camera="cam1"] .bar')].map(
        (r) => r.querySelector('.label').textContent + '=' + r.querySelector('.fill').style.width)`) as Promise<
        string[]
      >;
    await waitFor(
      'a prediction on cam1',
      async () => (((await tiles(page)).cam1?.predictions ?? 0) >= 1 ? true : undefined),
      60_000,
    );
    const before = await bars();
    const predictionsBefore = (await tiles(page)).cam1?.predictions ?? 0;
    await waitFor(
      'the bars to move with new predictions',
      async () =>
        ((await tiles(page)).cam1?.predictions ?? 0) > predictionsBefore &&
        (await bars()).join() !== before.join()
          ? true
          : undefined,
      60_000,
    );
    assert.match((await bars())[0] ?? '', /^.+=\d+(\.\d+)?%$/);
    assert.match((await page.textContent('[data-camera="cam1"] .overlay')) ?? '', /^.+ \d+\.\d%$/);

    // The open episode lights the tile; its event is in the timeline and shows its top-k on click.
    await page.waitForSelector('[data-camera="cam1"].episode', { timeout: 60_000 });
    await page.waitForSelector('#events li.event', { timeout: 30_000 });
    await page.click('#events li.event');
    assert.ok((await page.$$('#event-detail table.topk tbody tr')).length >= 1);
    assert.match((await page.textContent('#event-detail')) ?? '', /segments/);
    await page.selectOption('#filter-camera', 'cam1');
    assert.ok((await page.$$('#events li.event')).length >= 1);
    assert.match((await page.textContent('#stat-predictions')) ?? '', /^\d+\.\d\d$/);

    // A camera added through the form appears and gets video.
    await page.fill('#cam-id', 'cam2');
    await page.fill('#cam-url', `sim://cam2?file=${clip}`);
    await page.click('#save');
    await page.waitForSelector('[data-camera="cam2"]', { timeout: 20_000 });
    assert.match((await page.textContent('#form-message')) ?? '', /added cam2/);
    await assertVideoPainted(page, 'cam2');

    const screenshot = process.env.TSN_DASHBOARD_SCREENSHOT;
    if (screenshot !== undefined && screenshot !== '') await page.screenshot({ path: screenshot });

    // Edit and remove through the form; the removed camera's tile goes, and so does its live encoder.
    assert.equal(liveEncodersOf(url, 'cam2').length, 1, 'one live encoder for cam2');
    await page.click('[data-camera="cam2"] header button');
    assert.equal(await page.inputValue('#cam-id'), 'cam2');
    await page.fill('#cam-window', '3000');
    await page.click('#save');
    await page.locator('#form-message', { hasText: 'saved cam2' }).waitFor();
    assert.equal(((await getJson(`${url}/v1/cameras/cam2`)).body as { windowMs: number }).windowMs, 3000);
    await page.click('#remove');
    await page.waitForSelector('[data-camera="cam2"]', { state: 'detached', timeout: 20_000 });
    assert.equal((await getJson(`${url}/v1/cameras/cam2`)).status, 404);
    await waitFor('cam2 live encoder stopped after its last viewer', () =>
      liveEncodersOf(url, 'cam2').length === 0 ? true : undefined,
    );
    assert.deepEqual(problems, []);
    await page.close();
    await stop(url);
  });

  test('with auth on, the page asks for the token, refuses a wrong one and works once given', async (t) => {
    if (!needs(t, hasCommand(chromiumPath, ['--version']), 'chromium')) return;
    const url = await serve('auth', [`  auth: { token: ${token}, protectWebSocket: true }`]);
    const { page, problems } = await openPage(url);
    await page.waitForSelector('#auth-panel:not([hidden])');
    await page.fill('#auth-token', 'not-the-right-token');
    await page.click('#auth-form button[type=submit]');
    await page.locator('#auth-message', { hasText: 'did not accept' }).waitFor();
    await page.fill('#auth-token', token);
    await page.click('#auth-form button[type=submit]');
    await page.waitForSelector('#auth-panel', { state: 'hidden' });
    await page.waitForFunction(
      () => (globalThis as unknown as { dashboard?: { webSocket: string } }).dashboard?.webSocket === 'open',
      null,
      { timeout: 20_000 },
    );
    await assertVideoPainted(page, 'cam1');

    // A camera added with the token: nothing listens at its URL, so its tile shows the backoff's reason
    // and retry countdown.
    await page.fill('#cam-id', 'dead');
    await page.fill('#cam-url', `rtsp://127.0.0.1:${await closedPort()}/none`);
    await page.click('#save');
    await page.waitForSelector('[data-camera="dead"]', { timeout: 20_000 });
    await page
      .locator('[data-camera="dead"] .status', { hasText: /^backoff: [a-z-]+: .+; retry \d+ in \d+ s$/ })
      .waitFor({ timeout: 30_000 });
    // A whip:// camera has no live view: its tile says why, with the code, and stops asking.
    await page.fill('#cam-id', 'phone');
    await page.fill('#cam-url', 'whip://phone');
    await page.click('#save');
    await page
      .locator('[data-camera="phone"] .live-note', { hasText: /no live view.*\(E_LIVE_UNAVAILABLE\)/ })
      .waitFor({ timeout: 20_000 });
    assert.equal(await page.getAttribute('[data-camera="phone"]', 'data-live'), 'unavailable');
    // Only the deliberate wrong token may have produced an error line (its 403).
    assert.deepEqual(
      problems.filter((p) => !/403/.test(p)),
      [],
    );
    await page.close();
    await stop(url);
  });
});
