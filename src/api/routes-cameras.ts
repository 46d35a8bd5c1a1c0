// /v1/cameras: list, add, get, patch, delete at run time.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cameraIdSchema, cameraPatchSchema, cameraSchema } from '../config/index.js';
import { TsnError } from '../errors/index.js';
import { cameraJson } from './camera-json.js';
import { validationError } from './errors.js';
import type { CameraManager } from './types.js';

const idParams = z.strictObject({ id: cameraIdSchema });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(what, result.error);
  return result.data;
}

function notFound(id: string): TsnError {
  return new TsnError('E_API_NOT_FOUND', `no camera "${id}"; GET /v1/cameras lists them`, {
    context: { camera: id },
  });
}

export function registerCameraRoutes(app: FastifyInstance, cameras: CameraManager): void {
  app.get('/v1/cameras', async () => ({ cameras: cameras.list().map(cameraJson) }));

  app.post('/v1/cameras', async (request, reply) => {
    const spec = parse(cameraSchema, request.body, 'camera');
    if (cameras.get(spec.id) !== undefined) {
      throw new TsnError(
        'E_API_CONFLICT',
        `camera "${spec.id}" exists; PATCH /v1/cameras/${spec.id} changes it`,
        {
          context: { camera: spec.id },
        },
      );
    }
    const view = await cameras.add(spec);
    return reply.code(201).header('location', `/v1/cameras/${spec.id}`).send(cameraJson(view));
  });

  app.get('/v1/cameras/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'camera id');
    const view = cameras.get(id);
    if (view === undefined) throw notFound(id);
    return cameraJson(view);
  });

  app.patch('/v1/cameras/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'camera id');
    const patch = parse(cameraPatchSchema, request.body, 'camera patch');
    if (cameras.get(id) === undefined) throw notFound(id);
    return cameraJson(await cameras.patch(id, patch));
  });

  app.delete('/v1/cameras/:id', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'camera id');
    if (cameras.get(id) === undefined) throw notFound(id);
    await cameras.remove(id);
    return reply.code(204).send();
  });
}
