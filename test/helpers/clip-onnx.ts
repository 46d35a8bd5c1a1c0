// An external-style clip model written with the project's own ONNX writer: [N, T, 3, S, S] -> reshape to
// [N*T, 3, S, S] -> the fixture's ResNet backbone -> [N, T, D] -> mean over T -> fc -> [N, C]. This is
// what a paddle2onnx export of TSN computes (TenCrop views folded into T).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeOnnxModel, AttributeType, type OnnxNode } from '../../src/inference/onnx/onnx-proto.js';
import {
  BACKBONE_INPUT,
  BACKBONE_OUTPUT,
  buildBackboneGraph,
} from '../../src/inference/onnx/resnet-graph.js';
import { fcTensors } from '../../src/inference/resnet/fold-bn.js';
import { resnetPlan } from '../../src/inference/resnet/plan.js';
import type { Model } from '../../src/model/types.js';

const node = (
  opType: string,
  name: string,
  input: string[],
  output: string,
  attribute: OnnxNode['attribute'] = [],
): OnnxNode => ({ name, opType, input, output: [output], attribute });
const ints = (name: string, values: number[]) => ({ name, type: AttributeType.INTS, ints: values });
const int = (name: string, i: number) => ({ name, type: AttributeType.INT, i });

/** timeSteps: a fixed T, or undefined for a symbolic one. */
export function clipModelBytes(model: Model, timeSteps: number | undefined): Uint8Array {
  const { depth, inputSize: s, numClasses } = model.manifest;
  const plan = resnetPlan(depth);
  const d = plan.featureDim;
  const backbone = buildBackboneGraph(plan, model.weights, s);
  const fc = fcTensors(model.weights, numClasses, d);
  const nodes: OnnxNode[] = [
    node('Constant', 'flat_shape', [], 'flat_shape', [ints('value_ints', [-1, 3, s, s])]),
    node('Reshape', 'flatten_time', ['clip', 'flat_shape'], BACKBONE_INPUT),
    ...backbone.nodes,
    node('Shape', 'nt', ['clip'], 'nt', [int('start', 0), int('end', 2)]),
    node('Constant', 'd', [], 'd', [ints('value_ints', [d])]),
    node('Concat', 'ntd', ['nt', 'd'], 'ntd', [int('axis', 0)]),
    node('Reshape', 'per_window', [BACKBONE_OUTPUT, 'ntd'], 'per_window'),
    node('ReduceMean', 'consensus', ['per_window'], 'mean', [ints('axes', [1]), int('keepdims', 0)]),
    node('Gemm', 'fc', ['mean', 'fc.weight', 'fc.bias'], 'cls_score', [int('transB', 1)]),
  ];
  return encodeOnnxModel({
    name: 'external-clip-tsn',
    nodes,
    initializers: [
      ...backbone.initializers,
      { name: 'fc.weight', dims: [numClasses, d], data: fc.weight },
      { name: 'fc.bias', dims: [numClasses], data: fc.bias },
    ],
    inputs: [{ name: 'clip', shape: ['N', timeSteps ?? 'T', 3, s, s] }],
    outputs: [{ name: 'cls_score', shape: ['N', numClasses] }],
  });
}

/** Writes an onnx-clip model directory (manifest.json, model.onnx, labels.txt) for `model`'s weights. */
export async function writeClipModelDir(
  dir: string,
  model: Model,
  timeSteps: number | undefined,
): Promise<string> {
  const m = model.manifest;
  const manifest = {
    format: m.format,
    formatVersion: m.formatVersion,
    architecture: 'onnx-clip',
    numClasses: m.numClasses,
    inputSize: m.inputSize,
    scaleShortSide: m.scaleShortSide,
    mean: m.mean,
    std: m.std,
    defaultNumSeg: m.defaultNumSeg,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'model.onnx'), clipModelBytes(model, timeSteps));
  await writeFile(join(dir, 'labels.txt'), `${model.labels.join('\n')}\n`);
  return dir;
}
