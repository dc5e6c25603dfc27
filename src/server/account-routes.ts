/**
 * The account workflow over HTTP (access.md): request (no sign-in), supervisor approval, administrator
 * activation, rejection, renewal after recertification, unlock with a written reason; every account's
 * download quota use; the policy files for the security administrator.
 *
 * Invariants: every step is audited with the account name as the object id and the acting principal; the
 * service enforces "no self-service" and status transitions, the routes only translate; no response carries
 * a password hash.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../access/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { AccountError, type Account } from '../accounts/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { Account as AccountView, AccountQuota, AccountRequested, Policies } from '../api-contract/index.ts';

const idParam = (params: unknown): number => {
  const id = Number((params as { id?: string }).id);
  if (!Number.isSafeInteger(id) || id < 1) throw new AccountError('bad_request', 'id: expected a positive account number');
  return id;
};

const requestBody = z
  .object({
    name: z.string().min(3).max(64),
    displayName: z.string().min(1).max(200),
    agency: z.string().min(1).max(200),
    supervisor: z.string().min(3).max(64),
    role: z.string().min(1).max(64),
    justification: z.string().min(1).max(2000),
    password: z.string().min(1).max(1024),
    provider: z.string().max(10).optional(),
  })
  .strict();
const reasonBody = z.object({ reason: z.string().min(1).max(1000) }).strict();
const activateBody = z.object({ trainingAttestedAt: z.string().max(40).optional() }).strict();
const renewBody = z.object({ trainingAttestedAt: z.string().max(40), reviewDueAt: z.string().max(40).optional() }).strict();
const listQuery = z.object({ status: z.enum(['requested', 'approved', 'active', 'suspended', 'locked', 'disabled', 'rejected']).optional() }).strict();

/** What an account looks like to the people managing it. */
function view(a: Account): AccountView {
  return a;
}

export function accountRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const actor = (req: FastifyRequest) => ({ name: req.principal, permissions: req.permissions });
  /** One step of the workflow on account :id: parse, run the service's guarded transition, audit. */
  const transition = <B extends z.ZodType>(
    step: string,
    summary: string,
    permission: Permission,
    body: B,
    event: string,
    run: (id: number, req: FastifyRequest, b: z.infer<B>) => Promise<Account>,
    detail: (b: z.infer<B>) => string | null = () => null,
  ) =>
    defineRoute({
      method: 'POST',
      path: `/api/accounts/:id/${step}`,
      summary,
      permission,
      body,
      handler: async (req, _q, _r, b: z.infer<B>) => {
        const id = idParam(req.params);
        return view(await audited(rt.audit, req.actor, event, detail(b), () => run(id, req, b), (a) => ({ objectIds: [a.name] })));
      },
    });
  return [
    defineRoute({
      method: 'POST',
      path: '/api/accounts/requests',
      summary: 'Request an account (name, agency, supervisor, role, justification, password); the supervisor approves, an administrator activates',
      permission: 'public',
      body: requestBody,
      rateLimit: { max: rt.access.settings.signInRatePerMinute, timeWindow: 60_000 },
      handler: async (req, _q, reply, b: z.infer<typeof requestBody>) => {
        // The answer is the same whether the request was recorded or refused because the name is taken or
        // the supervisor is not an active account: an anonymous caller must not learn which names exist.
        // Auditors see the outcome and its reason.
        const principal = /^[a-z0-9][a-z0-9._-]{2,63}$/.test(b.name) ? b.name : 'invalid-name';
        const role = `role=${/^[a-z-]{1,40}$/.test(b.role) ? b.role : 'invalid'}`;
        const r = await audited(rt.audit, { ...req.actor, principal }, 'account-request', role, () => rt.access.accounts.request(b), (x) => ({ objectIds: x.recorded ? [x.recorded.name] : [] }), (x) =>
          x.refusal ? { outcome: 'denied', detail: `${role} not recorded: ${x.refusal}` } : {},
        );
        return reply.status(202).send({
          name: b.name,
          status: 'requested',
          supervisor: b.supervisor,
          message: `it waits for ${b.supervisor} to approve it, then for an administrator to activate it, provided ${b.supervisor} is your supervisor's active account and the name ${b.name} is free. If your supervisor does not see it, check both names with them.`,
        } satisfies AccountRequested);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/accounts',
      summary: 'Accounts and requests (read-only for auditors)',
      permission: 'accounts:read',
      query: listQuery,
      handler: async (req, q: z.infer<typeof listQuery>) =>
        audited(rt.audit, req.actor, 'view-accounts', q.status ? `status=${q.status}` : null, async () => (await rt.access.accounts.list(q)).map(view), (r) => ({ rowCount: r.length })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/accounts/quotas',
      summary: 'Download quota use of every activated account: allowance of its role, rows and bytes used in the current 30-day window, quota locks',
      permission: 'accounts:read',
      handler: async (req) =>
        audited(rt.audit, req.actor, 'view-accounts', 'download quotas', async (): Promise<AccountQuota[]> => rt.access.quotas.list(), (r) => ({ rowCount: r.length })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/accounts/approvals',
      summary: 'Account requests waiting for the signed-in user as supervisor',
      permission: 'accounts:approve',
      handler: async (req) =>
        audited(rt.audit, req.actor, 'view-accounts', 'pending approvals', async () => (await rt.access.accounts.list({ status: 'requested' })).filter((a) => a.supervisor === req.principal).map(view), (r) => ({ rowCount: r.length })),
    }),
    transition('approve', 'Approve a request as its named supervisor', 'accounts:approve', z.object({}).strict(), 'account-approve', (id, req) => rt.access.accounts.approve(id, actor(req))),
    transition('reject', 'Reject a request, with a reason (supervisor or administrator)', 'accounts:approve', reasonBody, 'account-reject', (id, req, b) => rt.access.accounts.reject(id, actor(req), b.reason)),
    transition('activate', 'Activate an approved request (administrative roles need a master administrator)', 'accounts:activate', activateBody, 'account-activate', (id, req, b) =>
      rt.access.accounts.activate(id, actor(req), b),
    ),
    transition('renew', 'Record a new training attestation and review date; a suspended account becomes active again', 'accounts:renew', renewBody, 'account-renew', (id, req, b) =>
      rt.access.accounts.renew(id, actor(req), b),
    ),
    // The unlock reason is the administrator's own words, kept in the audit detail (bounded), as access.md asks.
    transition('unlock', 'Unlock a locked account with a written reason; resets failed sign-ins and the download quota window', 'accounts:unlock', reasonBody, 'unlock', (id, req, b) => rt.access.accounts.unlock(id, actor(req), b.reason), (b) =>
      `reason: ${b.reason.replace(/\s+/g, ' ').slice(0, 300)}`,
    ),
    defineRoute({
      method: 'GET',
      path: '/api/policies',
      summary: 'The authorisation policy files (Cedar) and their version',
      permission: 'policies:read',
      handler: async (req) =>
        audited(rt.audit, req.actor, 'view-policies', null, async (): Promise<Policies> => ({ version: rt.access.policies.version, files: rt.access.policies.files }), (r) => ({ rowCount: r.files.length })),
    }),
  ];
}
