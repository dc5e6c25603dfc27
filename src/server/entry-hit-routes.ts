/**
 * The trading parties behind watch-list entries: for entries a screening answered with, the stored batch
 * screening hits that name them (parties resolved from the loaded trade and payments), so a screening result
 * links to the parties that actually trade with that list entry.
 *
 * Invariants: reads `watchlist_hits` through the caller's scoped handle, whose rows carry the category and
 * provider of the party name (hits-schema.ts), so a party is listed only to a caller who may read its name;
 * entries are bound parameters; at most MAX_ENTRIES entries and MAX_HITS hits per call, best score first.
 */
import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed } from './named-parties.ts';
import type { EntryHits } from '../api-contract/index.ts';

const MAX_ENTRIES = 50;
const MAX_HITS = 500;

const entryHitsQuery = z
  .object({
    entry: z
      .union([z.string(), z.array(z.string()).max(MAX_ENTRIES)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .refine((v) => v.every((x) => /^[^:]{1,100}:.{1,200}$/.test(x)), 'an entry is LIST:ENTRY_ID')
      .describe(`a list entry as LIST:ENTRY_ID (the list and entry_id of a screening result), repeatable up to ${MAX_ENTRIES}`),
  })
  .strict();

export function entryHitRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/watchlist-hits',
      summary: 'Stored screening hits of the given watch-list entries: the trading parties that match each entry',
      permission: 'parties:read',
      query: entryHitsQuery,
      handler: async (req, q: z.infer<typeof entryHitsQuery>): Promise<EntryHits> =>
        audited(
          rt.audit,
          req.actor,
          'view-entry-hits',
          `entries=${q.entry.length}`,
          async () => {
            const pairs = q.entry.map((e) => {
              const i = e.indexOf(':');
              return [e.slice(0, i), e.slice(i + 1)] as const;
            });
            const rows = (await (scopedDb(rt.store, req.scope).db as Kysely<any>)
              .selectFrom('watchlist_hits as h')
              .select(['h.list_id as list', 'h.entry_id', 'h.hit_id', 'h.party_id', 'h.party_name', 'h.score', 'h.status', 'h.decision'])
              .where((eb) => eb.or(pairs.map(([l, id]) => eb.and([eb('h.list_id', '=', l), eb('h.entry_id', '=', id)]))))
              .orderBy('h.score', 'desc')
              .orderBy('h.hit_id')
              .limit(MAX_HITS)
              .execute()) as EntryHits['hits'];
            // Lists trading parties by name: charged against the download quota (named-parties.ts).
            return chargeNamed(req, '/api/watchlist-hits', rows.length, { hits: rows.map((r) => ({ ...r, score: Number(r.score), decision: r.decision ?? null })) });
          },
          (r) => ({ rowCount: r.hits.length, objectIds: [...new Set(r.hits.map((h) => h.party_id))].slice(0, 1000) }),
        ),
    }),
  ];
}
