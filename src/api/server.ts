// Builds the fastify app (not listening): routes, auth on mutations, one error shape for everything.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { TsnError } from '../errors/index.js';
import { requireBearer } from './auth.js';
import { registerErrorHandler, sendError } from './errors.js';
import { hostAllowed, hostNameOf, type HostPolicy } from './request-guard.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerCameraRoutes } from './routes-cameras.js';
import { registerDashboardRoutes } from './routes-dashboard.js';
import { registerSystemRoutes } from './routes-system.js';
import { registerWhipRoutes } from './routes-whip.js';
import type { ApiAuth, ApiDeps } from './types.js';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const API_VERSION = '1.0.0';

export function buildApi(deps: ApiDeps): FastifyInstance {
  const logger = deps.logger;
  const app = Fastify({
    // Per-request lines are at info level: the API's own logger starts at warn to keep the log about cameras.
    ...(logger === undefined || logger === false
      ? { logger: false }
      : { loggerInstance: (logger as FastifyBaseLogger).child({ component: 'http' }, { level: 'warn' }) }),
    bodyLimit: 64 * 1024,
  });
  if (deps.hosts !== undefined) registerHostCheck(app, deps.hosts);
  registerAuth(app, deps.auth);
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new TsnError(
        'E_API_NOT_FOUND',
        `no route ${request.method} ${request.url}; GET /openapi.json lists them`,
      ),
    ),
  );
  registerErrorHandler(app);
  let openapi: unknown;
  const openapiDocument = () =>
    (openapi ??= buildOpenApiDocument({
      version: API_VERSION,
      whip: deps.whip !== undefined,
      ...(deps.webSocketPath === undefined ? {} : { webSocketPath: deps.webSocketPath }),
      ...(deps.livePath === undefined ? {} : { livePath: deps.livePath }),
    }));
  registerCameraRoutes(app, deps.cameras);
  registerSystemRoutes(app, deps, openapiDocument);
  if (deps.whip !== undefined) registerWhipRoutes(app, { whip: deps.whip, auth: deps.auth });
  registerDashboardRoutes(app, deps);
  return app;
}

function registerHostCheck(app: FastifyInstance, hosts: HostPolicy): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.host;
    if (hostAllowed(header, hosts)) return;
    throw new TsnError(
      'E_API_HOST',
      `this service does not answer for host ${JSON.stringify(hostNameOf(header) ?? header ?? '')}; ` +
        'add it to server.allowedHosts if clients reach the service under that name',
    );
  });
}

function registerAuth(app: FastifyInstance, auth: ApiAuth): void {
  if (auth.token === undefined || !auth.protectMutations) return;
  const require = requireBearer(auth.token, 'this request needs "Authorization: Bearer <token>"');
  app.addHook('onRequest', async (request, reply) => {
    if (mutatingMethods.has(request.method)) require(request, reply);
  });
}
