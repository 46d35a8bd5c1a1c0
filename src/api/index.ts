export { buildApi, API_VERSION } from './server.js';
export { buildOpenApiDocument } from './openapi.js';
export { createTokenCheck, requireBearer, type AuthVerdict } from './auth.js';
export { cameraJson } from './camera-json.js';
export type {
  ApiAuth,
  ApiDeps,
  CameraManager,
  CameraView,
  LastPrediction,
  Readiness,
  RecentEvents,
  RecentEventsQuery,
} from './types.js';
