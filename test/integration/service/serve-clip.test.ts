// tsn serve on an external clip model directory (onnx-clip): clip mode, predictions from a simulated
// camera, clean exit; a fixed-T model the default window shape cannot fit stops it with E_INPUT_SHAPE.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import { writeClipModelDir } from '../../helpers/clip-onnx.js';
import { fixturesDir } from '../../helpers/paths.js';
import { getJson, startServe } from './serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-serve-clip-'));
const video = join(fixturesDir, 'reference', 'clip_340x256.mp4');

function writeConfig(name: string, modelDir: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(
    path,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${modelDir} }`,
      'defaults: { windowMs: 2000, numSeg: 4 }',
      'cameras:',
      `  - { id: sim1, url: 'sim://sim1?file=${video}' }`,
    ].join('\n'),
  );
  return path;
}

describe('tsn serve with an external clip model (real process)', () => {
  const symbolic = join(work, 'clip-symbolic');
  const fixed8 = join(work, 'clip-fixed8');
  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: join(work, 'model'),
    });
    const model = await loadModel(join(work, 'model'));
    mkdirSync(symbolic);
    mkdirSync(fixed8);
    await writeClipModelDir(symbolic, model, undefined);
    await writeClipModelDir(fixed8, model, 8);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('runs clip mode: a simulated camera gets predictions; SIGTERM exits 0', async () => {
    const serve = startServe(['--config', writeConfig('symbolic', symbolic)]);
    try {
      const url = await waitFor(
        'listening',
        () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
        60_000,
      );
      const loaded = await waitFor(
        'model loaded',
        () => serve.logs.find((l) => l.msg === 'model loaded'),
        60_000,
      );
      assert.match(String(loaded.backend), /external clip model/);
      assert.match(String(loaded.model), /^clip-symbolic@[0-9a-f]{12}$/);
      await waitFor(
        'a prediction',
        async () => {
          const { body } = await getJson(`${url}/v1/cameras/sim1`);
          return (body as { lastPrediction: unknown }).lastPrediction !== null ? true : undefined;
        },
        60_000,
      );
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.stderr());
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  test('a model with fixed T = 8 and windows of numSeg 4 x 1 view: exit 2 with E_INPUT_SHAPE', async () => {
    const serve = startServe(['--config', writeConfig('fixed8', fixed8)]);
    try {
      assert.equal(await serve.exited, 2);
      assert.match(serve.stderr(), /E_INPUT_SHAPE/);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});
