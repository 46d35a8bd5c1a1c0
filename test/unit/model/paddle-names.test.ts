import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferDepth, paddleNameMappings } from '../../../src/model/paddle-names.js';
import { canonicalTensorSpecs } from '../../../src/model/resnet-layout.js';
import type { ResNetDepth } from '../../../src/model/types.js';
import { fixturesDir } from '../../helpers/paths.js';
import { assertCode } from './support/assert-code.js';

// Goldens written by scripts/fixtures/make_name_goldens.py from the independent Python reference, with
// canonical shapes from torchvision's own state_dict (7 classes).
function golden(depth: ResNetDepth): string[] {
  return readFileSync(join(fixturesDir, 'model', `names_r${depth}.txt`), 'utf8')
    .trimEnd()
    .split('\n');
}

function ours(depth: ResNetDepth): string[] {
  return paddleNameMappings(depth, 7).map(
    (m) => `${m.paddle} ${m.canonical} ${m.canonicalShape.join(',')} ${m.transpose ? 'T' : '-'}`,
  );
}

describe('PaddleVideo -> torchvision names', () => {
  for (const depth of [18, 34, 50, 101] as const) {
    test(`depth ${depth} matches the reference golden line by line`, () => {
      assert.deepEqual(ours(depth), golden(depth));
    });
  }

  test('ResNet-50 TSN has 267 arrays including the fc pair', () => {
    const m = paddleNameMappings(50, 400);
    assert.equal(m.length, 267);
    const fc = m.find((x) => x.paddle === 'head.fc.weight');
    assert.deepEqual(fc?.paddleShape, [2048, 400]);
    assert.deepEqual(fc?.canonicalShape, [400, 2048]);
    assert.equal(fc?.transpose, true);
    assert.ok(m.some((x) => x.paddle === 'backbone.res2a.short._conv.weight'));
    assert.equal(
      m.find((x) => x.paddle === 'backbone.res2a.short._batch_norm._variance')?.canonical,
      'layer1.0.downsample.1.running_var',
    );
  });

  test('ResNet-101 names stage-4 blocks res4a, res4b1 ... res4b22', () => {
    const names = paddleNameMappings(101, 5).map((m) => m.paddle);
    const labels = new Set(names.filter((n) => n.startsWith('backbone.res4')).map((n) => n.split('.')[1]));
    assert.deepEqual([...labels], ['res4a', ...Array.from({ length: 22 }, (_, i) => `res4b${i + 1}`)]);
    assert.ok(names.includes('backbone.res3d.conv2._conv.weight'));
    assert.ok(!names.some((n) => n.startsWith('backbone.res4c')));
    const map = new Map(paddleNameMappings(101, 5).map((m) => [m.paddle, m.canonical]));
    assert.equal(map.get('backbone.res4b22.conv2._batch_norm._mean'), 'layer3.22.bn3.running_mean');
  });

  test('basic-block nets have no shortcut in res2a, one in res3a/res4a/res5a', () => {
    for (const depth of [18, 34] as const) {
      const shorts = paddleNameMappings(depth, 3)
        .filter((m) => m.paddle.endsWith('.short._conv.weight'))
        .map((m) => m.paddle);
      assert.deepEqual(shorts, [
        'backbone.res3a.short._conv.weight',
        'backbone.res4a.short._conv.weight',
        'backbone.res5a.short._conv.weight',
      ]);
    }
  });

  test('canonical specs agree with the mapping and count', () => {
    for (const depth of [18, 34, 50, 101] as const) {
      const specs = canonicalTensorSpecs(depth, 11);
      assert.deepEqual(
        specs.map((s) => s.name),
        paddleNameMappings(depth, 11).map((m) => m.canonical),
      );
    }
    assert.deepEqual(canonicalTensorSpecs(18, 11).at(-2)?.shape, [11, 512]);
  });
});

describe('depth inference', () => {
  for (const depth of [18, 34, 50, 101] as const) {
    test(`infers ${depth} from its own names`, () => {
      assert.equal(inferDepth(paddleNameMappings(depth, 2).map((m) => m.paddle)), depth);
    });
  }

  test('ResNet-26 (bottleneck [2,2,2,2]) is unsupported', () => {
    const names = paddleNameMappings(18, 2).map((m) => m.paddle);
    const bottlenecked = [...names, 'backbone.res2a.conv2._conv.weight'];
    assertCode(() => inferDepth(bottlenecked), 'E_CKPT_DEPTH');
  });

  test('a three-stage net is unsupported', () => {
    const names = paddleNameMappings(18, 2)
      .map((m) => m.paddle)
      .filter((n) => !n.startsWith('backbone.res5'));
    assertCode(() => inferDepth(names), 'E_CKPT_DEPTH');
  });

  test('ResNet-152 layout ([3,8,36,3]) is unsupported', () => {
    const names: string[] = [];
    const counts = [3, 8, 36, 3];
    counts.forEach((n, s) => {
      for (let b = 0; b < n; b++) {
        const label = s >= 1 && b > 0 ? `b${b}` : String.fromCharCode(97 + b);
        names.push(`backbone.res${s + 2}${label}.conv2._conv.weight`);
      }
    });
    assertCode(() => inferDepth(names), 'E_CKPT_DEPTH');
  });

  test('no backbone at all is unsupported', () => {
    assertCode(() => inferDepth(['head.fc.weight', 'head.fc.bias']), 'E_CKPT_DEPTH');
  });
});
