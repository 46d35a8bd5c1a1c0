import { RESNET_BLOCKS, RESNET_DEPTHS, isBottleneck } from '../../model/resnet-layout.js';
import type { ResNetDepth } from '../../model/types.js';

/** One convolution followed by its BatchNorm, named as in torchvision's ResNet. */
export interface ConvSpec {
  /** Conv weight tensor name, e.g. "layer1.0.conv1.weight". */
  readonly weight: string;
  /** BatchNorm prefix, e.g. "layer1.0.bn1" (then .weight, .bias, .running_mean, .running_var). */
  readonly bn: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
}

/** A residual block: relu(shortcut(x) + main(x)); every main conv but the last is followed by relu. */
export interface BlockSpec {
  /** "layer{stage}.{index}", used to name graph nodes. */
  readonly name: string;
  readonly main: readonly ConvSpec[];
  /** Projection shortcut (downsample.0/.1), or null for identity. */
  readonly shortcut: ConvSpec | null;
}

/**
 * ResNet v1.5 as PaddleVideo's TSN backbone (and torchvision) builds it: stem conv 7x7/2 + relu,
 * max-pool 3x3/2 pad 1, four stages, stride in the 3x3 conv, global average pool.
 */
export interface ResNetPlan {
  readonly depth: ResNetDepth;
  readonly stem: ConvSpec;
  readonly blocks: readonly BlockSpec[];
  readonly featureDim: number;
}

const stageWidths = [64, 128, 256, 512] as const;

export const supportedDepths: readonly ResNetDepth[] = RESNET_DEPTHS;

function conv(
  prefix: string,
  index: number,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
): ConvSpec {
  return {
    weight: `${prefix}.conv${index}.weight`,
    bn: `${prefix}.bn${index}`,
    inChannels,
    outChannels,
    kernel,
    stride,
    pad: (kernel - 1) / 2,
  };
}

function shortcut(prefix: string, inChannels: number, outChannels: number, stride: number): ConvSpec {
  return {
    weight: `${prefix}.downsample.0.weight`,
    bn: `${prefix}.downsample.1`,
    inChannels,
    outChannels,
    kernel: 1,
    stride,
    pad: 0,
  };
}

function block(
  name: string,
  inChannels: number,
  width: number,
  stride: number,
  bottleneck: boolean,
): BlockSpec {
  const outChannels = bottleneck ? width * 4 : width;
  const main = bottleneck
    ? [
        conv(name, 1, inChannels, width, 1, 1),
        conv(name, 2, width, width, 3, stride),
        conv(name, 3, width, outChannels, 1, 1),
      ]
    : [conv(name, 1, inChannels, width, 3, stride), conv(name, 2, width, width, 3, 1)];
  const needsProjection = stride !== 1 || inChannels !== outChannels;
  return { name, main, shortcut: needsProjection ? shortcut(name, inChannels, outChannels, stride) : null };
}

export function resnetPlan(depth: ResNetDepth): ResNetPlan {
  const bottleneck = isBottleneck(depth);
  const stem: ConvSpec = {
    weight: 'conv1.weight',
    bn: 'bn1',
    inChannels: 3,
    outChannels: 64,
    kernel: 7,
    stride: 2,
    pad: 3,
  };
  const blocks: BlockSpec[] = [];
  let channels = 64;
  RESNET_BLOCKS[depth].forEach((count, stage) => {
    const width = stageWidths[stage] ?? 512;
    for (let i = 0; i < count; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const b = block(`layer${stage + 1}.${i}`, channels, width, stride, bottleneck);
      blocks.push(b);
      channels = b.main[b.main.length - 1]?.outChannels ?? channels;
    }
  });
  return { depth, stem, blocks, featureDim: channels };
}

/** Every conv of the plan in execution order (stem, then per block main convs and shortcut). */
export function allConvs(plan: ResNetPlan): ConvSpec[] {
  return [plan.stem, ...plan.blocks.flatMap((b) => (b.shortcut ? [...b.main, b.shortcut] : b.main))];
}

/** Multiply-accumulates of one frame through the backbone (convs only) at the given input side. */
export function backboneMacs(plan: ResNetPlan, inputSize: number): number {
  let side = outSide(inputSize, plan.stem);
  let macs = convMacs(plan.stem, side);
  side = Math.floor((side + 2 - 3) / 2) + 1; // max-pool 3x3/2 pad 1
  for (const b of plan.blocks) {
    const inSide = side;
    for (const c of b.main) {
      side = outSide(side, c);
      macs += convMacs(c, side);
    }
    if (b.shortcut) macs += convMacs(b.shortcut, outSide(inSide, b.shortcut));
  }
  return macs;
}

function outSide(side: number, c: ConvSpec): number {
  return Math.floor((side + 2 * c.pad - c.kernel) / c.stride) + 1;
}

function convMacs(c: ConvSpec, outputSide: number): number {
  return outputSide * outputSide * c.outChannels * c.inChannels * c.kernel * c.kernel;
}
