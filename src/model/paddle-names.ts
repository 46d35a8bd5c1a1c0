import { TsnError } from '../errors/index.js';
import {
  BN_SUFFIXES,
  RESNET_BLOCKS,
  RESNET_DEPTHS,
  blockSpecs,
  canonicalTensorSpecs,
  stemSpec,
} from './resnet-layout.js';
import type { ConvBnSpec } from './resnet-layout.js';
import type { ResNetDepth } from './types.js';

/** The key paddle.save adds next to the parameters; it maps names to internal names and is skipped. */
export const PADDLE_NAME_TABLE_KEY = 'StructuredToParameterName@@';

export interface NameMapping {
  readonly paddle: string;
  readonly canonical: string;
  /** Shape as stored in the checkpoint. */
  readonly paddleShape: readonly number[];
  /** Shape under the canonical name (torchvision layout). */
  readonly canonicalShape: readonly number[];
  /** head.fc.weight is [in, out] in Paddle and [out, in] in torchvision. */
  readonly transpose: boolean;
}

const PADDLE_BN_SUFFIX: Readonly<Record<(typeof BN_SUFFIXES)[number], string>> = {
  weight: 'weight',
  bias: 'bias',
  running_mean: '_mean',
  running_var: '_variance',
};

/** PaddleVideo's block label: a, b, c ...; ResNet-101 names stage-4 blocks a, b1, b2 ... */
export function paddleBlockLabel(depth: ResNetDepth, stage: number, index: number): string {
  if (depth >= 101 && stage === 2 && index > 0) return `b${index}`;
  return String.fromCharCode(0x61 + index);
}

/** Every tensor of a PaddleVideo TSN checkpoint with its canonical name, in torchvision order. */
export function paddleNameMappings(depth: ResNetDepth, numClasses: number): NameMapping[] {
  const shapes = new Map(canonicalTensorSpecs(depth, numClasses).map((s) => [s.name, s.shape]));
  const out: NameMapping[] = [];
  const add = (paddle: string, canonical: string, transpose = false): void => {
    const canonicalShape = shapes.get(canonical);
    if (canonicalShape === undefined) throw new Error(`no canonical tensor ${canonical}`);
    const paddleShape = transpose ? [...canonicalShape].reverse() : canonicalShape;
    out.push({ paddle, canonical, paddleShape, canonicalShape, transpose });
  };
  const convBn = (paddlePrefix: string, c: ConvBnSpec): void => {
    add(`${paddlePrefix}._conv.weight`, `${c.conv}.weight`);
    for (const s of BN_SUFFIXES) add(`${paddlePrefix}._batch_norm.${PADDLE_BN_SUFFIX[s]}`, `${c.bn}.${s}`);
  };
  convBn('backbone.conv', stemSpec());
  for (const block of blockSpecs(depth)) {
    const prefix = `backbone.res${block.stage + 2}${paddleBlockLabel(depth, block.stage, block.index)}`;
    block.convs.forEach((c, i) => convBn(`${prefix}.conv${i}`, c));
    if (block.downsample !== null) convBn(`${prefix}.short`, block.downsample);
  }
  add('head.fc.weight', 'fc.weight', true);
  add('head.fc.bias', 'fc.bias');
  return out;
}

const BLOCK_NAME = /^backbone\.res(\d+)([a-z](?:\d+)?)\./;

/**
 * Depth from the names alone: blocks per stage plus whether blocks have a third conv (bottleneck).
 * Throws E_CKPT_DEPTH for any other layout (ResNet-26, three stages, ResNet-152 ...).
 */
export function inferDepth(names: Iterable<string>): ResNetDepth {
  const blocks = new Map<number, Set<string>>();
  let bottleneck = false;
  for (const name of names) {
    const m = BLOCK_NAME.exec(name);
    if (m === null) continue;
    const stage = Number(m[1]);
    const labels = blocks.get(stage) ?? new Set<string>();
    labels.add(m[2] as string);
    blocks.set(stage, labels);
    if (name.includes('.conv2.')) bottleneck = true;
  }
  const stages = [...blocks.keys()].sort((a, b) => a - b);
  const counts = stages.map((s) => blocks.get(s)?.size ?? 0);
  const found = RESNET_DEPTHS.find((d) => {
    const expected = RESNET_BLOCKS[d];
    return (
      bottleneck === d >= 50 &&
      stages.join(',') === '2,3,4,5' &&
      expected.every((count, i) => counts[i] === count)
    );
  });
  if (found !== undefined) return found;
  throw new TsnError(
    'E_CKPT_DEPTH',
    `the checkpoint's backbone has stages [${stages.map((s) => `res${s}`).join(', ')}] with [${counts.join(', ')}] ` +
      `${bottleneck ? 'bottleneck' : 'basic'} blocks, which is not a ResNet-18/34/50/101 TSN backbone`,
    { context: { stages, blocksPerStage: counts, bottleneck } },
  );
}
