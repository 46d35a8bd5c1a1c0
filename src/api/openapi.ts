// The OpenAPI 3.1 document of the HTTP API. Request bodies come from the same zod schemas the handlers
// validate with, so the document cannot drift from what is accepted; a test checks every route is in it.
import { z } from 'zod';
import { cameraPatchSchema, cameraSchema } from '../config/index.js';
import { recentEventsQuerySchema } from './routes-system.js';

const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });
/** What every bearer-protected route may answer. */
const tokenErrors = { 401: errorResponse('Token missing'), 403: errorResponse('Token wrong') };
const inputSchema = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
};

const page = (summary: string, type: string) => ({
  get: {
    summary,
    responses: { 200: { description: type, content: { [type]: { schema: { type: 'string' } } } } },
  },
});

const dashboardPaths = {
  '/': page('The dashboard (web/dashboard/)', 'text/html'),
  '/dashboard/app.js': page("The dashboard's script", 'text/javascript'),
  '/dashboard/app.css': page("The dashboard's style sheet", 'text/css'),
  '/v1/dashboard/config': {
    get: {
      summary: 'What the dashboard needs to know: auth, WebSocket and live-view paths',
      responses: { 200: { description: 'Configuration', content: json({ type: 'object' }) } },
    },
  },
  '/v1/dashboard/auth': {
    get: {
      summary: 'Checks a bearer token without side effects',
      security: [{ bearer: [] }],
      responses: {
        204: { description: 'The token is accepted (or none is configured)' },
        401: errorResponse('No token given'),
        403: errorResponse('Wrong token'),
      },
    },
  },
};

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
};
const bearer = [{ bearer: [] }];

