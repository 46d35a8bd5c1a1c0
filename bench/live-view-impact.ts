// Does watching cameras slow recognition down? A real `tsn serve` (child process) recognises --cameras
// simulated cameras with a random-weights ResNet; the prediction rate and the latency p99 (from /metrics)
// are measured for --seconds with nobody watching, then with every camera watched through /v1/live.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { writeModelDir } from '../src/model/model-dir.js';
import { round } from './lib/percentiles.js';
import { randomTsnModel } from './pipeline/random-model.js';

const tsnBin = fileURLToPath(new URL('../../bin/tsn.js', import.meta.url));

interface Scrape {
  readonly atMs: number;
  readonly predictions: number;
  /** Cumulative tsn_latency_seconds buckets: [le seconds, count]. */
  readonly latencyBuckets: readonly (readonly [number, number])[];
}

export interface ImpactPhase {
  readonly watched: number;
  readonly predictionsPerS: number;
  readonly latencyP99S: number;
}

function parseScrape(text: string): Scrape {
  let predictions = 0;
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const p = /^tsn_camera_predictions_total\{[^}]*\} (\S+)/.exec(line);
    if (p !== null) predictions += Number(p[1]);
    const b = /^tsn_latency_seconds_bucket\{le="([^"]+)"\} (\S+)/.exec(line);
    if (b !== null) buckets.set(b[1] === '+Inf' ? Infinity : Number(b[1]), Number(b[2]));
  }
  return { atMs: performance.now(), predictions, latencyBuckets: [...buckets].sort((x, y) => x[0] - y[0]) };
}

/** p99 as the upper bound of the histogram bucket holding it (the histogram's resolution). */
function p99Between(a: Scrape, b: Scrape): number {
  const deltas = b.latencyBuckets.map(([le, n], i) => [le, n - (a.latencyBuckets[i]?.[1] ?? 0)] as const);
  const total = deltas.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  return deltas.find(([, n]) => n >= 0.99 * total)?.[0] ?? Number.NaN;
}

async function scrape(url: string): Promise<Scrape> {
  return parseScrape(await (await fetch(`${url}/metrics`)).text());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureImpact(options: {
  readonly cameras: number;
  readonly seconds: number;
  readonly clip: string;
  readonly workDir: string;
}): Promise<readonly ImpactPhase[]> {
  const modelDir = join(options.workDir, 'model');
  const model = randomTsnModel(18, 10, 8);
  await writeModelDir(modelDir, { manifest: model.manifest, weights: model.weights, labels: model.labels });
  const config = join(options.workDir, 'impact.yaml');
  writeFileSync(
    config,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${modelDir}, download: false }`,
      'defaults: { windowMs: 4000, numSeg: 8 }',
      'cameras:',
      ...Array.from(
        { length: options.cameras },
        (_, i) => `  - { id: cam${i}, url: 'sim://cam${i}?file=${options.clip}' }`,
      ),
      `stateFile: ${join(options.workDir, 'state.json')}`,
      'logLevel: info',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [tsnBin, 'serve', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const viewers: WebSocket[] = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', () => reject(new Error('tsn serve exited before listening')));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const log = JSON.parse(line) as { msg?: string; url?: string };
        if (log.msg === 'listening' && log.url !== undefined) resolve(log.url);
      });
    });
    // Warm-up: every camera predicting.
    for (let end = performance.now() + 120_000; ;) {
      const { cameras } = (await (await fetch(`${url}/v1/cameras`)).json()) as {
        cameras: { lastPrediction: unknown }[];
      };
      if (cameras.length === options.cameras && cameras.every((c) => c.lastPrediction !== null)) break;
      if (performance.now() > end) throw new Error('the cameras did not start predicting within 120 s');
      await sleep(500);
    }
    const phase = async (watched: number): Promise<ImpactPhase> => {
      const a = await scrape(url);
      await sleep(options.seconds * 1000);
      const b = await scrape(url);
      return {
        watched,
        predictionsPerS: round((b.predictions - a.predictions) / ((b.atMs - a.atMs) / 1000), 2),
        latencyP99S: p99Between(a, b),
      };
    };
    const unwatched = await phase(0);
    const wsBase = url.replace(/^http/, 'ws');
    let fragments = 0;
    for (let i = 0; i < options.cameras; i++) {
      const ws = new WebSocket(`${wsBase}/v1/live/cam${i}`);
      ws.on('message', (_d, isBinary) => (fragments += isBinary ? 1 : 0));
      ws.on('error', () => undefined);
      viewers.push(ws);
    }
    while (fragments < options.cameras * 3) await sleep(200);
    const watched = await phase(options.cameras);
    return [unwatched, watched];
  } finally {
    for (const ws of viewers) ws.close();
    child.kill('SIGTERM');
    await exited;
  }
}
