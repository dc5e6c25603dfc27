/**
 * Stored analysis runs and anomalies over HTTP. Reads only, through the scoped query layer: a caller sees
 * the anomalies of lines (and the runs of providers) they may read. Every call is audited. One anomaly comes
 * with the parties on its rows (anomaly-parties.ts) when the caller may read named parties.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { compareRuns, getAnomaly, latestRunId, listAnomalies, listAnomalyChanges, listRuns, MAX_ANOMALY_PAGE, RUN_CHANGES } from '../detect/index.ts';
import { comparisonGroup, listRanking, MAX_RANKING_PAGE, RankingParamError } from '../detect/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed } from './named-parties.ts';
import { anomalyParties, evidenceRefs } from './anomaly-parties.ts';
import { withDetectorCounts } from './run-detector-counts.ts';
import type { AnomalyDetail, AnomalyPage, ComparisonGroup, RankingPage, RunComparison, RunSummary } from '../api-contract/index.ts';

const anomaliesQuery = z
  .object({
    run: z.string().regex(/^R[0-9]{6,}$/).optional().describe('run id (default: the latest run you can see)'),
    detector: z.string().regex(/^[a-z0-9-]{1,64}$/).optional().describe('detector id, e.g. price-iqr'),
    min_score: z.coerce.number().min(0).max(100).optional().describe('smallest score (0 to 100)'),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code').optional().describe("origin or partner country of the anomaly's lines (ISO alpha-2)"),
    hs: z.string().regex(/^[0-9]{2,10}$/, '2 to 10 digits').optional().describe("leading digits of the HS code of the anomaly's lines"),
    party: z.string().trim().min(2).max(200).optional().describe("a party id, or part of an importer's or exporter's name on the anomaly's lines"),
    period: z.string().regex(/^[0-9]{4}(-(0[1-9]|1[0-2]))?$/, 'YYYY or YYYY-MM').optional().describe("year (YYYY) or month (YYYY-MM) of the anomaly's lines"),
    limit: z.coerce.number().int().min(1).max(MAX_ANOMALY_PAGE).optional().describe(`page size (1 to ${MAX_ANOMALY_PAGE}, default 100)`),
    offset: z.coerce.number().int().min(0).optional().describe('anomalies to skip'),
    against: z.string().regex(/^R[0-9]{6,}$/).optional().describe('with change: the run to compare with (for example the previous run)'),
    change: z
      .enum(RUN_CHANGES)
      .optional()
      .describe("with against: only anomalies that are new in the run, gone since `against` (listed from `against`), changed in score, or the same"),
  })
  .strict()
  .refine((q) => (q.against === undefined) === (q.change === undefined), { message: 'against and change go together', path: ['change'] });

const compareQuery = z
  .object({
    base: z.string().regex(/^R[0-9]{6,}$/).describe('the earlier run, compared with'),
    run: z.string().regex(/^R[0-9]{6,}$/).optional().describe('the later run (default: the latest run you can see)'),
  })
  .strict();


const rankingQuery = z
  .object({
    run: z.string().regex(/^R[0-9]{6,}$/).optional().describe('run id (default: the latest run you can see)'),
    limit: z.coerce.number().int().min(1).max(MAX_RANKING_PAGE).optional().describe(`page size (1 to ${MAX_RANKING_PAGE}, default 100)`),
    offset: z.coerce.number().int().min(0).optional().describe('lines to skip'),
    combination: z
      .string()
      .regex(/^(auto|unsupervised|C[0-9]{6,})$/)
      .optional()
      .describe('auto (default: the latest trained combination of each provider, else unsupervised), unsupervised, or a trained combination id'),
  })
  .strict();

const noQuery = z.object({}).strict();

export function anomalyRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/anomalies',
      summary: 'Anomalies of a stored analysis run, highest score first, paged with the total',
      permission: 'anomalies:read',
      query: anomaliesQuery,
      handler: async (req, q: z.infer<typeof anomaliesQuery>): Promise<AnomalyPage> =>
        audited(
          rt.audit,
          req.actor,
          'view-anomalies',
          // The whole query, filter values included: what was searched for is what an auditor needs to see.
          specDetail('anomalies', { run: q.run ?? 'latest', detector: q.detector, min_score: q.min_score, country: q.country, hs: q.hs, party: q.party, period: q.period, change: q.change, against: q.against, limit: q.limit, offset: q.offset }),
          async () => {
            const db = scopedDb(rt.store, req.scope);
            const f = { run: q.run, detector: q.detector, minScore: q.min_score, country: q.country, hs: q.hs, party: q.party, period: q.period, limit: q.limit, offset: q.offset };
            const page = await (q.change && q.against ? listAnomalyChanges(db, { ...f, against: q.against, change: q.change }) : listAnomalies(db, f));
            // Findings name parties and declarations in their reasons and evidence: charged (named-parties.ts).
            return chargeNamed(req, '/api/anomalies', page.rows.length, page);
          },
          (r) => ({ rowCount: r.rows.length, objectIds: r.rows.slice(0, 1000).map((x) => x.anomaly_id) }),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/anomalies/:id',
      summary: 'One anomaly with its reason, evidence, the row ids behind it and the parties on those rows (with parties:read and row-level trade access)',
      permission: 'anomalies:read',
      query: noQuery,
      handler: async (req, _q, reply) => {
        const id = (req.params as { id: string }).id;
        const a = await audited(
          rt.audit,
          req.actor,
          'view-anomaly',
          null,
          async () => {
            const db = scopedDb(rt.store, req.scope);
            const anomaly = await getAnomaly(db, id);
            if (!anomaly) return null;
            // Links to party pages only for a caller who may open them; the same scope filters the rows.
            const parties = req.permissions.has('parties:read') ? await anomalyParties(db, id, { provider: anomaly.provider, refs: evidenceRefs(anomaly.evidence) }) : [];
            return chargeNamed(req, '/api/anomalies/:id', 1 + parties.length, { ...anomaly, parties } satisfies AnomalyDetail);
          },
          (r) => ({ rowCount: r ? 1 : 0, objectIds: [id, ...(r?.parties.map((p) => p.party_id) ?? [])] }),
        );
        // Not found and not visible look the same, so the existence of other providers' anomalies does not leak.
        if (!a) return reply.status(404).send({ error: 'not_found', message: 'no such anomaly' });
        return a;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/anomalies/:id/group',
      summary: "The comparison group of a price anomaly read with the detector's own definition (hs6, flow, unit, partner when compared per partner, the run's window): size, quartiles and prices",
      permission: 'anomalies:read',
      query: noQuery,
      handler: async (req, _q, reply) => {
        const id = (req.params as { id: string }).id;
        const g = await audited(
          rt.audit,
          req.actor,
          'view-anomaly-group',
          null,
          async (): Promise<ComparisonGroup | null> => {
            const db = scopedDb(rt.store, req.scope);
            const anomaly = await getAnomaly(db, id);
            return anomaly ? comparisonGroup(db, anomaly) : null;
          },
          (r) => ({ rowCount: r?.n ?? 0, objectIds: [id] }),
        );
        // An anomaly that is not a group comparison and one the caller cannot see both answer 404.
        if (!g) return reply.status(404).send({ error: 'not_found', message: 'no comparison group for this anomaly' });
        return g;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/ranking',
      summary: 'Combined risk ranking of the lines of a run (calibrated detector evidence, correlated detectors counted once; trained weights where analyze --train fitted them), highest first, paged with the total',
      permission: 'anomalies:read',
      query: rankingQuery,
      handler: async (req, q: z.infer<typeof rankingQuery>, reply) => {
        try {
          return await audited(rt.audit, req.actor, 'view-ranking', `run=${q.run ?? 'latest'} combination=${q.combination ?? 'auto'}`, () =>
            listRanking(scopedDb(rt.store, req.scope), { run: q.run, limit: q.limit, offset: q.offset, combination: q.combination }),
            (r) => ({ rowCount: r.rows.length, objectIds: r.run_id ? [r.run_id] : [] }),
          ) satisfies RankingPage;
        } catch (e) {
          // A trained combination that is not there and one outside the scope look the same.
          if (e instanceof RankingParamError) return reply.status(404).send({ error: 'not_found', message: e.message });
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/runs/compare',
      summary: 'Two stored runs compared per detector: anomalies new in the run, gone since the base, changed in score, the same; batches added and dropped',
      permission: 'anomalies:read',
      query: compareQuery,
      handler: async (req, q: z.infer<typeof compareQuery>): Promise<RunComparison> =>
        audited(rt.audit, req.actor, 'compare-runs', null, async () => {
          const db = scopedDb(rt.store, req.scope);
          const run = q.run ?? (await latestRunId(db)) ?? q.base;
          return compareRuns(db, q.base, run);
        }, (r) => ({ rowCount: r.detectors.length, objectIds: [r.base, r.run] })),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/runs',
      summary: 'Stored analysis runs you can see, newest first, with detectors, parameters and data version',
      permission: 'anomalies:read',
      query: noQuery,
      handler: async (req): Promise<RunSummary[]> =>
        audited(rt.audit, req.actor, 'view-runs', null, async () => {
          const db = scopedDb(rt.store, req.scope);
          return withDetectorCounts(db, await listRuns(db));
        }, (r) => ({ rowCount: r.length })),
    }),
  ];
}
