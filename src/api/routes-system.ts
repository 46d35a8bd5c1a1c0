// Health, readiness, metrics, recent events and the OpenAPI document.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { validationError } from './errors.js';
import type { ApiDeps } from './types.js';

export const recentEventsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  camera: z.string().min(1).exactOptional(),
  label: z.string().min(1).exactOptional(),
  type: z.enum(['action.started', 'action.ended']).exactOptional(),
});

export function registerSystemRoutes(app: FastifyInstance, deps: ApiDeps, openapi: () => unknown): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = deps.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(text);
  });

  app.get('/v1/events/recent', async (request) => {
    const parsed = recentEventsQuerySchema.safeParse(request.query ?? {});
    if (!parsed.success) throw validationError('query', parsed.error);
    return { events: deps.events.recent(parsed.data) };
  });

  // Role all is not in a cluster: the answer says so rather than 404, so a dashboard can always ask.
  app.get(
    '/v1/cluster',
    async () => deps.cluster?.() ?? { self: null, role: 'all', instances: [], cameras: [] },
  );

  app.get('/openapi.json', async () => openapi());
}
