import { activationPoints } from '../../../src/inference/quantize/points.js';
import { uint8Range } from '../../../src/inference/quantize/ranges.js';
import type { ResNetPlan } from '../../../src/inference/resnet/plan.js';
import type { QuantizationInfo } from '../../../src/model/types.js';

/** A calibration table for graph-building tests: every point's range [-2, 2] ([0, 2] for ReLU outputs). */
export function uniformTable(plan: ResNetPlan, extra: Partial<QuantizationInfo> = {}): QuantizationInfo {
  return {
    method: 'minmax',
    weights: 'int8-per-channel-symmetric',
    activations: 'uint8-per-tensor-asymmetric',
    calibration: { clips: ['a.mp4'], images: 1 },
    ranges: Object.fromEntries(
      activationPoints(plan, 'images').map((p) => [p.key, uint8Range(p.nonNegative ? 0 : -2, 2)]),
    ),
    ...extra,
  };
}
