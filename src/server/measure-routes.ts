/**
 * Trade measures over HTTP: the catalogue and measure queries. Thin handlers: parse with zod, call the same
 * measuresQuery as the CLI on the caller's scope (aggregate-only callers get small cells suppressed there),
 * audit with the query's full specification (measures, dimensions, filter, period, top).
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { MAX_TOP, MEASURES, MISSING_MEASURES, RANKINGS, measuresQuery } from '../measures/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed, namesParties } from './named-parties.ts';
import type { MeasuresCatalogue, MeasuresResult } from '../api-contract/index.ts';

const list = (what: string) =>
  z
    .string()
    .max(500)
    .optional()
    .describe(`${what}, comma-separated`)
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []));

const measuresQuerySchema = z
  .object({
    measure: list('measure ids').refine((m) => m.length > 0, 'name at least one measure'),
    by: list('explore dimensions'),
    where: z.string().max(4000).optional().describe('filter in the explore where language'),
    period: z.enum(['month', 'quarter', 'year']).optional().describe('period grain; adds change columns'),
    from: z.string().max(10).optional().describe('first period shown (2024, 2024-Q1, 2024-03); needs period'),
    to: z.string().max(10).optional().describe('last period shown; needs period'),
    top: z.coerce.number().int().min(1).max(MAX_TOP).optional().describe('keep the top N members of the first dimension by the first measure, the rest as "(others)"'),
  })
  .strict();

export function measureRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/measures',
      summary: 'The trade-measure catalogue, and the measures not yet available',
      permission: 'catalogue:read',
      query: z.object({}).strict(),
      handler: async (): Promise<MeasuresCatalogue> => ({
        measures: MEASURES.map((m) => ({ id: m.id, name: m.name, unit: m.unit, source: m.source, categories: m.categories, default_by: m.defaultBy })),
        rankings: RANKINGS,
        missing: MISSING_MEASURES,
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/measures/query',
      summary: 'Measures by dimensions and period, with change columns and small-cell suppression at aggregate level',
      permission: 'data:explore',
      query: measuresQuerySchema,
      handler: async (req, q: z.infer<typeof measuresQuerySchema>): Promise<MeasuresResult> =>
        audited(rt.audit, req.actor, 'query', specDetail('measures', { measure: q.measure, by: q.by, where: q.where, period: q.period, from: q.from, to: q.to, top: q.top }),
          async () => {
            const r = await rt.results.get(req.scope, 'measures', q, () => measuresQuery(scopedDb(rt.store, req.scope), { measures: q.measure, by: q.by, where: q.where, period: q.period, from: q.from, to: q.to, top: q.top }));
            // Cut by a party dimension (top importers): a row-level result naming parties, charged (named-parties.ts).
            return namesParties('trade', q.by) ? chargeNamed(req, '/api/measures/query', r.rows.length, r) : r;
          },
          (r) => ({ rowCount: r.rows.length }),
        ),
    }),
  ];
}
