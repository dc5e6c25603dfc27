/**
 * Parties, their relationship graph and analysts' decisions over HTTP. Handlers are thin: validate, call
 * the functions the CLI calls through the caller's scope (`req.scope`), audit as `req.actor`.
 *
 * Invariants: an unknown party id and a party outside the caller's scope both answer 404, so other
 * providers' parties do not leak; malformed parameters answer 400 naming the parameter; audit details
 * carry ids and options, never a searched name or a decision note. Merge and split are decisions
 * ('decisions:write'): recorded and kept, re-applied by every later resolution.
 *
 * Merge and split answer as soon as the override is recorded: 202 with the override and a job id when the
 * caller's scope covers a re-resolution (which then runs in the background, one at a time, see
 * parties/resolution-jobs.ts), 201 with `job: null, resolution: null` when it does not (applied by the next
 * full resolution). `GET /api/jobs/:id` reports the job; it needs only a session ('session:me') because a
 * job is shown to the user who started it, or to holders of 'audit:read-all' (who may already read every
 * user's audit events, these jobs' start and end among them); anyone else gets 404, as for an unknown id.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import {
  canResolve, MAX_CAP, MAX_DEPTH, MAX_HOPS, MAX_SEARCH, OverrideLookupError, partyGraph, partyOverrides, partyPath, recordOverride, resolutionJobs, resolveParties, searchParties, showParty,
  type OverrideRequest,
} from '../parties/index.ts';
import { DECISION_KINDS, decisionStore, DecisionLookupError, recordDecision } from '../decisions/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed } from './named-parties.ts';
import type { Decision, OverrideRecorded, PartyGraph, PartyPath, PartySummary, ResolutionJob } from '../api-contract/index.ts';

const partyIdSchema = z.string().regex(/^P[0-9A-F]{12}$/, 'a party id is P followed by 12 hex digits');
const hitId = z.string().regex(/^H[0-9A-F]{16}$/, 'a hit id is H followed by 16 hex digits');
const anomalyId = z.string().min(1).max(200);

const searchQuery = z
  .object({
    q: z.string().trim().min(1).max(200).describe('part of a party name, a party id or a source reference'),
    limit: z.coerce.number().int().min(1).max(MAX_SEARCH).optional().describe(`parties returned (1 to ${MAX_SEARCH}, default 50)`),
  })
  .strict();
const noQuery = z.object({}).strict();
const graphQuery = z
  .object({
    depth: z.coerce.number().int().min(1).max(MAX_DEPTH).optional().describe(`hops from the party (1 to ${MAX_DEPTH}, default 1)`),
    cap: z.coerce.number().int().min(1).max(MAX_CAP).optional().describe(`neighbours per party before "+N more" (1 to ${MAX_CAP}, default 25)`),
  })
  .strict();
const pathQuery = z
  .object({
    from: partyIdSchema.describe('party id'),
    to: partyIdSchema.describe('party id'),
    maxHops: z.coerce.number().int().min(1).max(MAX_HOPS).optional().describe(`longest chain searched (1 to ${MAX_HOPS}, default 4)`),
  })
  .strict();
const decisionsQuery = z
  .object({ hit: hitId.optional().describe('hit id'), anomaly: anomalyId.optional().describe('anomaly id') })
  .strict()
  .refine((q) => !!q.hit !== !!q.anomaly, { message: 'give exactly one of hit or anomaly', path: ['hit'] });
const decisionBody = z
  .object({
    hit: hitId.optional(),
    anomaly: anomalyId.optional(),
    decision: z.enum(DECISION_KINDS),
    note: z.string().max(4000).optional(),
  })
  .strict()
  .refine((b) => !!b.hit !== !!b.anomaly, { message: 'give exactly one of hit or anomaly', path: ['hit'] });

const mergeBody = z.object({ a: partyIdSchema, b: partyIdSchema, note: z.string().max(4000).optional() }).strict();
const splitBody = z.object({ ref: z.string().min(1).max(1000), note: z.string().max(4000).optional() }).strict();

const idParam = (params: unknown) => z.object({ id: partyIdSchema }).parse(params).id;
const jobIdParam = (params: unknown) => z.object({ id: z.string().regex(/^J[0-9A-F]{12}$/, 'a job id is J followed by 12 hex digits') }).parse(params).id;

export function partyRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const jobs = resolutionJobs({ audit: rt.audit, resolve: async (scope) => resolveParties(rt.store, scope, await partyOverrides(rt.control).list()) });
  const pathHandler = defineRoute({
    method: 'GET',
    path: '/api/path',
    summary: 'Shortest chain of relations between two parties (trade, and payments in scope), at most maxHops edges',
    permission: 'parties:read',
    query: pathQuery,
    handler: async (req, q: z.infer<typeof pathQuery>, reply) => {
      const p = await audited(rt.audit, req.actor, 'party-path', `max_hops=${q.maxHops ?? 4}`, async () => {
        const found = await partyPath(scopedDb(rt.store, req.scope), q.from, q.to, q.maxHops ?? 4);
        return found ? chargeNamed(req, '/api/path', found.parties.length + found.steps.length, found) : found;
      }, (r) => ({
        rowCount: r?.hops ?? 0,
        objectIds: [q.from, q.to],
      }));
      if (!p) return reply.status(404).send({ error: 'not_found', message: 'no such party' });
      return p satisfies PartyPath;
    },
  });
  const override = (req: Parameters<ApiRoute<z.ZodType>['handler']>[0], reply: Parameters<ApiRoute<z.ZodType>['handler']>[2], o: OverrideRequest, ids: string[]) =>
    audited(
      rt.audit,
      req.actor,
      `parties-${o.kind}`,
      null,
      async () => {
        const db = scopedDb(rt.store, req.scope);
        const recorded = await recordOverride(rt.control, db, o, req.actor.principal);
        return { override: recorded, job: canResolve(db) ? jobs.enqueue(req.actor, req.scope, recorded.id) : null, resolution: null } satisfies OverrideRecorded;
      },
      (r) => ({ rowCount: 1, objectIds: [...ids, String(r.override.id), ...(r.job ? [r.job.job_id] : [])] }),
    ).then(
      (r) => reply.status(r.job ? 202 : 201).send(r),
      (e: unknown) => {
        if (e instanceof OverrideLookupError) return reply.status(e.message === 'no such party' ? 404 : 400).send({ error: e.message === 'no such party' ? 'not_found' : 'bad_request', message: e.message });
        throw e;
      },
    );
  return [
    defineRoute({
      method: 'POST',
      path: '/api/parties/merge',
      summary: 'Record that two parties are one (kept, re-applied by every resolution); re-resolves when the caller may see every provider',
      permission: 'decisions:write',
      handler: async (req, _q, reply) => {
        const b = mergeBody.parse(req.body ?? {});
        return override(req, reply, { kind: 'merge', a: b.a, b: b.b, note: b.note }, [b.a, b.b]);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/parties/:id/split',
      summary: 'Take one member record (its ref) out of a party (kept, re-applied by every resolution)',
      permission: 'decisions:write',
      handler: async (req, _q, reply) => {
        const id = idParam(req.params);
        const b = splitBody.parse(req.body ?? {});
        return override(req, reply, { kind: 'split', party: id, ref: b.ref, note: b.note }, [id]);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/jobs/:id',
      summary: 'A background job (party re-resolution after a merge or split): queued, running, done or failed, with timing; shown to who started it',
      permission: 'session:me',
      query: noQuery,
      handler: async (req, _q, reply) => {
        const id = jobIdParam(req.params);
        const j = jobs.get(id);
        if (!j || (j.started_by !== req.actor.principal && !req.permissions.has('audit:read-all'))) return reply.status(404).send({ error: 'not_found', message: 'no such job' });
        return j satisfies ResolutionJob;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/parties',
      summary: 'Search resolved parties by name, party id or source reference',
      permission: 'parties:read',
      query: searchQuery,
      handler: async (req, q: z.infer<typeof searchQuery>): Promise<PartySummary[]> =>
        audited(rt.audit, req.actor, 'parties-search', specDetail('search', { q: q.q, limit: q.limit }), async () => {
          const found = await searchParties(scopedDb(rt.store, req.scope), q.q, q.limit ?? 50);
          return chargeNamed(req, '/api/parties', found.length, found);
        }, (r) => ({
          rowCount: r.length,
          objectIds: r.map((x) => x.party_id),
        })),
    }),
    pathHandler,
    { ...pathHandler, path: '/api/parties/path' },
    defineRoute({
      method: 'GET',
      path: '/api/parties/:id',
      summary: 'One party: members and links, totals, counterparties, goods by quarter, anomalies, watch-list hits with decisions',
      permission: 'parties:read',
      query: noQuery,
      handler: async (req, _q, reply) => {
        const id = idParam(req.params);
        const p = await audited(rt.audit, req.actor, 'party-show', null, async () => {
          const found = await showParty(scopedDb(rt.store, req.scope), id);
          if (!found) return found;
          // A party page lists named records: its members, counterparties, goods, anomalies and hits.
          const listed = 1 + found.member_records.length + found.counterparties.length + found.goods_by_period.length + found.anomalies.length + (found.watchlist_hits?.length ?? 0);
          return chargeNamed(req, '/api/parties/:id', listed, found);
        }, (r) => ({ rowCount: r ? 1 : 0, objectIds: [id] }));
        if (!p) return reply.status(404).send({ error: 'not_found', message: 'no such party' });
        const hits = p.watchlist_hits ?? [];
        const decided = await decisionStore(rt.control).history('hit', hits.map((h) => String(h['hit_id'])));
        return { ...p, watchlist_hits: p.watchlist_hits === null ? null : hits.map((h) => ({ ...h, decisions: decided.filter((d) => d.subject_id === h['hit_id']) })) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/parties/:id/graph',
      summary: 'The neighbourhood of a party: trade edges (exporter to importer), payment edges in scope; hubs capped with "+N more"',
      permission: 'parties:read',
      query: graphQuery,
      handler: async (req, q: z.infer<typeof graphQuery>, reply) => {
        const id = idParam(req.params);
        const g = await audited(rt.audit, req.actor, 'party-graph', `depth=${q.depth ?? 1} cap=${q.cap ?? 25}`, async () => {
          const found = await partyGraph(scopedDb(rt.store, req.scope), id, { depth: q.depth, cap: q.cap });
          return found ? chargeNamed(req, '/api/parties/:id/graph', found.nodes.length + found.edges.length, found) : found;
        }, (r) => ({
          rowCount: r?.edges.length ?? 0,
          objectIds: [id],
        }));
        if (!g) return reply.status(404).send({ error: 'not_found', message: 'no such party' });
        return g satisfies PartyGraph;
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/decisions',
      summary: 'Record a decision (confirmed, false_positive, escalate) on a screening hit or an anomaly; kept, a later one supersedes',
      permission: 'decisions:write',
      handler: async (req, _q, reply) => {
        const b = decisionBody.parse(req.body ?? {});
        try {
          const d = await audited(
            rt.audit,
            req.actor,
            'decide',
            `kind=${b.hit ? 'hit' : 'anomaly'} decision=${b.decision}`,
            () => recordDecision({ store: rt.store, decisions: decisionStore(rt.control) }, scopedDb(rt.store, req.scope), b, req.actor.principal),
            (x) => ({ rowCount: 1, objectIds: [x.subject_id] }),
          );
          return reply.status(201).send(d satisfies Decision);
        } catch (e) {
          if (e instanceof DecisionLookupError) return reply.status(404).send({ error: 'not_found', message: e.message });
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/decisions',
      summary: 'Every decision on a hit or an anomaly, oldest first (the last one is in force)',
      permission: 'anomalies:read',
      query: decisionsQuery,
      handler: async (req, q: z.infer<typeof decisionsQuery>): Promise<Decision[]> =>
        audited(rt.audit, req.actor, 'view-decisions', `kind=${q.hit ? 'hit' : 'anomaly'}`, () => decisionStore(rt.control).history(q.hit ? 'hit' : 'anomaly', [(q.hit ?? q.anomaly)!]), (r) => ({
          rowCount: r.length,
          objectIds: [(q.hit ?? q.anomaly)!],
        })),
    }),
  ];
}
