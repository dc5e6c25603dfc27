/**
 * Privacy by design over HTTP (access.md): the data register, the transparency report, retention periods,
 * legal holds and the purge job.
 *
 * Invariants: every call is audited with the setting or the hold's kind in the detail, never its reason
 * text; changes name their permission (retention:manage, the security administrator's); a purge needs an
 * explicit `confirm: "purge"` in its body, so no request without that intent removes data.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { buildDataRegister, HOLD_KINDS, purgeExpired, registerCsv, RETAINED_CATEGORIES, RETENTION_BASES, transparencyReport, type HoldKind } from '../privacy/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { DataRegister, LegalHold, PurgeReport, RetentionPolicy, RetentionView, TransparencyReport } from '../api-contract/index.ts';

const monthOrDay = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'expected YYYY-MM or YYYY-MM-DD');
const reason = z.string().trim().min(3).max(500);

const registerQuery = z.object({ format: z.enum(['json', 'csv']).default('json').describe('json (default) or csv, the public inventory columns') }).strict();
const transparencyQuery = z
  .object({
    grain: z.enum(['month', 'quarter', 'year']).default('month').describe('month (default), quarter or year'),
    from: monthOrDay.optional().describe('first month or day included'),
    to: monthOrDay.optional().describe('last month or day included'),
  })
  .strict();
const calendarDay = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};
const previewQuery = z
  .object({ as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(calendarDay, 'expected a calendar date (YYYY-MM-DD)').optional().describe('judge expiry as of this day (default today)') })
  .strict();
const policyBody = z.object({ years: z.number().int().min(1).max(100), basis: z.enum(RETENTION_BASES as ['loaded', 'record-date']).default('loaded'), reason }).strict();
const holdBody = z.object({ kind: z.enum(HOLD_KINDS as [HoldKind, ...HoldKind[]]), target: z.string().min(1).max(64), reason }).strict();
const releaseBody = z.object({ reason }).strict();
const purgeBody = z.object({ confirm: z.literal('purge').describe('must be "purge": a purge removes data for good') }).strict();

export function privacyRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const purgeDeps = { store: rt.store, control: rt.control, retention: rt.retention };
  return [
    defineRoute({
      method: 'GET',
      path: '/api/register',
      summary: 'The data register: every source, its category, provider, direction, who can see it and its retention (metadata only)',
      permission: 'privacy:register',
      query: registerQuery,
      handler: async (req, q: z.infer<typeof registerQuery>, reply): Promise<DataRegister | Buffer> => {
        const r = await audited(rt.audit, req.actor, 'view-register', `format=${q.format}`, () => buildDataRegister({ control: rt.control, store: rt.store, policies: rt.access.policies, retention: rt.retention }), (x) => ({ rowCount: x.entries.length }));
        if (q.format === 'json') return r;
        void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="data-register.csv"');
        return registerCsv(r);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/transparency',
      summary: 'The aggregate transparency report: queries, exports, disclosures, screenings, matches, denials, locks and purges per period',
      permission: 'privacy:transparency',
      query: transparencyQuery,
      handler: async (req, q: z.infer<typeof transparencyQuery>): Promise<TransparencyReport> =>
        audited(rt.audit, req.actor, 'view-transparency', `grain=${q.grain}`, () => transparencyReport(rt.control, { grain: q.grain, from: q.from, to: q.to }), (x) => ({ rowCount: x.periods.length })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/retention',
      summary: 'Retention periods per category, legal holds (active and released) and the latest purges',
      permission: 'retention:read',
      handler: async (req): Promise<RetentionView> =>
        audited(rt.audit, req.actor, 'view-retention', null, async () => ({
          policies: await rt.retention.policies(),
          holds: [...(await rt.retention.holds())].sort((a, b) => Number(a.releasedAt !== null) - Number(b.releasedAt !== null) || b.id - a.id),
          purges: await rt.retention.purges(20),
        })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/retention/preview',
      summary: 'What a purge would remove now (or as of a day): a dry run that removes nothing',
      permission: 'retention:read',
      query: previewQuery,
      handler: async (req, q: z.infer<typeof previewQuery>): Promise<PurgeReport> =>
        audited(
          rt.audit,
          req.actor,
          'purge-preview',
          q.as_of ? 'as_of=given' : null,
          () => purgeExpired(purgeDeps, { asOf: q.as_of ? new Date(`${q.as_of}T00:00:00Z`) : undefined, dryRun: true, principal: req.principal }),
          (x) => ({ rowCount: x.rowsRemoved }),
        ),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/retention/policies/:category',
      summary: `Set a category's retention period (${RETAINED_CATEGORIES.join(', ')}), with a reason`,
      permission: 'retention:manage',
      body: policyBody,
      handler: async (req, _q, _reply, b: z.infer<typeof policyBody>): Promise<RetentionPolicy> => {
        const category = (req.params as { category: string }).category;
        const safe = (RETAINED_CATEGORIES as readonly string[]).includes(category) ? category : 'invalid';
        return audited(rt.audit, req.actor, 'retention-set', `category=${safe} years=${b.years} basis=${b.basis}`, () => rt.retention.setPolicy({ category, years: b.years, basis: b.basis, by: req.principal, reason: b.reason }));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/retention/holds',
      summary: 'Place a legal hold on a batch, a provider or a category: nothing it names is purged until released',
      permission: 'retention:manage',
      body: holdBody,
      handler: async (req, _q, _reply, b: z.infer<typeof holdBody>): Promise<LegalHold> =>
        audited(rt.audit, req.actor, 'hold-place', `on=${b.kind}`, () => rt.retention.placeHold({ kind: b.kind, target: b.target, reason: b.reason, by: req.principal }), (h) => ({ objectIds: [`hold:${h.id}`, h.target] })),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/retention/holds/:id/release',
      summary: 'Release a legal hold, with a reason (the hold stays on record)',
      permission: 'retention:manage',
      body: releaseBody,
      handler: async (req, _q, _reply, b: z.infer<typeof releaseBody>): Promise<LegalHold> => {
        const id = Number((req.params as { id: string }).id);
        if (!Number.isInteger(id) || id < 1) throw new z.ZodError([{ code: 'custom', path: ['id'], message: 'expected a hold number', input: undefined }]);
        return audited(rt.audit, req.actor, 'hold-release', null, () => rt.retention.releaseHold(id, { by: req.principal, reason: b.reason }), (h) => ({ objectIds: [`hold:${h.id}`, h.target] }));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/retention/purge',
      summary: 'Remove the rows whose retention period has passed (legal holds block it); body {"confirm": "purge"}',
      permission: 'retention:manage',
      body: purgeBody,
      handler: async (req): Promise<PurgeReport> =>
        audited(
          rt.audit,
          req.actor,
          'purge',
          null,
          () => purgeExpired(purgeDeps, { dryRun: false, principal: req.principal }),
          (x) => ({ rowCount: x.rowsRemoved, objectIds: [...(x.purgeId ? [`purge:${x.purgeId}`] : []), ...x.datasets.flatMap((d) => Object.keys(d.batches))] }),
        ),
    }),
  ];
}
