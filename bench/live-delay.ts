// Glass-to-glass delay of the dashboard's live view, measured: a live camera stamps every frame with the
// wall-clock time it was made (a 24-bit barcode of the millisecond clock, bench/live/marker-camera.ts);
// a real `tsn serve` recognises it and serves its live view; headless Chromium opens the dashboard (`/`)
// and, for every frame the tile's <video> presents (requestVideoFrameCallback), draws it on a canvas,
// reads the barcode back and records delay = presentation wall time - the frame's stamp. Browser and
// camera share this machine's clock. Reports p50/p95/p99 over every frame read. Writes
// bench/results/live-delay.json.
//
//   npm run bench:live-delay [-- --quick] [--seconds 60] [--resolutions 360p,1080p] [--modes copy,transcode]
//                            [--gop 1] [--depth 18] [--out bench/results/live-delay.json]
// --quick: 360p, copy, 10 s (checks the bench works; not figures). Needs /usr/bin/chromium (apt-get
// install chromium) or --chromium PATH.
import { chromium, type Browser } from 'playwright-core';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { ResNetDepth } from '../src/model/types.js';
import { benchModelDir, cacheDir, machine, repoRoot, sleep, until, writeReport } from './live/common.js';
import { msSinceStamp, readBarcode, startMarkerCamera } from './live/marker-camera.js';
import { maxOf, percentile, round } from './lib/percentiles.js';
import { startService } from './serve/service.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:live-delay -- [options]
  --quick                  360p, copy, 10 s: proves the bench works, not figures
  --seconds S              measured seconds per configuration (default 60)
  --resolutions 360p,1080p the marker camera's sizes (default both)
  --modes copy,transcode   live view modes (default both)
  --gop S                  the camera's keyframe interval in seconds (default 1)
  --fps N                  the camera's frame rate (default 25)
  --depth 18|34|50         the service's backbone (default 18)
  --chromium PATH          headless browser (default /usr/bin/chromium; apt-get install chromium)
  --out FILE               results JSON (default bench/results/live-delay.json)`;

type Mode = 'copy' | 'transcode';
const sizes = {
  '360p': { width: 640, height: 360, kbps: 800 },
  '1080p': { width: 1920, height: 1080, kbps: 4000 },
};
type Resolution = keyof typeof sizes;

const values = parseBenchArgs('bench:live-delay', USAGE, {
  quick: { type: 'boolean', default: false },
  seconds: { type: 'string' },
  resolutions: { type: 'string' },
  modes: { type: 'string' },
  gop: { type: 'string', default: '1' },
  fps: { type: 'string', default: '25' },
  depth: { type: 'string', default: '18' },
  chromium: { type: 'string', default: '/usr/bin/chromium' },
  out: { type: 'string', default: 'bench/results/live-delay.json' },
});
const quick = values.quick;
const flags = {
  quick,
  seconds: Number(values.seconds ?? (quick ? 10 : 60)),
  resolutions: (values.resolutions ?? (quick ? '360p' : '360p,1080p')).split(',') as Resolution[],
  modes: (values.modes ?? (quick ? 'copy' : 'copy,transcode')).split(',') as Mode[],
  gopS: Number(values.gop),
  fps: Number(values.fps),
  depth: Number(values.depth) as ResNetDepth,
};

/**
 * Runs in the page: from every presented frame of the camera's tile video, the delay in ms (or a count of
 * frames whose barcode did not read). Kept as a string: it runs in Chromium, not in Node.
 */
const pageProbe = (camera: string) => `(() => {
  const readBarcode = ${readBarcode.toString()};
  const msSinceStamp = ${msSinceStamp.toString()};
  const out = { delays: [], unreadable: 0, frames: 0, rvfc: false };
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const onFrame = (video, nowWallMs) => {
    out.frames += 1;
    const w = video.videoWidth, h = video.videoHeight;
    // Only the barcode's two rows are drawn and read.
    const stripH = Math.ceil((2 * h) / 15) + 1;
    canvas.width = w; canvas.height = stripH;
    ctx.drawImage(video, 0, 0, w, stripH, 0, 0, w, stripH);
    const img = ctx.getImageData(0, 0, w, stripH).data;
    const luma = (x, y) => { const i = (y * w + x) * 4; return (img[i] + img[i + 1] + img[i + 2]) / 3; };
    const stamp = w === 0 ? undefined : readBarcode(luma, w, h);
    if (stamp === undefined) out.unreadable += 1;
    else out.delays.push(msSinceStamp(nowWallMs, stamp));
  };
  const video = document.querySelector('[data-camera="${camera}"] video');
  if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
    out.rvfc = true;
    const loop = (_now, meta) => {
      // expectedDisplayTime: when the compositor shows this frame (performance clock -> wall clock).
      onFrame(video, performance.timeOrigin + (meta.expectedDisplayTime ?? performance.now()));
      video.requestVideoFrameCallback(loop);
    };
    video.requestVideoFrameCallback(loop);
  } else {
    let last = -1;
    const poll = () => {
      if (video.currentTime !== last) { last = video.currentTime; onFrame(video, Date.now()); }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  }
  globalThis.__delay = out;
})()`;

interface Probe {
  delays: number[];
  unreadable: number;
  frames: number;
  rvfc: boolean;
}

async function runOne(browser: Browser, ffmpeg: string, resolution: Resolution, mode: Mode) {
  const size = sizes[resolution];
  const camera = await startMarkerCamera(ffmpeg, { ...size, fps: flags.fps, gopS: flags.gopS });
  const service = await startService({
    repoRoot,
    workDir: cacheDir,
    modelDir: await benchModelDir(flags.depth),
    cameras: [{ id: 'marker', url: camera.url }],
    threads: 1,
    // Recognition runs as usual but lightly: the delay of the live view is what is measured.
    defaults: { sampleFps: 2, windowMs: 4000, numSeg: 4, strideSegments: 4 },
    extra: { liveView: { mode } },
    configName: 'bench-live-delay.json',
  }).catch(async (error: unknown) => {
    await camera.close();
    throw error;
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(service.url);
    await page.waitForSelector('[data-camera="marker"] video', { timeout: 60_000 });
    await until(
      'the live view playing',
      async () =>
        (await page.evaluate(
          `document.querySelector('[data-camera="marker"] video').readyState >= 2`,
        )) as boolean,
      90_000,
    );
    // Let the player settle at its live edge, then measure.
    await sleep(3000);
    await page.evaluate(pageProbe('marker'));
    await sleep(flags.seconds * 1000);
    const probe = (await page.evaluate('globalThis.__delay')) as Probe;
    // A read older than 60 s is a misread that passed the complement check (the stamp wraps at ~4.6 h).
    const delays = probe.delays.filter((d) => d < 60_000);
    const row = {
      resolution,
      mode,
      cameraGopS: flags.gopS,
      seconds: flags.seconds,
      framesPresented: probe.frames,
      framesRead: delays.length,
      unreadable: probe.unreadable + (probe.delays.length - delays.length),
      clock: probe.rvfc
        ? 'requestVideoFrameCallback expectedDisplayTime'
        : 'requestAnimationFrame + Date.now()',
      delayMs: {
        p50: round(percentile(delays, 50), 0),
        p95: round(percentile(delays, 95), 0),
        p99: round(percentile(delays, 99), 0),
        min: round(Math.min(...delays), 0),
        max: round(maxOf(delays), 0),
      },
    };
    if (delays.length === 0)
      throw new Error(`no frame read in ${flags.seconds} s (${probe.frames} presented)`);
    return row;
  } finally {
    await page.close();
    await service.close();
    await camera.close();
  }
}

const ffmpeg = locateFfmpeg()?.path;
if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
const browser = await chromium.launch({
  executablePath: values.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
});
const rows = [];
try {
  for (const resolution of flags.resolutions) {
    for (const mode of flags.modes) {
      console.log(`live delay: ${resolution} ${mode}, camera GOP ${flags.gopS} s, ${flags.seconds} s ...`);
      const row = await runOne(browser, ffmpeg, resolution, mode);
      const d = row.delayMs;
      console.log(
        `  glass-to-glass over ${row.framesRead} frames: p50 ${d.p50} ms, p95 ${d.p95} ms, p99 ${d.p99} ms ` +
          `(min ${d.min}, max ${d.max}; ${row.unreadable} unreadable)`,
      );
      rows.push(row);
    }
  }
} finally {
  await browser.close();
}
writeReport(values.out, {
  benchmark: 'live-delay',
  date: new Date().toISOString(),
  machine: machine(),
  flags,
  method:
    'marker camera (ffmpeg testsrc2 paced by realtime, stamped with RTCTIME, 24-bit ms barcode, x264 ' +
    'ultrafast/zerolatency, MPEG-TS over HTTP) -> tsn serve live view (fMP4 over WebSocket) -> dashboard ' +
    'in headless Chromium; delay = presentation wall time - stamp, per presented frame',
  rows,
});
