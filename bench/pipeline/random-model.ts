// ResNet-50 TSN with seeded random weights and 400 classes (Kinetics-400's shape): the compute of the
// real model without downloading a checkpoint.
import { resnetPlan } from '../../src/inference/resnet/plan.js';
import { randomResNetWeights } from '../../src/inference/resnet/random-weights.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type Model, type ResNetDepth } from '../../src/model/types.js';

export function randomTsnModel(depth: ResNetDepth, numClasses: number, numSeg: number): Model {
  return {
    dir: `memory:resnet${depth}`,
    id: `bench-r${depth}@random`,
    labels: Array.from({ length: numClasses }, (_, i) => `class_${i}`),
    weights: randomResNetWeights(depth, numClasses, 1),
    manifest: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      architecture: 'tsn-resnet',
      depth,
      numClasses,
      featureDim: resnetPlan(depth).featureDim,
      inputSize: 224,
      scaleShortSide: 256,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      defaultNumSeg: numSeg,
      source: { file: 'random', sha256: '0'.repeat(64), format: 'paddle-pdparams' },
      weightsFile: 'weights.safetensors',
      labelsFile: 'labels.txt',
    },
  };
}
