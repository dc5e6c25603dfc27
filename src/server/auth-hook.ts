/**
 * Who is asking: resolves the session cookie into the request context, and guards every declared route.
 *
 * Invariants:
 * - Every request starts anonymous with the empty scope and no permissions; only a live session of an active
 *   account replaces them, with the policy decision for that account. There is no other way to get a scope
 *   on the server (the local-operator scope is for the CLI only).
 * - Every declared route names its permission; `public` routes are the sign-in, the account request, health
 *   and the API description. Anything else needs a session (401) and the permission (403, audited).
 * - Writes need the session's CSRF token in `x-csrf-token` (and a same-origin Origin header when the browser
 *   sends one); the session cookie is SameSite=Strict as a second line.
 * - Denials are audited with the route pattern, never the URL (which may carry filter values).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../runtime/index.ts';
import { AccountError, QuotaExceededError } from '../accounts/index.ts';
import type { Permission } from '../access/index.ts';

export const SESSION_COOKIE = 'parallax_session';

const NO_SCOPE = (principal: string) => ({ principal, grants: [] });
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installSessionResolution(app: FastifyInstance, rt: Runtime, liveSessions: Set<string>): void {
  app.addHook('onRequest', async (req) => {
    const client = req.headers['user-agent']?.slice(0, 200) ?? null;
    req.user = null;
    req.principal = 'anonymous';
    req.role = null;
    req.scope = NO_SCOPE('anonymous');
    req.permissions = new Set();
    req.sessionHash = null;
    req.csrfToken = null;
    req.actor = { principal: 'anonymous', role: null, source: req.ip, client, purpose: null };
    req.chargeDownload = async () => {
      throw new AccountError('unauthorized', 'sign in first');
    };
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await rt.access.sessions.resolve(token);
    if (!session) return;
    let account = await rt.access.accounts.get(session.userName);
    if (!account) return;
    account = await rt.access.accounts.checkRecertification(account);
    if (account.status !== 'active') {
      await rt.access.sessions.end(session.idHash, `account ${account.status}`);
      return;
    }
    if (liveSessions.size > 100_000) liveSessions.clear();
    liveSessions.add(session.idHash);
    const decision = rt.access.decide(account);
    req.user = { name: account.name, displayName: account.displayName, role: account.role, provider: account.provider };
    req.principal = account.name;
    req.role = account.role;
    req.scope = decision.scope;
    req.permissions = decision.permissions;
    req.sessionHash = session.idHash;
    req.csrfToken = session.csrfToken;
    req.actor = { principal: account.name, role: account.role, source: req.ip, client, purpose: session.purpose };
    const owner = account;
    req.chargeDownload = async (c) => {
      try {
        await rt.access.quotas.charge(owner, c);
      } catch (e) {
        if (e instanceof QuotaExceededError) {
          await rt.audit.append({ event: 'lock', principal: owner.name, role: owner.role, source: req.ip, outcome: 'allowed', detail: 'download quota reached', objectIds: [owner.name], rowCount: c.rows });
        }
        throw e;
      }
    };
  });
}

export type RoutePermission = Permission | 'public';

/** The preHandler of one declared route: session, CSRF and permission, in that order. */
export function routeGuard(rt: Runtime, permission: RoutePermission, pattern: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (permission === 'public') return;
    const deny = async (status: number, error: string, message: string) => {
      await rt.audit.append({ event: 'denied', principal: req.principal, role: req.role, source: req.ip, outcome: 'denied', detail: `${req.method} ${pattern}: ${error}` }).catch(() => undefined);
      await reply.status(status).send({ error, message });
    };
    if (!req.user) return deny(401, 'unauthorized', 'sign in first (POST /api/session)');
    if (!SAFE.has(req.method)) {
      const header = req.headers['x-csrf-token'];
      const expected = req.csrfToken ?? '';
      if (typeof header !== 'string' || !expected || !sameToken(header, expected)) return deny(403, 'csrf', 'missing or wrong x-csrf-token header; read it from GET /api/me');
      const origin = req.headers.origin;
      if (origin && origin !== 'null') {
        let host: string | null = null;
        try {
          host = new URL(origin).host;
        } catch {
          host = null;
        }
        if (host !== req.headers.host) return deny(403, 'csrf', 'cross-origin write refused');
      }
    }
    if (!req.permissions.has(permission)) return deny(403, 'forbidden', `your role does not have the permission ${permission}`);
  };
}
