// The demo model's backbone, generated: a seeded random ResNet-18 (random-weights.ts) with two designed
// changes that make its mean-pooled features see shapes rather than colours (docs/finetune.md measures them):
//  - the stem's 7x7 filters are oriented Gabor edge detectors (8 orientations x 2 scales x even/odd, and
//    their negatives), the same on R, G and B: luminance edges, blind to flat colour;
//  - every residual block's last BatchNorm has gamma 0, so blocks pass their shortcut through and the
//    deep random layers (whose features collapse towards one direction) do not wash the edges out.
// BatchNorm statistics are measured on rendered frames (src/training/bn-calibrate.ts) and shipped as assets.
import { randomResNetWeights } from '../inference/resnet/random-weights.js';
import { resnetPlan, type BlockSpec, type ConvSpec } from '../inference/resnet/plan.js';
import type { Tensor } from '../model/types.js';

export interface DemoBackboneSpec {
  readonly backboneSeed: number;
  readonly numClasses: number;
  readonly stem: 'gabor' | 'random';
  /** gamma of each block's last BatchNorm. */
  readonly blockGamma: number;
  /**
   * 'random': the blocks as drawn. 'pool': each block's first conv is a 3x3 box filter times a random
   * channel mix (dense spatial pooling instead of the sparse samples a stride-2 1x1 shortcut takes), its
   * second conv the identity, and projection shortcuts silenced.
   */
  readonly blocks?: 'random' | 'pool';
}

export function demoBackbone(spec: DemoBackboneSpec): Map<string, Tensor> {
  const weights = new Map(randomResNetWeights(18, spec.numClasses, spec.backboneSeed));
  const conv1 = weights.get('conv1.weight') as Tensor;
  if (spec.stem === 'gabor') writeGaborStem(conv1.data);
  else removeDc(conv1.data);
  for (const block of resnetPlan(18).blocks) {
    const last = block.main[block.main.length - 1]?.bn as string;
    (weights.get(`${last}.weight`) as Tensor).data.fill(spec.blockGamma);
    (weights.get(`${last}.bias`) as Tensor).data.fill(0);
    if (spec.blocks === 'pool') poolBlock(weights, block);
  }
  return weights;
}

function poolBlock(weights: Map<string, Tensor>, block: BlockSpec): void {
  const [c1, c2] = block.main as [ConvSpec, ConvSpec];
  const w1 = (weights.get(c1.weight) as Tensor).data;
  // Keep each drawn weight's (out, in) mix, spread evenly over the 3x3 window.
  for (let oi = 0; oi < c1.outChannels * c1.inChannels; oi++) {
    const mix = (w1[oi * 9 + 4] as number) * 3;
    for (let k = 0; k < 9; k++) w1[oi * 9 + k] = mix / 9;
  }
  const w2 = (weights.get(c2.weight) as Tensor).data;
  w2.fill(0);
  for (let o = 0; o < c2.outChannels; o++) w2[(o * c2.inChannels + o) * 9 + 4] = 1;
  for (const name of [`${c1.bn}.weight`, `${c2.bn}.weight`]) (weights.get(name) as Tensor).data.fill(1);
  for (const name of [`${c1.bn}.bias`, `${c2.bn}.bias`]) (weights.get(name) as Tensor).data.fill(0);
  if (block.shortcut !== null) {
    (weights.get(`${block.shortcut.bn}.weight`) as Tensor).data.fill(0);
    (weights.get(`${block.shortcut.bn}.bias`) as Tensor).data.fill(0);
  }
}

function writeGaborStem(d: Float32Array): void {
  for (let o = 0; o < 64; o++) {
    const k = o % 32;
    const theta = ((k % 8) * Math.PI) / 8;
    const sigma = Math.floor(k / 8) % 2 === 1 ? 2.2 : 1.3;
    const odd = Math.floor(k / 16) % 2 === 1;
    const sign = o < 32 ? 1 : -1;
    const wavelength = sigma * 2.5;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const u = (x - 3) * Math.cos(theta) + (y - 3) * Math.sin(theta);
          const v = -(x - 3) * Math.sin(theta) + (y - 3) * Math.cos(theta);
          const envelope = Math.exp(-(u * u + v * v) / (2 * sigma * sigma));
          const carrier = odd
            ? Math.sin((2 * Math.PI * u) / wavelength)
            : Math.cos((2 * Math.PI * u) / wavelength);
          d[((o * 3 + c) * 7 + y) * 7 + x] = sign * envelope * carrier * 0.3;
        }
      }
    }
  }
  removeDc(d);
}

/** Each filter's per-channel mean to zero: no response to flat colour. */
function removeDc(d: Float32Array): void {
  for (let base = 0; base < d.length; base += 49) {
    let m = 0;
    for (let k = 0; k < 49; k++) m += d[base + k] as number;
    m /= 49;
    for (let k = 0; k < 49; k++) d[base + k] = (d[base + k] as number) - m;
  }
}
