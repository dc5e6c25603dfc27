/**
 * Serves the built web application (web/dist) at `/`, beside the API.
 *
 * Invariants:
 * - Nothing under `/api` is ever answered with the application: an unknown API path stays a JSON 404, so
 *   the web client can tell "this server has no such route" (e.g. no sign-in) from a page.
 * - Any other GET that names no built file gets index.html (the client routes by path), so deep links and
 *   reloads work.
 * - Files under /assets/ carry a content hash in their name, so they are cached for a year as immutable;
 *   index.html is revalidated every time, so a new build is picked up on the next load.
 * - Paths are resolved inside the build folder only; `..` and encoded separators cannot reach other files.
 * - The build folder is looked up per request, so building the app while the server runs needs no restart,
 *   and a server without a build says how to make one instead of failing.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  const full = resolve(root, rel);
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

export function registerStaticFiles(app: FastifyInstance, opts: { root?: string } = {}): void {
  const root = resolve(opts.root ?? DEFAULT_WEB_ROOT);
  // serve: false: only reply.sendFile is added; routing and the fallback are ours (see invariants).
  void app.register(fastifyStatic, { root, serve: false });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(join(root, 'index.html'))) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Parallax web application is not built yet. Run `npm run build:web`, then reload this page. The API is available under /api.\n');
    }
    reply.header('cache-control', REVALIDATE);
    return reply.sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/*', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/')) return reply.status(404).send({ error: 'not_found' });
    if (path === '/' || path === '/index.html') return sendIndex(reply);
    const file = fileIn(root, path);
    if (file) {
      reply.header('cache-control', path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
      return reply.sendFile(file.slice(root.length + 1), root, { cacheControl: false });
    }
    // A missing hashed asset is a stale page asking for an old build: a 404, not the app shell.
    if (path.startsWith('/assets/')) return reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
    return sendIndex(reply);
  });
  app.get('/', async (_req, reply) => sendIndex(reply));
}
