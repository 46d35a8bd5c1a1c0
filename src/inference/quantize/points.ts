import type { ConvSpec, ResNetPlan } from '../resnet/plan.js';

/**
 * An activation tensor the int8 graph carries as uint8: where calibration measures it in the float32
 * backbone graph (resnet-graph.ts node output names) and whether it is a ReLU output. A ReLU output gets
 * zero point 0, so QuantizeLinear's saturation at 0 is the ReLU and the graph needs no Relu node.
 */
export interface ActivationPoint {
  /** Key in QuantizationInfo.ranges, e.g. "input", "stem", "layer1.0.conv1", "layer1.0.out". */
  readonly key: string;
  /** The float32 graph's tensor holding it (BACKBONE_INPUT or "<node>:out"). */
  readonly fp32Tensor: string;
  readonly nonNegative: boolean;
  readonly channels: number;
}

export const INPUT_POINT = 'input';
export const STEM_POINT = 'stem';

export const mainConvPoint = (block: string, index: number): string => `${block}.conv${index + 1}`;
export const shortcutPoint = (block: string): string => `${block}.downsample`;
export const blockOutPoint = (block: string): string => `${block}.out`;

/** Every point of the plan, in execution order. */
export function activationPoints(plan: ResNetPlan, inputTensor: string): ActivationPoint[] {
  const points: ActivationPoint[] = [
    { key: INPUT_POINT, fp32Tensor: inputTensor, nonNegative: false, channels: plan.stem.inChannels },
    { key: STEM_POINT, fp32Tensor: 'stem.relu:out', nonNegative: true, channels: plan.stem.outChannels },
  ];
  for (const block of plan.blocks) {
    const last = block.main.length - 1;
    block.main.forEach((spec, i) => {
      points.push({
        key: mainConvPoint(block.name, i),
        fp32Tensor: i < last ? `${block.name}.relu${i + 1}:out` : `${block.name}.conv${i + 1}:out`,
        nonNegative: i < last,
        channels: spec.outChannels,
      });
    });
    if (block.shortcut) {
      points.push({
        key: shortcutPoint(block.name),
        fp32Tensor: `${block.name}.downsample:out`,
        nonNegative: false,
        channels: block.shortcut.outChannels,
      });
    }
    const channels = block.main[last]?.outChannels ?? 0;
    points.push({
      key: blockOutPoint(block.name),
      fp32Tensor: `${block.name}.relu:out`,
      nonNegative: true,
      channels,
    });
  }
  return points;
}

/** Every conv of the plan by its graph node name (both backbone graphs name them alike), in order. */
export function convNodes(plan: ResNetPlan): { readonly name: string; readonly spec: ConvSpec }[] {
  const convs = [{ name: 'stem.conv', spec: plan.stem }];
  for (const block of plan.blocks) {
    block.main.forEach((spec, i) => convs.push({ name: `${block.name}.conv${i + 1}`, spec }));
    if (block.shortcut) convs.push({ name: `${block.name}.downsample`, spec: block.shortcut });
  }
  return convs;
}