function queryParameters(schema: z.ZodObject) {
  const jsonSchema = inputSchema(schema) as { properties?: Record<string, unknown> };
  return Object.entries(jsonSchema.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
}

const sdp = { 'application/sdp': { schema: { type: 'string' } } };
const whipCamera = {
  name: 'camera',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
};
const whipSession = { name: 'session', in: 'path', required: true, schema: { type: 'string' } };

/** WHIP (RFC 9725) ingest routes, present when the service runs a WhipHub (src/api/routes-whip.ts). */
const whipPaths = {
  '/v1/whip/{camera}': {
    parameters: [whipCamera],
    options: {
      summary: 'WHIP: allowed methods and accepted body type',
      responses: { 204: { description: 'Allow: OPTIONS, POST' } },
    },
    post: {
      summary: 'WHIP: publish a WebRTC stream to a whip:// camera (SDP offer in, SDP answer out)',
      security: bearer,
      requestBody: { required: true, content: sdp },
      responses: {
        201: { description: 'Session created; Location names it', content: sdp },
        400: errorResponse('Not an SDP offer the service can answer'),
        ...tokenErrors,
        404: errorResponse('No whip:// camera with that id'),
        409: errorResponse('The camera already has a publisher'),
      },
    },
  },
  '/v1/whip/{camera}/sessions/{session}': {
    parameters: [whipCamera, whipSession],
    delete: {
      summary: 'WHIP: end the session',
      security: bearer,
      responses: { 200: { description: 'Ended' }, 404: errorResponse('No such session') },
    },
    patch: {
      summary: 'WHIP: trickle ICE / ICE restart (not supported)',
      security: bearer,
      responses: { 405: { description: 'Allow: DELETE' } },
    },
  },
  '/v1/whip/publish.html': {
    get: {
      summary: 'A browser page publishing its camera over WHIP',
      responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/publish': {
    get: { summary: 'Redirects to /v1/whip/publish.html', responses: { 302: { description: 'Redirect' } } },
  },
};

function specProperties(): Record<string, unknown> {
  return (inputSchema(cameraSchema) as { properties?: Record<string, unknown> }).properties ?? {};
}

export function buildOpenApiDocument(options: {
  readonly version: string;
  readonly webSocketPath?: string;
  readonly livePath?: string;
  readonly whip?: boolean;
}) {
  const paths: Record<string, unknown> = {
    '/v1/cameras': {
      get: {
        summary: 'List cameras',
        responses: {
          200: {
            description: 'All cameras',
            content: json({
              type: 'object',
              properties: { cameras: { type: 'array', items: ref('Camera') } },
            }),
          },
        },
      },
      post: {
        summary: 'Add a camera (starts it unless enabled is false; persisted to the state file)',
        security: bearer,
        requestBody: { required: true, content: json(ref('CameraSpec')) },
        responses: {
          201: { description: 'Added', content: json(ref('Camera')) },
          400: errorResponse('Invalid camera (E_API_VALIDATION)'),
          ...tokenErrors,
          409: errorResponse('Id exists (E_API_CONFLICT)'),
        },
      },
    },
    '/v1/cameras/{id}': {
      parameters: [idParameter],
      get: {
        summary: 'One camera: settings, status, fps, last prediction, counters',
        responses: {
          200: { description: 'The camera', content: json(ref('Camera')) },
          404: errorResponse('No such camera'),
        },
      },
      patch: {
        summary: 'Change a camera (restarts only that camera)',
        security: bearer,
        requestBody: { required: true, content: json(ref('CameraPatch')) },
        responses: {
          200: { description: 'Changed', content: json(ref('Camera')) },
          400: errorResponse('Invalid patch'),
          ...tokenErrors,
          404: errorResponse('No such camera'),
        },
      },
      delete: {
        summary: 'Remove a camera (stops it; persisted to the state file)',
        security: bearer,
        responses: {
          204: { description: 'Removed' },
          ...tokenErrors,
          404: errorResponse('No such camera'),
        },
      },
    },
    '/v1/events/recent': {
      get: {
        summary: 'Recent action events, newest first (bounded ring)',
        parameters: queryParameters(recentEventsQuerySchema),
        responses: {
          200: {
            description: 'Events (same JSON as NATS and WebSocket)',
            content: json({
              type: 'object',
              properties: { events: { type: 'array', items: { type: 'object' } } },
            }),
          },
          400: errorResponse('Invalid query'),
        },
      },
    },
    '/v1/cluster': {
      get: {
        summary: 'Scale-out: live instances (role, models, cameras, load) and camera owners with lease ages',
        responses: {
          200: {
            description: 'role all: { role: "all", instances: [], cameras: [] } (docs/scale-out.md)',
            content: json({ type: 'object' }),
          },
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'The process is up' } } } },
    '/readyz': {
      get: {
        summary: 'Readiness: model loaded, sources started',
        responses: {
          200: { description: 'Ready' },
          503: { description: 'Not ready; checks says what is missing' },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        responses: {
          200: {
            description: 'Text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
    },
  };
  if (options.whip === true) Object.assign(paths, whipPaths);
  Object.assign(paths, dashboardPaths);
  if (options.livePath !== undefined) {
    paths[`${options.livePath}{camera}`] = {
      get: {
        summary: 'WebSocket upgrade: live view of a camera as fragmented MP4 (docs/live-view.md)',
        responses: {
          101: { description: 'Switching protocols' },
          401: { description: 'Token required (server.auth.protectWebSocket)' },
          404: { description: 'No such camera' },
        },
      },
    };
  }
  if (options.webSocketPath !== undefined) {
    paths[options.webSocketPath] = {
      get: {
        summary:
          'WebSocket upgrade: action events (filters: cameras, labels, types, minScore as query or first message)',
        responses: {
          101: { description: 'Switching protocols' },
          401: { description: 'Token required (server.auth.protectWebSocket)' },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tsn-stream',
      version: options.version,
      description: 'Real-time action recognition service',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CameraSpec: inputSchema(cameraSchema),
        CameraPatch: inputSchema(cameraPatchSchema),
        Camera: {
          // Not allOf CameraSpec: that schema forbids extra keys, and a response adds the runtime ones.
          type: 'object',
          description: 'The camera spec (URL credentials shown as ***) plus its runtime state',
          required: ['id', 'url', 'enabled', 'status', 'fps', 'lastPrediction', 'counters'],
          properties: {
            ...specProperties(),
            status: {
              type: 'object',
              properties: {
                state: { enum: ['connecting', 'streaming', 'backoff', 'failed', 'stopped'] },
                width: {
                  type: 'integer',
                  description:
                    "streaming: width of the frames the pipeline receives (after scale and crop, 224 by default), not the camera's",
                },
                height: { type: 'integer', description: 'streaming: height of those frames' },
              },
            },
            fps: { type: 'number' },
            lastPrediction: { type: ['object', 'null'] },
            counters: { type: 'object', additionalProperties: { type: 'number' } },
            owner: {
              type: ['string', 'null'],
              description:
                'Cluster roles only: the edge holding the lease (null while none does); status and counters are live only there',
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}
