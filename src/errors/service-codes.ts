// Configuration, model selection/download, HTTP API, publishers, the service runtime.
import type { ErrorCatalog } from './catalog.js';

export const serviceErrors = {
  E_CONFIG: { status: 400 },
  E_CONFIG_UNKNOWN_KEY: { status: 400 },
  E_CONFIG_YAML: { status: 400 },
  E_CONFIG_FILE: { status: 400 },
  E_CONFIG_ENV: { status: 400 },
  E_CONFIG_FLAG: { status: 400 },
  E_CONFIG_UNSAFE_BIND: { status: 400 },
  /** cluster.role edge or infer without a NATS server to coordinate through. */
  E_CONFIG_CLUSTER_NATS: { status: 400 },
  E_USAGE: {},
  E_MODEL_OFFLINE: {},
  E_MODEL_DOWNLOAD: {},
  E_MODEL_UNKNOWN_NAME: {},
  E_STATE_FILE: {},
  E_API_VALIDATION: { status: 400 },
  E_API_BAD_REQUEST: { status: 400 },
  E_API_NOT_FOUND: { status: 404 },
  E_API_CONFLICT: { status: 409 },
  E_API_UNAUTHORIZED: { status: 401 },
  E_API_FORBIDDEN: { status: 403 },
  E_API_HOST: { status: 421 },
  E_API_INTERNAL: { status: 500 },
  E_SERVICE_START: {},
  E_SERVICE_STARTING: { status: 503 },
  /** A throw that escaped every guard (reached rxjs's onUnhandledError); logged and counted, never fatal. */
  E_SERVICE_UNHANDLED: {},
} as const satisfies ErrorCatalog;
