/**
 * Where measures read from: each source is one FROM clause aliased `t`, its dimensions, its where language
 * and the party whose count drives small-cell suppression.
 *
 * Invariants:
 * - Every source is built on the caller's ScopedDb with the query builder (never raw SQL naming a table), so
 *   the scope plugin filters each table it reads, subqueries included.
 * - Every source exposes `t.date` (a DATE, the first day of what a row describes) and `dateEnd`, SQL for its
 *   last day, so period grouping, read windows and coverage are the same code for all.
 * - trade: trade_lines with the explore look-ups; the `flags` join adds `fl.row_id` for lines named by an
 *   anomaly of the latest analysis run of their provider (latest = highest run_seq among runs that read
 *   that provider), distinct so a line flagged twice is not counted twice. The `watchlist` join adds
 *   `wi.ref` / `we.ref` for lines whose importer / exporter (provider, key) is a member of a party with a
 *   confirmed, not retired hit; each side is a distinct (provider, ref) set, so it never multiplies lines.
 *   Hits are read through the scope plugin too (watchlist grant, and per row the grant of the party name
 *   the hit carries), so the measure only counts matches the reader could look up.
 * - enforcement: enforcement_events with the same look-ups and the explore enforcement catalogue.
 * - mirror: pairs of mirror_stats (detect/mirror-pairs.ts, f = 1.06). One HS level per country pair and
 *   period: TOTAL where reported, else the shortest code level reported, so levels are never added up.
 *   Periods: annual rows for years (monthly rows only where the pair has no annual row), monthly rows for
 *   months and quarters. Mirror statistics describe countries, not businesses: no party, no suppression.
 */
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import type { DatasetCategory } from '../schema/index.ts';
import type { PeriodGrain } from '../store/index.ts';
import { CATALOGUES, joinLookups, type Dimension, type ExploreDataset, type Join } from '../explore/index.ts';
import { withMirrorPairs } from '../detect/mirror-pairs.ts';
import type { MeasureJoin, MeasureSourceId } from './catalogue.ts';

export type AnyQuery = SelectQueryBuilder<any, any, any>;

export interface MeasureSource {
  readonly id: MeasureSourceId;
  readonly label: string;
  readonly category: DatasetCategory;
  /** Non-period dimensions; periods come from the grain. */
  readonly dimensions: readonly Dimension[];
  /** The explore catalogue whose where language applies, or null when the source takes no filter. */
  readonly whereDataset: ExploreDataset | null;
  /** SQL over t naming the party a cell describes, for small-cell suppression; null = no named parties. */
  readonly partyKey: string | null;
  /** SQL over t: the last day a row describes (the date itself for events and lines). */
  readonly dateEnd: string;
  /** SQL over t: the money a row carries (in USD, so parties of different currencies compare), for the dominance rule and for ordering complements. */
  readonly valueSql: string;
  from(db: ScopedDb, joins: ReadonlySet<Join | MeasureJoin>, grain: PeriodGrain | null): AnyQuery;
}

/** Mirror gap factor: importers report CIF, exporters FOB (IMF DOTS default). */
const MIRROR_CIF_FOB = 1.06;

function flaggedLines(db: ScopedDb): AnyQuery {
  const latest = db.db
    .selectFrom('analysis_runs as r')
    .select([sql.ref('r.provider').as('provider'), sql`arg_max(r.run_id, r.run_seq)`.as('run_id')])
    .groupBy('r.provider');
  return db.db
    .selectFrom('anomalies as a')
    .innerJoin(latest.as('lr'), (j) => j.onRef('lr.provider', '=', 'a.provider').onRef('lr.run_id', '=', 'a.run_id'))
    .select(sql`unnest(a.row_ids)`.as('row_id'))
    .distinct();
}

/** Party references (provider, ref) whose party has a hit not retired whose latest decision is confirmed. */
function confirmedRefs(db: ScopedDb): AnyQuery {
  return db.db
    .selectFrom('party_members as wm')
    .innerJoin('watchlist_hits as wh', 'wh.party_id', 'wm.party_id')
    .where('wh.status', '<>', 'retired')
    .where('wh.decision', '=', 'confirmed')
    .select(['wm.provider as provider', 'wm.ref as ref'])
    .distinct();
}

const nonPeriod = (ds: ExploreDataset) => CATALOGUES[ds].dimensions.filter((d) => !d.period);

