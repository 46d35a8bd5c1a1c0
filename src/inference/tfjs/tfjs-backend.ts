import { TsnError } from '../../errors/index.js';
import type { Model } from '../../model/types.js';
import type { Backend, BackendOptions } from '../backend.js';
import { checkFeatures, checkImages } from '../check-input.js';
import { resnetPlan } from '../resnet/plan.js';
import { buildTfResNet, backboneForward, headForward } from './tfjs-resnet.js';
import { type Tf, loadTfRuntime } from './tfjs-runtime.js';
import type * as tfTypes from '@tensorflow/tfjs';

async function readAndDispose(tf: Tf, compute: () => tfTypes.Tensor, what: string): Promise<Float32Array> {
  let out: tfTypes.Tensor | undefined;
  try {
    out = tf.tidy(compute);
    const data = await out.data();
    if (!(data instanceof Float32Array)) throw new Error(`${what} is not float32`);
    return data;
  } catch (error) {
    throw new TsnError('E_BACKEND_RUN', `tfjs failed to compute ${what}.`, { cause: error });
  } finally {
    out?.dispose();
  }
}

/**
 * The same network as the onnx backend, written with tfjs ops in NHWC. options.executionProviders and
 * options.threads do not apply: tfjs's wasm backend runs one thread under Node.
 */
export async function createTfjsBackend(model: Model, _options: BackendOptions): Promise<Backend> {
  const { inputSize, numClasses, depth } = model.manifest;
  const plan = resnetPlan(depth);
  const featureDim = plan.featureDim;
  const { tf, flavour } = await loadTfRuntime();
  const net = buildTfResNet(tf, plan, model.weights, numClasses);
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new TsnError('E_BACKEND_RUN', 'The tfjs backend was closed; create a new one.');
  };
  return {
    name: 'tfjs',
    description: `tfjs ${flavour}`,
    featureDim,
    numClasses,
    inputSize,
    async features(images, count) {
      checkImages(images, count, inputSize);
      ensureOpen();
      if (count === 0) return new Float32Array(0);
      return readAndDispose(tf, () => backboneForward(tf, net, images, count, inputSize), 'features');
    },
    async head(features, windows, perWindow) {
      checkFeatures(features, windows, perWindow, featureDim);
      ensureOpen();
      if (windows === 0) return new Float32Array(0);
      return readAndDispose(
        tf,
        () => headForward(tf, net, features, windows, perWindow, featureDim),
        'logits',
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of net.tensors) t.dispose();
    },
  };
}
