// The cluster roles' share of `tsn serve`'s assembly (docs/scale-out.md): the camera registry is the
// cluster's KV bucket; role infer answers the edges' inference requests and serves that registry's API
// without running a camera, role edge runs the cameras whose lease it holds.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { ActionEvent } from '../domain/index.js';
import type { PipelineInference } from '../inference/pipeline-inference.js';
import type { RecognitionPipeline } from '../pipeline/recognition-pipeline.js';
import type { CameraRuntimeFactory } from '../service/camera-runtime.js';
import type { ClusterRuntime } from '../service/roles/cluster-role.js';
import type { EdgeCameras } from '../service/roles/edge-cameras.js';

export interface RoleContext {
  readonly config: Config;
  readonly log: Logger;
  /** config sources.fileRoots, resolved. */
  readonly fileRoots: readonly string[];
}

export async function startInferRole(
  cluster: ClusterRuntime,
  model: { readonly id: string; readonly featureDim: number },
  inference: PipelineInference,
  { config, log, fileRoots }: RoleContext,
): Promise<EdgeCameras> {
  cluster.startWorker(model.id, model.featureDim, inference);
  await cluster.announce(model.id);
  const registry = await cluster.startEdgeCameras({
    defaults: config.defaults,
    maxCameras: config.sources.maxCameras,
    fileRoots,
    startCamera: () => {
      throw new Error('an infer instance runs no camera');
    },
    endEpisodes: () => undefined,
    seed: [],
  });
  log.info({ model: model.id, instance: cluster.instanceId }, 'ready: inference worker');
  return registry;
}

export async function startEdgeRole(
  cluster: ClusterRuntime,
  modelId: string,
  parts: {
    readonly runtimes: CameraRuntimeFactory;
    readonly pipeline: RecognitionPipeline;
    readonly publishEvent: (event: ActionEvent) => void;
  },
  { config, log, fileRoots }: RoleContext,
): Promise<EdgeCameras> {
  await cluster.announce(modelId);
  const registry = await cluster.startEdgeCameras({
    defaults: config.defaults,
    maxCameras: config.sources.maxCameras,
    fileRoots,
    startCamera: parts.runtimes.start,
    endEpisodes: (id, reason) => parts.pipeline.endEpisodes(id, reason),
    seed: config.cameras,
    publishEvent: parts.publishEvent,
    newId: () => randomUUID(),
  });
  log.info({ instance: cluster.instanceId, seeded: config.cameras.map((c) => c.id) }, 'ready: edge');
  return registry;
}
