import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExecutionProviders } from '../../../src/inference/onnx/providers.js';
import { availableExecutionProviders } from '../../../src/inference/onnx/available-providers.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { createOnnxBackend } from '../../../src/inference/onnx/onnx-backend.js';
import { isTsnError } from '../../../src/errors/index.js';
import { randomModel } from './random-model.js';

const model = randomModel(18, 3);

describe('resolveExecutionProviders (golden)', () => {
  const cases: [
    string,
    Parameters<typeof resolveExecutionProviders>,
    ReturnType<typeof resolveExecutionProviders>,
  ][] = [
    ['cpu only', [['cpu'], ['cpu']], { providers: ['cpu'], unavailable: [] }],
    ['nothing requested still runs on cpu', [[], ['cpu']], { providers: ['cpu'], unavailable: [] }],
    [
      'cuda on a cpu-only host',
      [
        ['cuda', 'cpu'],
        ['cpu', 'webgpu'],
      ],
      { providers: ['cpu'], unavailable: ['cuda'] },
    ],
    [
      'cuda host',
      [
        ['cuda', 'cpu'],
        ['cpu', 'cuda', 'tensorrt'],
      ],
      { providers: ['cuda', 'cpu'], unavailable: [] },
    ],
    [
      'tensorrt then cuda, request order kept',
      [
        ['tensorrt', 'cuda'],
        ['cpu', 'cuda', 'tensorrt'],
      ],
      { providers: ['tensorrt', 'cuda', 'cpu'], unavailable: [] },
    ],
    [
      'cpu listed first moves last, duplicates dropped',
      [
        ['cpu', 'cuda', 'cuda'],
        ['cpu', 'cuda'],
      ],
      { providers: ['cuda', 'cpu'], unavailable: [] },
    ],
    [
      'tensorrt missing, cuda present',
      [
        ['tensorrt', 'cuda', 'cpu'],
        ['cpu', 'cuda'],
      ],
      { providers: ['cuda', 'cpu'], unavailable: ['tensorrt'] },
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(name, () => assert.deepEqual(resolveExecutionProviders(...args), expected));
  }
});

describe('this host', () => {
  const available = availableExecutionProviders();

  test('cpu is always available', () => assert.ok(available.includes('cpu')));

  test('requesting cuda without a CUDA build falls back to cpu and says so', async (t) => {
    if (available.includes('cuda')) return t.skip('this host has the CUDA provider installed');
    const backend = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cuda', 'cpu'],
      threads: 1,
    });
    try {
      assert.match(backend.description, /^onnxruntime cpu /);
      assert.match(backend.description, /cuda unavailable/);
      assert.equal((await backend.features(new Float32Array(3 * 224 * 224), 1)).length, 512);
    } finally {
      await backend.close();
    }
  });

  test('strictProviders: requesting cuda without a CUDA build is E_BACKEND_PROVIDER', async (t) => {
    if (available.includes('cuda')) return t.skip('this host has the CUDA provider installed');
    await assert.rejects(
      createBackend(model, {
        backend: 'onnx',
        executionProviders: ['cuda'],
        threads: 1,
        strictProviders: true,
      }),
      (e: unknown) => isTsnError(e, 'E_BACKEND_PROVIDER'),
    );
  });
});

describe('a provider that is listed but fails to load (its shared library is missing here)', () => {
  const pretendCuda = (): string[] => ['cpu', 'cuda'];
  const options = { backend: 'onnx', executionProviders: ['cuda', 'cpu'], threads: 1 } as const;

  test('falls back to cpu and names the failure in the description', async () => {
    const backend = await createOnnxBackend(model, options, pretendCuda);
    try {
      assert.match(backend.description, /^onnxruntime cpu .*cuda failed/);
      assert.equal((await backend.features(new Float32Array(3 * 224 * 224), 1)).length, 512);
    } finally {
      await backend.close();
    }
  });

  test('strictProviders: E_BACKEND_PROVIDER', async () => {
    await assert.rejects(
      createOnnxBackend(model, { ...options, strictProviders: true }, pretendCuda),
      (e: unknown) => isTsnError(e, 'E_BACKEND_PROVIDER'),
    );
  });
});
