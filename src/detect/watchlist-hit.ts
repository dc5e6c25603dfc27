/**
 * watchlist-hit: a trading party on a line matches a watch-list entry (stored batch-screening hits).
 *
 * Invariants:
 * - Reads the open hits of the last batch screen (`parallax screen --all`); suppressed (false positive) and
 *   retired hits never fire. Without a screen there are no hits and no anomalies.
 * - One anomaly per line: the best open hit of its importer or exporter party (resolved parties, so a
 *   party written several ways is matched once). Score = 100 x match score (hits are at or over the
 *   threshold, so 88..100 at the default).
 * - The reason names the party, the entry, the list version and the score; evidence carries the hit id
 *   (for decisions) and the scorer's explanation (token pairs, qualifiers, penalties).
 * - Watch-list hits are watchlist data: anomalies carry category 'watchlist', and a scope without row-level
 *   watchlist and trade grants gets an empty result instead of an error, like payment-mismatch (the query
 *   then never names watchlist_hits, which the scope layer would refuse). Hits are read through the scope
 *   layer, which shows a hit only under the grant of the party name it carries.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { grantFor } from '../query/index.ts';
import { defineDetector, noAnomalies } from './detector.ts';

export const watchlistHitParams = z
  .object({
    min_score: z.number().min(0).max(1).default(0).describe('smallest stored match score that fires (hits are stored at the screening threshold, 0.88 by default)'),
  })
  .strict();

export const watchlistHit = defineDetector({
  id: 'watchlist-hit',
  version: '1',
  summary: 'the importer or exporter of a line matches a watch-list entry (open batch-screening hits)',
  category: 'watchlist',
  params: watchlistHitParams,
  build(db, p) {
    const k = db.db as Kysely<any>;
    const rowLevel = (c: 'watchlist' | 'trade') => grantFor(db.scope, c)?.level === 'row';
    if (!rowLevel('watchlist') || !rowLevel('trade')) return noAnomalies(k, 'line');
    const hits = k
      .selectFrom('watchlist_hits as h')
      .select(['h.hit_id', 'h.list_id as list', 'h.party_id', 'h.party_name', 'h.entry_id', 'h.entry_type', 'h.entry_name', 'h.matched_name', 'h.weak_alias', 'h.score', 'h.list_version', 'h.explanation'])
      .where('h.status', '=', 'open')
      .where('h.score', '>=', p.min_score);
    const role = (r: 'importer' | 'exporter') =>
      k
        .selectFrom('trade_lines as t')
        .innerJoin('party_members as m', (j) => j.onRef('m.provider', '=', 't.provider').onRef('m.ref', '=', `t.${r}_key`))
        .innerJoin(hits.as('h'), 'h.party_id', 'm.party_id')
        .select([
          't.provider',
          't.row_id',
          't.declaration_id',
          't.line_no',
          sql<string>`${r}`.as('role'),
          'h.hit_id',
          'h.list',
          'h.party_id',
          'h.party_name',
          'h.entry_id',
          'h.entry_type',
          'h.entry_name',
          'h.matched_name',
          'h.weak_alias',
          'h.score',
          'h.list_version',
          'h.explanation',
        ]);
    const ranked = k
      .selectFrom(role('importer').unionAll(role('exporter')).as('x'))
      .select([
        'x.provider',
        sql<string>`'line'`.as('subject_kind'),
        'x.declaration_id',
        'x.line_no',
        'x.row_id',
        sql<number>`round(100 * x.score, 2)`.as('score'),
        sql<string>`printf('%s %s (party %s) matches %s entry %s ''%s'' in %s (score %.3f%s)', CASE x.role WHEN 'importer' THEN 'Importer' ELSE 'Exporter' END,
          x.party_name, x.party_id, x.list, x.entry_id, x.entry_name, x.list_version, x.score,
          CASE WHEN x.matched_name <> x.entry_name THEN printf(', via %s ''%s''', CASE WHEN x.weak_alias THEN 'weak alias' ELSE 'alias' END, x.matched_name) ELSE '' END)`.as('reason'),
        sql<string>`json_object('hit_id', x.hit_id, 'role', x.role, 'party_id', x.party_id, 'party_name', x.party_name, 'list', x.list,
          'list_version', x.list_version, 'entry_id', x.entry_id, 'entry_type', x.entry_type, 'entry_name', x.entry_name,
          'matched_name', x.matched_name, 'weak_alias', x.weak_alias, 'match_score', x.score, 'explanation', x.explanation::JSON)`.as('evidence'),
        sql<string[]>`[x.row_id]`.as('row_ids'),
        sql<number>`row_number() OVER (PARTITION BY x.row_id ORDER BY x.score DESC, x.role, x.entry_id)`.as('rn'),
      ]);
    return k
      .selectFrom(ranked.as('r'))
      .select(['r.provider', 'r.subject_kind', 'r.declaration_id', 'r.line_no', 'r.row_id', 'r.score', 'r.reason', 'r.evidence', 'r.row_ids'])
      .where('r.rn', '=', 1)
      .orderBy('r.row_id');
  },
});