const tradeSource: MeasureSource = {
  id: 'trade',
  label: 'trade lines',
  category: 'trade',
  dimensions: nonPeriod('trade'),
  whereDataset: 'trade',
  partyKey: 't.importer_key',
  dateEnd: 't.date',
  valueSql: 'coalesce(t.value_usd, 0)',
  from(db, joins) {
    let q = joinLookups(db.db.selectFrom('trade_lines as t'), joins as ReadonlySet<Join>);
    if (joins.has('flags')) q = q.leftJoin(flaggedLines(db).as('fl'), 'fl.row_id', 't.row_id');
    if (joins.has('watchlist')) {
      q = q
        .leftJoin(confirmedRefs(db).as('wi'), (j) => j.onRef('wi.provider', '=', 't.provider').onRef('wi.ref', '=', 't.importer_key'))
        .leftJoin(confirmedRefs(db).as('we'), (j) => j.onRef('we.provider', '=', 't.provider').onRef('we.ref', '=', 't.exporter_key'));
    }
    return q;
  },
};

const enforcementSource: MeasureSource = {
  id: 'enforcement',
  label: 'enforcement events',
  category: 'enforcement',
  dimensions: nonPeriod('enforcement'),
  whereDataset: 'enforcement',
  partyKey: 't.importer_key',
  dateEnd: 't.date',
  valueSql: 'coalesce(t.value_usd, t.penalty_usd, 0)',
  from(db, joins) {
    return joinLookups(db.db.selectFrom('enforcement_events as t'), joins as ReadonlySet<Join>);
  },
};

const mirrorSource: MeasureSource = {
  id: 'mirror',
  label: 'mirror statistics',
  category: 'trade',
  dimensions: [
    { id: 'nation', label: 'Importing country (reporter of the import side)', sql: 't.nation' },
    { id: 'partner', label: 'Exporting country', sql: 't.partner' },
    { id: 'provider', label: 'Provider', sql: 't.provider' },
  ],
  whereDataset: null,
  partyKey: null,
  dateEnd: 't.date_end',
  valueSql: 'greatest(t.mf, t.x)',
  from(db, _joins, grain) {
    const monthly = grain === 'month' || grain === 'quarter';
    const pairs = withMirrorPairs(db.db, MIRROR_CIF_FOB)
      .selectFrom('mp')
      .select([
        sql.ref('provider').as('provider'),
        sql.ref('importer').as('nation'),
        sql.ref('exporter').as('partner'),
        sql.ref('hs').as('hs'),
        sql.ref('period').as('period'),
        sql.ref('mf').as('mf'),
        sql.ref('x').as('x'),
        sql.ref('abs_gap').as('abs_gap'),
        sql`CASE WHEN length(period) = 7 THEN make_date(substr(period, 1, 4)::INTEGER, substr(period, 6, 2)::INTEGER, 1)
          ELSE make_date(substr(period, 1, 4)::INTEGER, 1, 1) END`.as('date'),
        sql`CASE WHEN length(period) = 7 THEN last_day(make_date(substr(period, 1, 4)::INTEGER, substr(period, 6, 2)::INTEGER, 1))
          ELSE make_date(substr(period, 1, 4)::INTEGER, 12, 31) END`.as('date_end'),
      ]);
    // Choose one HS level per pair and period, and annual or monthly rows per the grain, in one pass.
    const ranked = db.db
      .selectFrom(pairs.as('pp'))
      .selectAll()
      .select([
        sql<number>`count(*) FILTER (WHERE hs = 'TOTAL') OVER (PARTITION BY provider, nation, partner, period)`.as('_totals'),
        sql<number>`min(CASE WHEN hs <> 'TOTAL' THEN length(hs) END) OVER (PARTITION BY provider, nation, partner, period)`.as('_level'),
        sql<number>`count(*) FILTER (WHERE length(period) = 4) OVER (PARTITION BY provider, nation, partner, substr(period, 1, 4))`.as('_annual'),
      ]);
    const periodOk = monthly ? sql<SqlBool>`length(period) = 7` : sql<SqlBool>`(length(period) = 4 OR _annual = 0)`;
    return db.db
      .selectFrom(ranked.as('t'))
      .where(sql<SqlBool>`(hs = 'TOTAL' OR (_totals = 0 AND length(hs) = _level))`)
      .where(periodOk);
  },
};

export const SOURCES: Readonly<Record<MeasureSourceId, MeasureSource>> = { trade: tradeSource, enforcement: enforcementSource, mirror: mirrorSource };
