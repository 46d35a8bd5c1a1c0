import type { ResNetDepth } from './types.js';

/** Blocks per stage (layer1..layer4) for each supported depth. */
export const RESNET_BLOCKS: Readonly<Record<ResNetDepth, readonly [number, number, number, number]>> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
};

export const RESNET_DEPTHS: readonly ResNetDepth[] = [18, 34, 50, 101];

const STAGE_WIDTHS = [64, 128, 256, 512] as const;
const STEM_WIDTH = 64;

export function isBottleneck(depth: ResNetDepth): boolean {
  return depth >= 50;
}

/** Width of the pooled backbone output: 512 for basic-block nets, 2048 for bottleneck nets. */
export function featureDimFor(depth: ResNetDepth): number {
  return isBottleneck(depth) ? 2048 : 512;
}

/** One conv + its BatchNorm, by canonical (torchvision) prefix. */
export interface ConvBnSpec {
  readonly conv: string;
  readonly bn: string;
  /** [out, in, k, k] */
  readonly convShape: readonly [number, number, number, number];
}

export interface BlockSpec {
  readonly stage: number;
  readonly index: number;
  /** conv1, conv2 (and conv3 for bottlenecks), in order. */
  readonly convs: readonly ConvBnSpec[];
  readonly downsample: ConvBnSpec | null;
}

export function stemSpec(): ConvBnSpec {
  return { conv: 'conv1', bn: 'bn1', convShape: [STEM_WIDTH, 3, 7, 7] };
}

/** Every residual block of a torchvision ResNet of this depth, stage by stage. */
export function blockSpecs(depth: ResNetDepth): BlockSpec[] {
  const out: BlockSpec[] = [];
  const expansion = isBottleneck(depth) ? 4 : 1;
  let inChannels = STEM_WIDTH;
  RESNET_BLOCKS[depth].forEach((count, stage) => {
    const width = STAGE_WIDTHS[stage] as number;
    for (let index = 0; index < count; index++) {
      const p = `layer${stage + 1}.${index}`;
      const convs: ConvBnSpec[] = isBottleneck(depth)
        ? [
            { conv: `${p}.conv1`, bn: `${p}.bn1`, convShape: [width, inChannels, 1, 1] },
            { conv: `${p}.conv2`, bn: `${p}.bn2`, convShape: [width, width, 3, 3] },
            { conv: `${p}.conv3`, bn: `${p}.bn3`, convShape: [width * 4, width, 1, 1] },
          ]
        : [
            { conv: `${p}.conv1`, bn: `${p}.bn1`, convShape: [width, inChannels, 3, 3] },
            { conv: `${p}.conv2`, bn: `${p}.bn2`, convShape: [width, width, 3, 3] },
          ];
      const reshapes = inChannels !== width * expansion || (index === 0 && stage > 0);
      const downsample: ConvBnSpec | null = reshapes
        ? {
            conv: `${p}.downsample.0`,
            bn: `${p}.downsample.1`,
            convShape: [width * expansion, inChannels, 1, 1],
          }
        : null;
      out.push({ stage, index, convs, downsample });
      inChannels = width * expansion;
    }
  });
  return out;
}

export const BN_SUFFIXES = ['weight', 'bias', 'running_mean', 'running_var'] as const;

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Canonical tensors of a TSN ResNet (backbone + fc), in torchvision state_dict order. */
export function canonicalTensorSpecs(depth: ResNetDepth, numClasses: number): TensorSpec[] {
  const out: TensorSpec[] = [];
  const convBn = (c: ConvBnSpec): void => {
    out.push({ name: `${c.conv}.weight`, shape: c.convShape });
    for (const s of BN_SUFFIXES) out.push({ name: `${c.bn}.${s}`, shape: [c.convShape[0]] });
  };
  convBn(stemSpec());
  for (const block of blockSpecs(depth)) {
    block.convs.forEach(convBn);
    if (block.downsample !== null) convBn(block.downsample);
  }
  out.push({ name: 'fc.weight', shape: [numClasses, featureDimFor(depth)] });
  out.push({ name: 'fc.bias', shape: [numClasses] });
  return out;
}
