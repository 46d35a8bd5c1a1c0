import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTsnError } from '../../../src/errors/index.js';
import {
  defaultCameraOptions,
  resolveCameraOptions,
  segmenterOptionsOf,
  validateBatching,
  type CameraOptionsInput,
} from '../../../src/pipeline/options.js';

const rejects = (input: CameraOptionsInput, option: string): void => {
  assert.throws(
    () => resolveCameraOptions(defaultCameraOptions, input),
    (e) => isTsnError(e, 'E_PIPELINE_CONFIG') && e.context.option === option,
  );
};

describe('pipeline options', () => {
  test('overrides merge over defaults, detector fields one by one, undefined ignored', () => {
    const o = resolveCameraOptions(defaultCameraOptions, {
      numSeg: 3,
      windowMs: undefined,
      detector: { onThreshold: 0.7 },
    });
    assert.equal(o.numSeg, 3);
    assert.equal(o.windowMs, defaultCameraOptions.windowMs);
    assert.equal(o.detector.onThreshold, 0.7);
    assert.equal(o.detector.offThreshold, defaultCameraOptions.detector.offThreshold);
  });

  test('derived segmenter values: maxGapMs 0 means 3 segments', () => {
    const o = resolveCameraOptions(defaultCameraOptions, { numSeg: 8, windowMs: 4000 });
    assert.equal(segmenterOptionsOf(o).maxGapMs, 1500);
    assert.equal(segmenterOptionsOf({ ...o, maxGapMs: 700 }).maxGapMs, 700);
  });

  test('invalid values are rejected with E_PIPELINE_CONFIG naming the option', () => {
    rejects({ numSeg: 0 }, 'numSeg');
    rejects({ numSeg: 2.5 }, 'numSeg');
    rejects({ windowMs: -1 }, 'windowMs');
    rejects({ strideSegments: 0 }, 'strideSegments');
    rejects({ views: 3 as 1 }, 'views');
    rejects({ detector: { onThreshold: 0.2, offThreshold: 0.4 } }, 'detector.offThreshold');
    rejects({ detector: { perLabel: { wave: { onThreshold: 1.5 } } } }, 'detector.perLabel.wave.onThreshold');
    rejects({ detector: { smoothing: 0 } }, 'detector.smoothing');
    assert.throws(
      () => validateBatching({ maxBatch: 0, maxWaitMs: 0, maxQueue: 1, maxInFlight: 1 }),
      (e) => isTsnError(e, 'E_PIPELINE_CONFIG'),
    );
  });
});
