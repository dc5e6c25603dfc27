/**
 * The HTTP application. Built from a Runtime so tests run it through `app.inject` without a socket, and
 * `serve` listens on loopback by default.
 *
 * Until sign-in exists (security work), every request runs as the local operator of the data directory;
 * the principal/scope hook below is the single place that will change.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { localOperatorScope } from '../query/index.ts';
import { errorHandler } from './error-mapping.ts';
import { openApiDocument, registerRoute, type ApiRoute } from './api-route.ts';
import { exploreRoutes } from './explore-routes.ts';
import { measureRoutes } from './measure-routes.ts';
import { anomalyRoutes } from './anomaly-routes.ts';
import { screenRoutes } from './screen-routes.ts';
import './request-context.ts';

export const API_VERSION = '0.1.0';

export function buildApp(rt: Runtime, opts: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1 << 20 });
  app.decorateRequest('principal', '');
  app.decorateRequest('role', null);
  app.decorateRequest('scope', null as never);
  app.decorateRequest('user', null);
  app.decorateRequest('permissions', null as never);
  app.decorateRequest('actor', null as never);
  app.decorateRequest('sessionHash', null);
  app.decorateRequest('chargeDownload', null as never);
  app.addHook('onRequest', async (req, reply) => {
    req.principal = 'local-operator';
    req.role = null;
    req.scope = localOperatorScope();
    req.chargeDownload = async () => undefined;
    req.actor = { principal: req.principal, role: null, source: req.ip, client: req.headers['user-agent']?.slice(0, 200) ?? null, purpose: null };
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
    reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: 'not_found' });
  });

  const routes: ApiRoute<z.ZodType>[] = [...exploreRoutes(rt), ...measureRoutes(rt), ...anomalyRoutes(rt), ...screenRoutes(rt)];
  for (const r of routes) registerRoute(app, r);
  const doc = openApiDocument(routes, API_VERSION);
  app.get('/api/openapi.json', async () => doc);
  app.get('/api/health', async () => ({ status: 'ok' }));
  return app;
}
