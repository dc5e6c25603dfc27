/**
 * circular-trade: goods of one hs4 go round a ring of parties, A -> B (-> C (-> D)) -> A, within a window
 * (FATF indicator: round-tripping and carousel schemes).
 *
 * Invariants:
 * - The party graph is built from the lines the caller may see: each line is an edge exporter -> importer
 *   (party keys: id, else upper-cased name), labelled with its hs4 and date. A line whose exporter and
 *   importer are the same party is not an edge.
 * - A cycle of length 2..max_length uses distinct parties, edges of one provider and one hs4, legs in
 *   non-decreasing date order, and the last leg within `window_months` of the first. Requiring time order
 *   makes each ring of lines one cycle (its earliest leg is leg 1), not one per rotation.
 * - Edges that cannot lie on a cycle (exporter never an importer of that hs4, or importer never an exporter)
 *   are pruned before the joins, so the join size follows the few parties that both buy and sell a product,
 *   not the number of lines.
 * - One anomaly per line on a cycle (subject 'line', row_ids = every leg of its cycle); a line on several
 *   cycles reports the shortest (fewest legs, then fewest days, then smallest row ids), so results are
 *   deterministic.
 * - Score in [60, 100]: 100 - 40 x span / window, higher for a faster round trip.
 * - Output columns are ANOMALY_COLUMNS, ordered by row_id.
 */
