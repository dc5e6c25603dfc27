/**
 * The audit trail over HTTP: events (one's own, or everyone's with audit:read-all), chain verification and
 * the disclosure ledger.
 *
 * Invariants: without audit:read-all the principal filter is forced to the caller, and asking for someone
 * else's events is a denial (audited as such), not an empty page; reading the trail is itself audited, with
 * the filters named but not their values.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { ScopeDeniedError } from '../query/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { AuditPage, AuditVerifyReport, DisclosurePage } from '../api-contract/index.ts';

const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date or time');

const page = {
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('rows per page (1 to 1000, default 100)'),
  offset: z.coerce.number().int().min(0).default(0).describe('rows to skip'),
};

const auditQuery = z
  .object({
    principal: z.string().min(1).max(200).optional().describe("whose events (without audit:read-all, only the caller's own)"),
    event: z.string().min(1).max(100).optional().describe('event type, e.g. sign-in, query, export'),
    outcome: z.enum(['allowed', 'denied', 'error']).optional().describe('allowed, denied or error'),
    from: instant.optional().describe('first instant included (ISO-8601)'),
    to: instant.optional().describe('first instant excluded (ISO-8601)'),
    ...page,
  })
  .strict();

const disclosureQuery = z
  .object({
    principal: z.string().min(1).max(200).optional().describe('who made the disclosure'),
    recipient: z.string().min(1).max(200).optional().describe('who received it'),
    from: instant.optional().describe('first instant included (ISO-8601)'),
    to: instant.optional().describe('first instant excluded (ISO-8601)'),
    ...page,
  })
  .strict();

const named = (q: Record<string, unknown>, keys: readonly string[]) => keys.filter((k) => q[k] !== undefined).join(',') || 'none';

export function auditRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/audit',
      summary: "Audit events, newest first: the caller's own, or everyone's with audit:read-all",
      permission: 'audit:read-own',
      query: auditQuery,
      handler: async (req, q: z.infer<typeof auditQuery>): Promise<AuditPage> => {
        const all = req.permissions?.has('audit:read-all') === true;
        return audited(rt.audit, req.actor, 'audit-read', `scope=${all ? 'all' : 'own'} filters=${named(q, ['principal', 'event', 'outcome', 'from', 'to'])}`, async () => {
          if (!all && q.principal !== undefined && q.principal !== req.principal) throw new ScopeDeniedError("another user's audit events");
          const r = await rt.audit.page({ ...q, principal: all ? q.principal : req.principal });
          return { total: r.total, limit: q.limit, offset: q.offset, rows: r.rows };
        }, (r) => ({ rowCount: r.rows.length }));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/audit/verify',
      summary: 'Verify the hash chain and the signed checkpoints; names the first bad record and says what cannot be detected',
      permission: 'audit:verify',
      handler: async (req): Promise<AuditVerifyReport> =>
        audited(rt.audit, req.actor, 'audit-verify', null, () => rt.auditTrail.verify(), (r) => ({
          rowCount: r.records,
          objectIds: r.firstBad ? [`record:${r.firstBad.id}`] : [],
        })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/disclosures',
      summary: 'The disclosure ledger (accounting of disclosures), newest first',
      permission: 'audit:read-all',
      query: disclosureQuery,
      handler: async (req, q: z.infer<typeof disclosureQuery>): Promise<DisclosurePage> =>
        audited(rt.audit, req.actor, 'disclosures-read', `filters=${named(q, ['principal', 'recipient', 'from', 'to'])}`, async () => {
          const r = await rt.auditTrail.disclosures.list(q);
          return { total: r.total, limit: q.limit, offset: q.offset, rows: r.rows };
        }, (r) => ({ rowCount: r.rows.length })),
    }),
  ];
}
