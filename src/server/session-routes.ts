/**
 * Sign-in, sign-out and "who am I". The session token travels only in an HttpOnly, Secure, SameSite=Strict
 * cookie; the CSRF token is returned in the body for the client to echo on writes.
 *
 * Invariants: the sign-in audit record names the account tried (or `invalid-name` when the name is not a
 * well-formed account name, so arbitrary strings never enter the log), the outcome and, for a refusal, the
 * real reason (unknown account, wrong password, account locked ...) that the caller is not told (sign-in.ts);
 * the password never appears anywhere. A sign-in refused by the rate limit is audited too (error-mapping.ts). Before sign-in, GET /api/session/settings tells the form whether a purpose is required
 * and answers nothing else (no account, policy or data detail).
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../runtime/index.ts';
import { AccountError, SignInRefusedError, type Account } from '../accounts/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { SESSION_COOKIE } from './auth-hook.ts';
import type { Session, SessionSettings } from '../api-contract/index.ts';

const signInBody = z
  .object({
    name: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    purpose: z.string().max(200).optional().describe('purpose or case reference of this session'),
  })
  .strict();

export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export async function meBody(rt: Runtime, req: FastifyRequest, account: Account, csrfToken: string, purpose: string | null): Promise<Session> {
  const d = rt.access.decide(account);
  const quota = await rt.access.quotas.usage(account);
  return {
    user: { name: account.name, displayName: account.displayName, role: account.role, provider: account.provider, agency: account.agency },
    permissions: [...d.permissions].sort(),
    scope: { grants: d.scope.grants },
    csrfToken,
    requiresPurpose: rt.access.settings.requirePurpose,
    purpose,
    policyVersion: rt.access.policies.version,
    quota,
    session: { idleMinutes: rt.access.settings.idleMs / 60_000, absoluteHours: rt.access.settings.absoluteMs / 3_600_000 },
    source: req.ip,
  };
}

export function sessionRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const cookie = (reply: FastifyReply, token: string, maxAgeS: number) =>
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: maxAgeS });
  return [
    defineRoute({
      method: 'POST',
      path: '/api/session',
      summary: 'Sign in with name and password (and purpose when the deployment requires one); sets the session cookie',
      permission: 'public',
      body: signInBody,
      rateLimit: { max: rt.access.settings.signInRatePerMinute, timeWindow: 60_000 },
      handler: async (req, _q, reply, b: z.infer<typeof signInBody>) => {
        const who = ACCOUNT_NAME.test(b.name) ? b.name : 'invalid-name';
        const client = req.headers['user-agent']?.slice(0, 200) ?? null;
        try {
          const r = await rt.access.signIn({ name: b.name, password: b.password, purpose: b.purpose ?? null, source: req.ip, client });
          await rt.audit.append({ event: 'sign-in', principal: r.account.name, role: r.account.role, source: req.ip, client, purpose: r.session.purpose, outcome: 'allowed', objectIds: [r.account.name] });
          cookie(reply, r.token, Math.floor(rt.access.settings.absoluteMs / 1000));
          return meBody(rt, req, r.account, r.session.csrfToken, r.session.purpose);
        } catch (e) {
          if (e instanceof AccountError) {
            // The real reason is kept for auditors (the caller got the one answer every refusal gets).
            const detail = e instanceof SignInRefusedError ? e.refusal : e.kind;
            await rt.audit.append({ event: 'sign-in', principal: who, role: null, source: req.ip, client, outcome: 'denied', detail });
            // Exactly one lock event: the attempt whose failure locked the account (never a later one).
            if (e instanceof SignInRefusedError && e.lockedNow) {
              await rt.audit.append({ event: 'lock', principal: who, role: null, source: req.ip, client, outcome: 'allowed', detail: 'failed sign-ins', objectIds: [who] });
            }
          }
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/session',
      summary: 'Sign out: ends the session and clears the cookie',
      permission: 'session:me',
      handler: async (req, _q, reply) => {
        if (req.sessionHash) await rt.access.sessions.end(req.sessionHash, 'sign-out');
        await rt.audit.append({ event: 'sign-out', principal: req.principal, role: req.role, source: req.ip, outcome: 'allowed' });
        reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
        return reply.status(204).send();
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/session/settings',
      summary: 'What the sign-in form must ask for before a session exists: whether this deployment requires a purpose',
      permission: 'public',
      query: z.object({}).strict(),
      // Public and unaudited like health: it reveals one deployment switch the sign-in form shows anyway,
      // nothing about accounts or data, and it is read by every visit to the sign-in page.
      handler: async (): Promise<SessionSettings> => ({ requirePurpose: rt.access.settings.requirePurpose }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/me',
      summary: 'The signed-in account: role, permissions, scope, CSRF token, download quota use',
      permission: 'session:me',
      handler: async (req) => {
        const account = await rt.access.accounts.get(req.principal);
        if (!account || !req.csrfToken) throw new AccountError('unauthorized', 'sign in first');
        return meBody(rt, req, account, req.csrfToken, req.actor.purpose ?? null);
      },
    }),
  ];
}
