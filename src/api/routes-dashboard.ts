// GET / (the dashboard), its two static files, the page's configuration and a token check. The files are
// the committed build of web/dashboard/ (assets/dashboard/, node scripts/build-dashboard.mjs), read once.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TsnError } from '../errors/index.js';
import { requireBearer } from './auth.js';
import type { ApiDeps } from './types.js';

const files = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/dashboard/app.css': ['app.css', 'text/css; charset=utf-8'],
} as const;

// Nothing but this origin: no CDN, no inline script; video comes in as blob: URLs (Media Source).
const contentSecurityPolicy = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "media-src 'self' blob:",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
].join('; ');

export function registerDashboardRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const cache = new Map<string, Buffer>();
  const dir = dashboardAssetsDir();
  for (const [path, [name, type]] of Object.entries(files)) {
    app.get(path, async (_request, reply) => {
      if (dir === undefined)
        throw new TsnError('E_API_NOT_FOUND', 'the dashboard is not installed (assets/dashboard/)');
      let body = cache.get(name);
      if (body === undefined) {
        body = await readFile(join(dir, name));
        cache.set(name, body);
      }
      return noStore(reply).type(type).header('content-security-policy', contentSecurityPolicy).send(body);
    });
  }

  const token = deps.auth.token;
  app.get('/v1/dashboard/config', async (_request, reply) =>
    noStore(reply).send({
      auth: {
        token: token !== undefined,
        mutations: token !== undefined && deps.auth.protectMutations,
        webSocket: token !== undefined && deps.auth.protectWebSocket === true,
      },
      webSocketPath: deps.webSocketPath ?? null,
      livePath: deps.livePath ?? null,
      whipPublishPage: deps.whip === undefined ? null : '/v1/whip/publish.html',
    }),
  );

  // Lets the page check a token before using it (no side effect, unlike a mutation).
  const check =
    token === undefined
      ? undefined
      : requireBearer(token, 'this request needs "Authorization: Bearer <token>"');
  app.get('/v1/dashboard/auth', async (request, reply) => {
    check?.(request, reply);
    return reply.code(204).send();
  });
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache');
}

/** assets/dashboard/ of this package (from dist/src/api/ or src/api/ alike). */
function dashboardAssetsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'assets', 'dashboard');
      return existsSync(join(candidate, 'index.html')) ? candidate : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
