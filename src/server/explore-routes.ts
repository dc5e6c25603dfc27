/**
 * Explore, drill-down, catalogue, batches and quarantine over HTTP. Handlers are thin: parse, call the same
 * functions the CLI calls through the scoped query layer, audit.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { grantFor, scopedDb } from '../query/index.ts';
import { withFxProvenance } from '../fx/index.ts';
import type { DatasetCategory } from '../schema/index.ts';
import { CATALOGUES, categoryOfDataset, explore, lines, MAX_PAGE, parseSort } from '../explore/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { PUBLISHED } from '../disclosure/index.ts';
import { chargeNamed, namesParties } from './named-parties.ts';
import { assertRowAccessToBatch } from './batch-access.ts';
import type { Batch, Catalogue, ExploreResult, LinesResult, QuarantinePage } from '../api-contract/index.ts';

const list = (what: string) =>
  z
    .string()
    .max(500)
    .optional()
    .describe(`${what}, comma-separated`)
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []));

const page = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`page size (1 to ${MAX_PAGE})`),
  offset: z.coerce.number().int().min(0).optional().describe('rows to skip'),
};

export const exploreQuery = z
  .object({
    dataset: z.enum(['trade', 'payments', 'enforcement']).optional().describe('trade (default), payments or enforcement'),
    by: list('dimensions to group by'),
    measure: list('measures'),
    where: z.string().max(4000).optional().describe("filter, e.g. origin in (CN, VN) and year = 2024"),
    sort: z.string().max(200).optional().describe('sort keys: value (desc), value:asc, -lines'),
    top: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe('alias of limit'),
    ...page,
  })
  .strict();

export const linesQuery = z
  .object({
    dataset: z.enum(['trade', 'payments', 'enforcement']).optional(),
    cell: z
      .string()
      .max(4000)
      .optional()
      .describe('JSON object of dimension -> value identifying the cell to open, e.g. {"origin":"CN","year":"2024"}')
      .transform((s, ctx) => {
        if (!s) return undefined;
        try {
          const v = JSON.parse(s) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, string | number | null>;
        } catch {
          /* reported below */
        }
        ctx.addIssue({ code: 'custom', message: 'cell must be a JSON object' });
        return z.NEVER;
      }),
    where: z.string().max(4000).optional(),
    sort: z.string().max(200).optional(),
    ...page,
  })
  .strict();

const noQuery = z.object({}).strict();

export function exploreRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/catalogue',
      summary: 'Dimensions, measures and filter fields of the datasets the caller may read (party dimensions only at row level)',
      permission: 'catalogue:read',
      query: noQuery,
      handler: async (req): Promise<Catalogue> =>
        Object.fromEntries(
          Object.entries(CATALOGUES).flatMap(([id, c]) => {
            // Only datasets in scope are described, so the catalogue does not even reveal that others exist.
            const grant = grantFor(req.scope, categoryOfDataset(id as keyof typeof CATALOGUES));
            if (!grant) return [];
            return [[
            id,
            {
              level: grant.level,
              // At aggregate-only access only published dimensions exist for the caller (src/disclosure).
              dimensions: c.dimensions.filter((d) => grant.level === 'row' || PUBLISHED[id as keyof typeof CATALOGUES].has(d.id)).map((d) => ({ id: d.id, label: d.label, party: d.party ?? false })),
              measures: c.measures.map((m) => ({ id: m.id, label: m.label, unit: m.unit })),
              fields: c.fields.filter((f) => grant.level === 'row' || PUBLISHED[id as keyof typeof CATALOGUES].has(f.id)).map((f) => ({ id: f.id, type: f.type })),
            },
          ]];
          }),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/explore',
      summary: 'Totals of measures grouped by dimensions, filtered, sorted and paged',
      permission: 'data:explore',
      query: exploreQuery,
      handler: async (req, q: z.infer<typeof exploreQuery>): Promise<ExploreResult> =>
        audited(rt.audit, req.actor, 'query', specDetail('explore', { dataset: q.dataset, by: q.by, measure: q.measure, where: q.where, sort: q.sort, limit: q.limit ?? q.top, offset: q.offset }),
          // Every page of a request is a slice of one cached, sorted result (see explore-query.ts), so
          // paging through 100k groups runs the group-by once. Groups by a party dimension are row-level
          // results naming parties: each page is charged to the download quota (named-parties.ts).
          async () => {
            const r = await explore(
              scopedDb(rt.store, req.scope),
              { dataset: q.dataset, by: q.by, measures: q.measure, where: q.where, sort: parseSort(q.sort), limit: q.limit ?? q.top, offset: q.offset },
              { cache: rt.results },
            );
            return namesParties(q.dataset, q.by) ? chargeNamed(req, '/api/explore', r.rows.length, r) : r;
          },
          (r) => ({ rowCount: r.rows.length }),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/lines',
      summary: 'The lines behind a cell of an explore result (drill-down), paged',
      permission: 'data:lines',
      query: linesQuery,
      handler: async (req, q: z.infer<typeof linesQuery>, reply) => {
        // Lines are rows leaving the system: the page is charged against the download quota before it is
        // sent, so the page that would cross the limit is never disclosed.
        const { body } = await audited(
          rt.audit,
          req.actor,
          'view-lines',
          specDetail('lines', { dataset: q.dataset, cell: q.cell, where: q.where, sort: q.sort, limit: q.limit, offset: q.offset }),
          async () => {
            const r = await rt.results.get(req.scope, 'lines', q, () =>
              lines(scopedDb(rt.store, req.scope), {
                dataset: q.dataset,
                cell: q.cell,
                where: q.where,
                sort: parseSort(q.sort),
                limit: q.limit,
                offset: q.offset,
              }),
            );
            const text = JSON.stringify(r satisfies LinesResult);
            await req.chargeDownload({ rows: r.rows.length, bytes: Buffer.byteLength(text), route: '/api/lines' });
            return { r, body: text };
          },
          ({ r }) => ({ rowCount: r.rows.length, objectIds: r.rows.slice(0, 1000).map((x) => String(x['row_id'])) }),
        );
        return reply.type('application/json; charset=utf-8').send(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/batches',
      summary: 'Loaded batches with provenance and row counts',
      permission: 'batches:read',
      query: noQuery,
      handler: async (req): Promise<Batch[]> =>
        audited(rt.audit, req.actor, 'view-batches', null, async () => {
          // Only batches of categories and providers the caller may read are listed.
          const all = await rt.registry.list();
          const visible = all.filter((b) => {
            const g = grantFor(req.scope, b.category as DatasetCategory);
            return g !== undefined && (g.providers === '*' || g.providers.includes(b.provider));
          });
          // Which exchange rates converted each batch (fx/): read under the caller's scope.
          return withFxProvenance(scopedDb(rt.store, req.scope), visible);
        }, (r) => ({ rowCount: r.length })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/batches/:id/quarantine',
      summary: 'Rejected lines of a batch with line number, field and reason',
      permission: 'batches:read',
      query: z.object({ ...page }).strict(),
      handler: async (req, q: { limit?: number; offset?: number }): Promise<QuarantinePage> => {
        const id = (req.params as { id: string }).id;
        return audited(rt.audit, req.actor, 'view-quarantine', null, async () => {
          await assertRowAccessToBatch(rt, req.scope, id);
          const limit = q.limit ?? 100;
          const offset = q.offset ?? 0;
          const r = await rt.registry.quarantine(id, { limit, offset });
          return { batch_id: id, ...r, offset, limit, truncated: offset + r.rows.length < r.total };
        }, (r) => ({ rowCount: r.rows.length, objectIds: [id] }));
      },
    }),
  ];
}
