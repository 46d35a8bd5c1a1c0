// WHIP (RFC 9725): POST /v1/whip/:camera with an SDP offer -> 201 + answer + Location of the session;
// DELETE on the Location ends it; PATCH (trickle ICE / ICE restart) is not supported: 405. The answer
// carries every ICE candidate (gathering completes before it is sent), so publishers need no trickle.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TsnError } from '../errors/index.js';
import { requireBearer } from './auth.js';
import { registerErrorHandler, sendError } from './errors.js';
import { publishPageHtml } from './publish-page.js';
import type { ApiAuth } from './types.js';

/** The WHIP side of the service (implemented by sources/webrtc's WhipHub). */
export interface WhipIngest {
  publish(
    cameraId: string,
    offerSdp: string,
    options: { readonly replace: boolean },
  ): Promise<{ readonly sessionId: string; readonly answerSdp: string }>;
  end(cameraId: string, sessionId: string): Promise<boolean>;
}

export interface WhipRouteDeps {
  readonly whip: WhipIngest;
  readonly auth: ApiAuth;
}

const cameraIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Registers the WHIP routes in their own fastify scope, with the API's error handler, so they answer the
 * same way whether mounted by buildApi or on a bare fastify instance (the WebRTC tests).
 */
export function registerWhipRoutes(app: FastifyInstance, deps: WhipRouteDeps): void {
  void app.register(async (scope) => {
    registerErrorHandler(scope);
    registerRoutes(scope, deps);
  });
}

function registerRoutes(app: FastifyInstance, deps: WhipRouteDeps): void {
  app.addContentTypeParser(
    ['application/sdp', 'application/trickle-ice-sdpfrag'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  const authorize =
    deps.auth.token === undefined
      ? () => undefined
      : requireBearer(deps.auth.token, 'WHIP needs "Authorization: Bearer <token>"');

  app.get('/v1/whip/publish.html', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(publishPageHtml),
  );
  app.get('/publish', async (_request, reply) => reply.redirect('/v1/whip/publish.html'));

  app.options('/v1/whip/:camera', async (_request, reply) =>
    reply.code(204).header('allow', 'OPTIONS, POST').header('accept-post', 'application/sdp').send(),
  );

  app.post('/v1/whip/:camera', async (request, reply) => {
    authorize(request, reply);
    const camera = cameraParam(request);
    if (camera === undefined)
      throw new TsnError('E_WHIP_NOT_FOUND', 'camera id: 1-64 characters from A-Z a-z 0-9 _ -');
    if (!isSdp(request)) {
      const error = new TsnError(
        'E_WHIP_SDP',
        'a WHIP offer must be sent with Content-Type: application/sdp',
      );
      return sendError(reply, error, 415);
    }
    const replace = ['1', 'true'].includes(String((request.query as Record<string, unknown>).replace ?? ''));
    const { sessionId, answerSdp } = await deps.whip.publish(camera, String(request.body ?? ''), {
      replace,
    });
    return reply
      .code(201)
      .header('location', `/v1/whip/${camera}/sessions/${sessionId}`)
      .header('etag', `"${sessionId}"`)
      .type('application/sdp')
      .send(answerSdp);
  });

  app.delete('/v1/whip/:camera/sessions/:session', async (request, reply) => {
    authorize(request, reply);
    const camera = cameraParam(request);
    const { session } = request.params as { session: string };
    if (camera === undefined || !(await deps.whip.end(camera, session))) {
      throw new TsnError('E_WHIP_NOT_FOUND', `no live WHIP session ${session} on camera ${String(camera)}`);
    }
    return reply.code(200).send();
  });

  app.patch('/v1/whip/:camera/sessions/:session', async (request, reply) => {
    authorize(request, reply);
    // Trickle ICE and ICE restarts are not supported (RFC 9725 §4.3.1): the answer already holds every
    // candidate; a publisher that loses its connection POSTs a new offer instead.
    return reply.code(405).header('allow', 'DELETE').send();
  });
}

function cameraParam(request: FastifyRequest): string | undefined {
  const { camera } = request.params as { camera: string };
  return cameraIdPattern.test(camera) ? camera : undefined;
}

function isSdp(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/sdp';
}
