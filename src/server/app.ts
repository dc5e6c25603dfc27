/**
 * The HTTP application. Built from a Runtime so tests run it through `app.inject` without a socket, and
 * `serve` listens on loopback by default.
 *
 * Invariants: every request is resolved to a signed-in account (or anonymous) before any route runs, and
 * every API route is declared with a permission that a guard checks first (auth-hook.ts); the request's
 * scope comes only from the policy decision for that account. Security headers go on every response.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { tokenHash } from '../accounts/index.ts';
import { errorHandler } from './error-mapping.ts';
import { openApiDocument, registerRoute, type ApiRoute } from './api-route.ts';
import { exploreRoutes } from './explore-routes.ts';
import { measureRoutes } from './measure-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { anomalyRoutes } from './anomaly-routes.ts';
import { screenRoutes } from './screen-routes.ts';
import { partyRoutes } from './party-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { privacyRoutes } from './privacy-routes.ts';
import './request-context.ts';
import { installSessionResolution, routeGuard, SESSION_COOKIE, type RoutePermission } from './auth-hook.ts';
import { ACCOUNT_NAME, sessionRoutes } from './session-routes.ts';
import { accountRoutes } from './account-routes.ts';
import { exportRoutes } from './export-routes.ts';
import { referenceRoutes } from './reference-routes.ts';
import { lineLinkRoutes } from './line-link-routes.ts';
import { entryHitRoutes } from './entry-hit-routes.ts';
import { registerStaticFiles } from './static-files.ts';

export const API_VERSION = '0.1.0';

export function buildApp(rt: Runtime, opts: { logger?: boolean } = {}): FastifyInstance {
  // Load and validate the policies now: a server with a broken policy file must not start.
  void rt.access.policies.version;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1 << 20 });
  app.decorateRequest('principal', '');
  app.decorateRequest('role', null);
  app.decorateRequest('scope', null as never);
  app.decorateRequest('user', null);
  app.decorateRequest('permissions', null as never);
  app.decorateRequest('actor', null as never);
  app.decorateRequest('sessionHash', null);
  app.decorateRequest('chargeDownload', null as never);
  app.decorateRequest('csrfToken', null);
  void app.register(cookie);
  // Sessions seen live by this server, for rate-limit keys only (a stale entry merely keys by session).
  const liveSessions = new Set<string>();
  void app.register(rateLimit, {
    global: true,
    max: rt.access.settings.requestRatePerMinute,
    timeWindow: 60_000,
    // Per session when signed in (many analysts may share one NAT address), per address otherwise.
    keyGenerator: (req) => {
      // Per live session (many analysts may share one NAT address); anything else per address, so inventing
      // fresh cookie values does not buy a fresh allowance.
      const token = req.cookies?.[SESSION_COOKIE];
      const hash = token ? tokenHash(token) : null;
      return hash && liveSessions.has(hash) ? `s:${hash}` : `a:${req.ip}`;
    },
  });
  installSessionResolution(app, rt, liveSessions);
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
    reply.header('cache-control', 'no-store');
    reply.header('strict-transport-security', 'max-age=31536000');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  });
  app.setErrorHandler(async (error, req, reply) => {
    // A request refused by a rate limit is audited like any refusal: a sign-in as a sign-in attempt with the
    // name it tried (password guessing at the limit shows in the trail), anything else as `rate-limited`.
    if ((error as { statusCode?: number })?.statusCode === 429) {
      const signIn = req.method === 'POST' && req.routeOptions.url === '/api/session';
      const tried = (req.body as { name?: unknown } | undefined)?.name;
      const principal = signIn ? (typeof tried === 'string' && ACCOUNT_NAME.test(tried) ? tried : 'invalid-name') : req.principal;
      await rt.audit
        .append({ event: signIn ? 'sign-in' : 'rate-limited', principal, role: signIn ? null : req.role, source: req.ip, client: req.headers['user-agent']?.slice(0, 200) ?? null, outcome: 'denied', detail: signIn ? 'rate-limited' : `${req.method} ${req.routeOptions.url ?? 'unknown route'}: rate-limited` })
        .catch(() => undefined);
    }
    errorHandler(error, req, reply);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: 'not_found' });
  });

  const routes: ApiRoute<z.ZodType>[] = [
    ...sessionRoutes(rt),
    ...accountRoutes(rt),
    ...exploreRoutes(rt),
    ...measureRoutes(rt),
    ...reportRoutes(rt),
    ...anomalyRoutes(rt),
    ...screenRoutes(rt),
    ...partyRoutes(rt),
    ...auditRoutes(rt),
    ...privacyRoutes(rt),
    ...exportRoutes(rt),
    ...referenceRoutes(rt),
    ...lineLinkRoutes(rt),
    ...entryHitRoutes(rt),
  ];
  const guard = (permission: RoutePermission, pattern: string) => routeGuard(rt, permission, pattern);
  // Routes are added inside a plugin registered after the rate limiter, so its per-route limits apply.
  void app.register(async (api) => {
    for (const r of routes) registerRoute(api, r, guard);
  });
  const doc = openApiDocument(routes, API_VERSION);
  app.get('/api/openapi.json', async () => doc);
  app.get('/api/health', async () => ({ status: 'ok' }));
  registerStaticFiles(app);
  return app;
}
