export {
  resolveModelDir,
  expandHome,
  DEFAULT_MODEL_NAME,
  type ResolveModelDeps,
  type ResolvedModelDir,
} from './resolve-model.js';
export { publishedModels, type PublishedModel, type PublishedName } from './catalog.js';
export { DEMO_MODEL_NAME, ensureDemoModel } from './demo-model.js';
export { downloadFile, DownloadFailure, type DownloadOptions, type DownloadProgress } from './download.js';
export { createProgress, type ProgressLog } from './progress.js';
export { sha256File } from './sha256.js';