import { sql, type Kysely, type QueryCreator, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';

export const circularTradeParams = z
  .object({
    window_months: z.number().int().min(1).max(60).default(12).describe('the last leg within this many months of the first (default 12)'),
    max_length: z.number().int().min(2).max(4).default(4).describe('longest cycle, in legs (2 to 4; default 4)'),
    min_value: z.number().min(0).default(0).describe('ignore lines below this value (default 0: all)'),
  })
  .strict();

const LEG = (e: string) => `struct_pack(row_id := ${e}.row_id, date := strftime(${e}.date, '%Y-%m-%d'), flow := ${e}.flow, exporter := ${e}.src, importer := ${e}.dst, value := ${e}.value)`;

export const circularTrade = defineDetector({
  id: 'circular-trade',
  version: '1',
  summary: 'goods of one hs4 go round 2 to 4 parties (A -> B -> ... -> A) within 12 months',
  params: circularTradeParams,
  build(db, p) {
    const k = db.db as Kysely<any>;
    const win = sql.raw(`INTERVAL ${p.window_months} MONTH`); // an integer validated by the schema
    const same = (a: string, b: string) => sql`${sql.ref(`${b}.provider`)} = ${sql.ref(`${a}.provider`)} AND ${sql.ref(`${b}.hs4`)} = ${sql.ref(`${a}.hs4`)}`;
    // Leg `b` follows leg `a` in time and stays within the window opened by the first leg e1.
    const after = (a: string, b: string) => sql`${sql.ref(`${b}.src`)} = ${sql.ref(`${a}.dst`)} AND ${sql.ref(`${b}.date`)} >= ${sql.ref(`${a}.date`)} AND ${sql.ref(`${b}.date`)} <= e1.date + ${win}`;
    // Built on the WITH callback's query creator: a builder of the scoped `k` would be checked by the scope
    // layer on its own, before its parent's WITH names it may read (e) are known.
    const cycle = (qc: QueryCreator<any>, n: number) => {
      const legs = Array.from({ length: n }, (_, i) => `e${i + 1}`);
      let q: SelectQueryBuilder<any, any, any> = qc.selectFrom('e as e1');
      for (let i = 1; i < n; i++) {
        const a = legs[i - 1]!;
        const b = legs[i]!;
        // The new party (b's importer) must differ from all before it, except that the last leg closes on A.
        const distinct = legs.slice(0, i).map((x) => sql`${sql.ref(`${b}.dst`)} <> ${sql.ref(`${x}.dst`)}`);
        const closes = i === n - 1 ? sql`${sql.ref(`${b}.dst`)} = e1.src` : sql`${sql.ref(`${b}.dst`)} <> e1.src`;
        q = q.innerJoin(`e as ${b}`, (j) => j.on(sql<boolean>`${sql.join([same('e1', b), after(a, b), closes, ...distinct], sql` AND `)}`));
      }
      const last = legs[n - 1]!;
      return q.select([
        'e1.provider',
        'e1.hs4',
        sql<number>`${n}::INTEGER`.as('len'),
        sql<number>`datediff('day', e1.date, ${sql.ref(`${last}.date`)})::INTEGER`.as('span_days'),
        sql<string[]>`list_value(${sql.raw(legs.map((e) => `${e}.row_id`).join(', '))})`.as('ids'),
        sql<string[]>`list_value(${sql.raw(legs.map((e) => `${e}.src`).join(', '))})`.as('parties'),
        sql<string>`list_value(${sql.raw(legs.map(LEG).join(', '))})`.as('legs'),
      ]);
    };
    const cycles = (qc: QueryCreator<any>) => {
      let q = cycle(qc, 2);
      for (let n = 3; n <= p.max_length; n++) q = q.unionAll(cycle(qc, n));
      return q;
    };

    return k
      .with('e0', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.provider',
            't.row_id',
            't.declaration_id',
            't.line_no',
            't.flow',
            't.hs4',
            't.date',
            sql<number>`t.value::DOUBLE`.as('value'),
            't.exporter_key as src',
            't.importer_key as dst',
          ])
          .where('t.exporter_key', 'is not', null)
          .where('t.importer_key', 'is not', null)
          .where(sql<boolean>`t.exporter_key <> t.importer_key`)
          .where('t.date', 'is not', null)
          .where('t.hs4', 'is not', null)
          .where(sql<boolean>`coalesce(t.value, 0) >= ${p.min_value}::DOUBLE`),
      )
      .with('buyers', (qb) => qb.selectFrom('e0').select(['provider', 'hs4', 'dst as party']).distinct())
      .with('sellers', (qb) => qb.selectFrom('e0').select(['provider', 'hs4', 'src as party']).distinct())
      .with('e', (qb) =>
        qb
          .selectFrom('e0')
          .innerJoin('buyers as b', (j) => j.onRef('b.provider', '=', 'e0.provider').onRef('b.hs4', '=', 'e0.hs4').onRef('b.party', '=', 'e0.src'))
          .innerJoin('sellers as s', (j) => j.onRef('s.provider', '=', 'e0.provider').onRef('s.hs4', '=', 'e0.hs4').onRef('s.party', '=', 'e0.dst'))
          .selectAll('e0'),
      )
      .with('c', (qc) => cycles(qc))
      .with('per_line', (qb) =>
        qb
          .selectFrom(sql`(SELECT c.*, unnest(c.ids) AS row_id, unnest(range(1, len(c.ids) + 1)) AS leg FROM c)`.as('u'))
          .selectAll('u')
          .select(sql<number>`row_number() OVER (PARTITION BY u.provider, u.row_id ORDER BY u.len, u.span_days, u.ids)`.as('pick')),
      )
      .selectFrom('per_line as x')
      .innerJoin('e', (j) => j.onRef('e.provider', '=', 'x.provider').onRef('e.row_id', '=', 'x.row_id'))
      .where('x.pick', '=', 1)
      .select([
        'x.provider',
        sql<string>`'line'`.as('subject_kind'),
        'e.declaration_id',
        'e.line_no',
        'x.row_id',
        sql<number>`round(100 - 40 * least(1.0, x.span_days / (${p.window_months} * 30.4375)), 2)`.as('score'),
        sql<string>`printf('Goods of hs4 %s went round %d parties in %d days: %s -> %s; this line is leg %d (%s -> %s)',
          x.hs4, x.len, x.span_days, array_to_string(x.parties, ' -> '), x.parties[1], x.leg, e.src, e.dst)`.as('reason'),
        sql<string>`json_object('hs4', x.hs4, 'parties', x.parties, 'cycle_length', x.len, 'leg', x.leg, 'span_days', x.span_days,
          'window_months', ${p.window_months}::INTEGER, 'legs', x.legs)`.as('evidence'),
        sql<string[]>`x.ids`.as('row_ids'),
      ])
      .orderBy('x.row_id');
  },
});
