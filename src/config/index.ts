export { loadConfig, natsServers, type LoadConfigOptions, type ConfigIssue } from './load.js';
export { CLUSTER_ROLES, type ClusterConfig, type ClusterRoleName } from './schema-cluster.js';
export { configSchema, MODEL_NAMES, type Config, type ConfigInput, type ModelName } from './schema.js';
export {
  cameraSchema,
  cameraPatchSchema,
  cameraIdSchema,
  cameraDefaultsSchema,
  type CameraSpec,
  type CameraSpecInput,
  type CameraPatch,
  type CameraDefaults,
} from './schema-camera.js';
export { dropUndefined, resolveCamera, type ResolvedCamera } from './resolve-camera.js';
export type { ConfigFlags } from './flags.js';
export { generateConfigJsonSchema, configJsonSchemaText } from './json-schema.js';
export { deepFreeze } from './object-path.js';
export { assertSafeExposure, isLoopbackHost } from './exposure.js';
export { checkConfigLabels } from './check-labels.js';
