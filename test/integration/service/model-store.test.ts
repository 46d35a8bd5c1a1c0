import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { resolveModelDir, type ResolveModelDeps } from '../../../src/model-store/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait.js';

const checkpoint = readFileSync(join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'));
const checkpointSha = createHash('sha256').update(checkpoint).digest('hex');

type Handler = (req: IncomingMessage, res: ServerResponse, requestIndex: number) => void;

async function serve(
  handler: Handler,
): Promise<{ url: string; requests: IncomingMessage[]; close: () => Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/TSN_k400_8.pdparams`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Serves the checkpoint honouring Range, like a CDN. */
function sendCheckpoint(req: IncomingMessage, res: ServerResponse): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const from = range === null ? 0 : Number(range[1]);
  const body = checkpoint.subarray(from);
  res.writeHead(range === null ? 200 : 206, {
    'content-length': body.length,
    ...(range === null
      ? {}
      : { 'content-range': `bytes ${from}-${checkpoint.length - 1}/${checkpoint.length}` }),
  });
  res.end(body);
}

const logLines: string[] = [];
const deps: ResolveModelDeps = {
  log: { info: (_fields, message) => logLines.push(message) },
  download: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, idleTimeoutMs: 5000 },
};

function modelConfig(url: string, extra = '') {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tsn-models-'));
  const text = `model:\n  name: tsn_k400_8\n  cacheDir: ${cacheDir}\n  urls: { tsn_k400_8: '${url}' }\n${extra}`;
  return { model: loadConfig({ text, env: {} }).model, cacheDir };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTsnError(error), String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('model store', () => {
  test('downloads, resumes after a connection cut mid-body with a Range request, records sha256, converts', async () => {
    let partBytesAtResume = -1;
    let partFile = '';
    const server = await serve((req, res, i) => {
      if (i === 1) partBytesAtResume = statSync(partFile).size;
      if (i === 0) {
        // Promise the whole file, send 40% of it, then cut the connection.
        res.writeHead(200, { 'content-length': checkpoint.length });
        res.write(checkpoint.subarray(0, Math.floor(checkpoint.length * 0.4)), () => res.socket?.end());
        return;
      }
      sendCheckpoint(req, res);
    });
    try {
      const { model, cacheDir } = modelConfig(server.url);
      partFile = join(cacheDir, 'TSN_k400_8.pdparams.part');
      const resolved = await resolveModelDir(model, deps);
      assert.equal(resolved.origin, 'downloaded');
      assert.equal(resolved.dir, join(cacheDir, 'tsn_k400_8'));
      assert.equal(server.requests.length, 2);
      assert.equal(server.requests[0]?.headers.range, undefined);
      // The client resumes from exactly what it had written before the cut.
      assert.ok(partBytesAtResume > 0 && partBytesAtResume <= Math.floor(checkpoint.length * 0.4));
      assert.equal(server.requests[1]?.headers.range, `bytes=${partBytesAtResume}-`);
      assert.deepEqual(readFileSync(join(cacheDir, 'TSN_k400_8.pdparams')), checkpoint);
      assert.equal(existsSync(join(cacheDir, 'TSN_k400_8.pdparams.part')), false);
      assert.match(
        readFileSync(join(cacheDir, 'TSN_k400_8.pdparams.sha256'), 'utf8'),
        new RegExp(`^${checkpointSha} `),
      );
      const manifest = JSON.parse(readFileSync(join(resolved.dir, 'manifest.json'), 'utf8')) as {
        source: { sha256: string };
        defaultNumSeg: number;
        depth: number;
      };
      assert.equal(manifest.source.sha256, checkpointSha);
      assert.equal(manifest.defaultNumSeg, 8);
      assert.equal(manifest.depth, 18);

      const again = await resolveModelDir(model, deps);
      assert.equal(again.origin, 'cache');
      assert.equal(server.requests.length, 2, 'a cached model is not downloaded again');
    } finally {
      await server.close();
    }
  });

  test('retries after a 503', async () => {
    const server = await serve((req, res, i) => {
      if (i === 0) {
        res.writeHead(503).end('busy');
        return;
      }
      sendCheckpoint(req, res);
    });
    try {
      const { model } = modelConfig(server.url);
      const resolved = await resolveModelDir(model, deps);
      assert.equal(resolved.origin, 'downloaded');
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });

  test('a 404 is E_MODEL_DOWNLOAD at once, naming what to do', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end());
    try {
      const { model } = modelConfig(server.url);
      const error = await rejection(resolveModelDir(model, deps));
      assert.equal(error.code, 'E_MODEL_DOWNLOAD');
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  test('unreachable host: E_MODEL_OFFLINE in one line with the URL, curl and tsn convert', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close(); // nothing listens on that port any more
    const { model, cacheDir } = modelConfig(url);
    const error = await rejection(resolveModelDir(model, deps));
    assert.equal(error.code, 'E_MODEL_OFFLINE');
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(error.message.includes(`curl -fL -o TSN_k400_8.pdparams ${url}`));
    assert.ok(error.message.includes(join(cacheDir, 'TSN_k400_8.pdparams')));
    assert.match(error.message, /tsn convert TSN_k400_8\.pdparams --out DIR/);
    assert.match(error.message, /--model DIR/);
  });

  test('download: false never touches the network', async () => {
    const server = await serve(sendCheckpoint);
    try {
      const { model } = modelConfig(server.url, '  download: false\n');
      const error = await rejection(resolveModelDir(model, deps));
      assert.equal(error.code, 'E_MODEL_OFFLINE');
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  test('an abort (service shutdown) stops a stalled download at once and keeps the .part for a resume', async () => {
    let served = 0;
    const server = await serve((_req, res) => {
      // Headers and a first chunk, then silence: only the abort can end this attempt.
      res.writeHead(200, { 'content-length': checkpoint.length });
      res.write(checkpoint.subarray(0, 65_536), () => served++);
    });
    try {
      const { model, cacheDir } = modelConfig(server.url);
      const aborter = new AbortController();
      const pending = resolveModelDir(model, { ...deps, signal: aborter.signal });
      const part = join(cacheDir, 'TSN_k400_8.pdparams.part');
      await waitFor('a partial download', () => existsSync(part) && statSync(part).size > 0);
      aborter.abort(new Error('shutting down'));
      await assert.rejects(pending, /shutting down/);
      assert.equal(served, 1);
      assert.ok(statSync(part).size > 0, 'the partial file stays for the next start');
      assert.equal(server.requests.length, 1, 'no retry after an abort');
    } finally {
      await server.close();
    }
  });

  test('model.dir is used as given', async () => {
    const resolved = await resolveModelDir(
      loadConfig({ env: {}, flags: { model: '/some/dir' } }).model,
      deps,
    );
    assert.deepEqual(resolved, { dir: '/some/dir', origin: 'dir' });
  });
});
