/**
 * Tukey-fence comparison of a price with its group, shared by price-iqr and value-per-kg.
 *
 * Invariants:
 * - Groups are hs6 x partner x flow (x unit); a line whose fine group has fewer than `minGroup` lines is
 *   compared with hs6 x flow (x unit) instead, and is not judged at all when that is also too small:
 *   quartiles of a handful of lines flag noise.
 * - Quartiles are continuous (interpolated) quantiles from the dialect, so the hand-computed tests and the
 *   engine agree to the cent.
 * - Scale (`scale`, default 'log'): quartiles and fences are taken of ln(price), so a price x8 and one /8 of
 *   the median are equally far out (trade prices are multiplicative and right-skewed: on the raw scale the
 *   lower fence of a log-normal group is often below zero, and under-invoicing could never be flagged). The
 *   evidence reports the quartiles and fences back on the price scale (exp of the log values: geometric
 *   interpolation between two prices) with the IQR of ln(price) as `log_iqr`. 'linear' is the classic
 *   Pak & Zdanowicz filter on raw prices. With k = 0 both flag the same lines. On the log scale only
 *   positive prices are compared (a zero price has no logarithm: zero values are data of their own).
 * - Score is 50 at the fence and rises monotonically towards 100 with the distance beyond the fence in IQR
 *   units d (of ln price on the log scale): 100 - 50 / (1 + d). A group with IQR 0 gives 100 to any line
 *   outside it.
 * - Direction: an import priced above its group or an export priced below it moves money out (outflow);
 *   the reverse moves money in (inflow). Value at risk = |price - nearest quartile| x quantity.
 * - Period: with `windowMonths` = N > 0 (the detectors' default, 12) a line's group is the lines of that
 *   group in the line's calendar month and the N - 1 months before it, so every line of a group in one
 *   month is judged against the same reference (the way monthly reference prices work) and the result does
 *   not depend on the order of days within a month; the evidence names the window's first and last day.
 *   With 0 the group spans the whole period in scope (one GROUPING SETS pass).
 * - Output columns are ANOMALY_COLUMNS; rows are ordered by row_id for determinism.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { GROUP_JSON, GROUP_PHRASE, withPricedLines, type PriceBasis } from './priced-lines.ts';

export const FENCE_SCALES = ['log', 'linear'] as const;
export type FenceScale = (typeof FENCE_SCALES)[number];

/** The value the quartiles are taken of, over column `price` of CTE `p`. */
const valueOf = (scale: FenceScale) => (scale === 'log' ? 'ln(price)' : 'price');
/** Lines the comparison can judge on that scale (SQL over `p`). */
const judged = (scale: FenceScale) => (scale === 'log' ? 'price > 0' : 'true');

export interface FenceOptions {
  readonly basis: PriceBasis;
  /** Reason sentence subject, e.g. "Unit price". */
  readonly label: string;
  readonly k: number;
  readonly minGroup: number;
  /** 'log' (default): fences on ln(price); 'linear': on the price itself. */
  readonly scale?: FenceScale;
  /**
   * Rolling comparison window in calendar months: a line is compared with the lines of its group in its own
   * month and the months before it, this many months in all. 0 compares with the whole period.
   */
  readonly windowMonths?: number;
  /** Incremental run: only lines of these partitions (see BuildContext). */
  readonly touched?: SelectQueryBuilder<any, any, any> | undefined;
}

/**
 * Adds CTE `g`: n and quartiles of every fine group (hs6 x flow x unit x partner, coarse = 0) and every coarse
 * group (hs6 x flow x unit, coarse = 1), in one pass over the priced lines (GROUPING SETS) with the three
 * quartiles from one sort per group (a list quantile): the same numbers as separate quantile aggregates,
 * at about the cost of the hand-written query (bench/detectors.ts).
 */
function groupStats(db: ScopedDb, q: ReturnType<typeof withPricedLines>, scale: FenceScale) {
  return q.with('g', (qb) =>
    qb
      .selectFrom('p')
      .where(sql.raw<boolean>(judged(scale)))
      .select([
        'hs6',
        'flow',
        'unit',
        'partner',
        sql<number>`grouping(partner)`.as('coarse'),
        sql<number>`count(*)::INTEGER`.as('n'),
        sql.raw<number[]>(db.dialect.quantiles(valueOf(scale), [0.25, 0.5, 0.75])).as('qs'),
      ])
      .groupBy(sql`GROUPING SETS ((hs6, flow, unit, partner), (hs6, flow, unit))`),
  );
}

/**
 * Adds CTE `w`: for every group and calendar month with lines (fine cells: hs6 x flow x unit x partner,
 * coarse = 0; coarse cells: hs6 x flow x unit, coarse = 1; one GROUPING SETS pass), the n and quartiles of
 * the group's lines in that month and the `months - 1` months before it. Each cell gathers its window's
 * prices as one list (a window over the few cells, not the lines) and takes the three quartiles of it in
 * one pass: about a third of the cost of per-line RANGE-frame quantiles, which evaluate every quantile for
 * every line (bench/detectors.ts).
 */
function rollingStats(db: ScopedDb, q: ReturnType<typeof withPricedLines>, months: number, scale: FenceScale) {
  // `months` is an integer validated by the detector's schema.
  const frameText = `(PARTITION BY coarse, hs6, flow, unit, partner ORDER BY mi RANGE BETWEEN ${months - 1} PRECEDING AND CURRENT ROW)`;
  const frame = sql.raw(frameText);
  return q
    .with('mc', (qb) =>
      qb
        .selectFrom('p')
        .where(sql.raw<boolean>(judged(scale)))
        .select([
          'hs6',
          'flow',
          'unit',
          'partner',
          sql<number>`year(date) * 12 + month(date) - 1`.as('mi'),
          sql<number>`grouping(partner)`.as('coarse'),
          sql<number>`count(*)`.as('cnt'),
          sql.raw<number[]>(`list(${valueOf(scale)})`).as('ps'),
        ])
        .groupBy(sql`GROUPING SETS ((hs6, flow, unit, partner, year(date) * 12 + month(date) - 1), (hs6, flow, unit, year(date) * 12 + month(date) - 1))`),
    )
    .with('w', (qb) =>
      qb
        .selectFrom('mc')
        .select([
          'coarse',
          'hs6',
          'flow',
          'unit',
          'partner',
          'mi',
          sql<number>`(sum(cnt) OVER ${frame})::INTEGER`.as('n'),
          sql.raw<number[]>(db.dialect.listQuantiles(`flatten(list(ps) OVER ${frameText})`, [0.25, 0.5, 0.75])).as('qs'),
        ]),
    );
}

/** CTE `j` over the whole period: each priced line with the level, n and quartiles of the group it is compared with. */
function wholePeriod(db: ScopedDb, priced: ReturnType<typeof withPricedLines>, min: RawBuilder<unknown>, levelOf: (fine: RawBuilder<unknown>) => RawBuilder<string>, scale: FenceScale) {
  const fine = sql`(gf.n >= ${min} AND p.partner <> '')`;
  const pick = (c: string) => sql`CASE WHEN ${fine} THEN ${sql.ref(`gf.${c}`)} ELSE ${sql.ref(`gc.${c}`)} END`;
  return groupStats(db, priced, scale).with('j', (qb) =>
    qb
      .selectFrom('p')
      .where(sql.raw<boolean>(judged(scale)))
      .leftJoin('g as gf', (jn) => jn.on('gf.coarse', '=', 0).onRef('gf.hs6', '=', 'p.hs6').onRef('gf.flow', '=', 'p.flow').onRef('gf.unit', '=', 'p.unit').onRef('gf.partner', '=', 'p.partner'))
      .innerJoin('g as gc', (jn) => jn.on('gc.coarse', '=', 1).onRef('gc.hs6', '=', 'p.hs6').onRef('gc.flow', '=', 'p.flow').onRef('gc.unit', '=', 'p.unit'))
      .selectAll('p')
      .select([
        levelOf(fine).as('level'),
        pick('n').as('n'),
        sql<number>`${pick('qs')}[1]`.as('q1'),
        sql<number>`${pick('qs')}[2]`.as('med'),
        sql<number>`${pick('qs')}[3]`.as('q3'),
      ]),
  );
}

export function fenceQuery(db: ScopedDb, o: FenceOptions) {
  const months = o.windowMonths ?? 0;
  const scale = o.scale ?? 'log';
  const priced = withPricedLines(db.db as Kysely<any>, o.basis, o.touched);
  const min = sql`${o.minGroup}::INTEGER`;
  const k = sql`${o.k}::DOUBLE`;
  const levelOf = (fine: RawBuilder<unknown>) => sql<string>`CASE WHEN ${fine} THEN 'hs6 x partner x flow' ELSE 'hs6 x flow' END`;
  const withJ =
    months > 0
      ? rollingStats(db, priced, months, scale).with('j', (qb) => {
          const fine = sql`(wf.n >= ${min} AND p.partner <> '')`;
          const pick = (c: string) => sql`CASE WHEN ${fine} THEN ${sql.ref(`wf.${c}`)} ELSE ${sql.ref(`wc.${c}`)} END`;
          const mi = sql`year(p.date) * 12 + month(p.date) - 1`;
          return qb
            .selectFrom('p')
            .leftJoin('w as wf', (jn) =>
              jn.on('wf.coarse', '=', 0).onRef('wf.hs6', '=', 'p.hs6').onRef('wf.flow', '=', 'p.flow').onRef('wf.unit', '=', 'p.unit').onRef('wf.partner', '=', 'p.partner').on('wf.mi', '=', mi),
            )
            .innerJoin('w as wc', (jn) => jn.on('wc.coarse', '=', 1).onRef('wc.hs6', '=', 'p.hs6').onRef('wc.flow', '=', 'p.flow').onRef('wc.unit', '=', 'p.unit').on('wc.mi', '=', mi))
            .where(sql.raw<boolean>(judged(scale)))
            .selectAll('p')
            .select([
              levelOf(fine).as('level'),
              pick('n').as('n'),
              sql<number>`${pick('qs')}[1]`.as('q1'),
              sql<number>`${pick('qs')}[2]`.as('med'),
              sql<number>`${pick('qs')}[3]`.as('q3'),
            ]);
        })
      : wholePeriod(db, priced, min, levelOf, scale);
  const windowJson =
    months > 0
      ? `, 'window', json_object('months', ${months}, 'from', strftime(date_trunc('month', date) - INTERVAL ${months - 1} MONTH, '%Y-%m-%d'), 'to', strftime(last_day(date), '%Y-%m-%d'))`
      : '';
  // Quartiles in j are of the compared value v (ln price or price); fences are taken there and reported
  // back on the price scale (`back`), so the evidence always speaks in prices.
  const v = valueOf(scale);
  const back = (e: string) => (scale === 'log' ? `exp(${e})` : e);
  const withGroups = withJ
    .with('f', (qb) =>
      qb
        .selectFrom('j')
        .selectAll()
        .select([
          sql.raw<number>(v).as('v'),
          sql<number>`q3 - q1`.as('viqr'),
          sql<number>`q1 - ${k} * (q3 - q1)`.as('vlf'),
          sql<number>`q3 + ${k} * (q3 - q1)`.as('vuf'),
        ])
        .where('n', '>=', min),
    )
    .with('x', (qb) =>
      qb
        .selectFrom('f')
        .selectAll()
        .select([
          sql<boolean>`v > vuf`.as('above'),
          sql<number>`CASE WHEN viqr > 0 THEN (CASE WHEN v > vuf THEN v - vuf ELSE vlf - v END) / viqr END`.as('dev'),
          sql.raw<number>(back('q1')).as('pq1'),
          sql.raw<number>(back('med')).as('pmed'),
          sql.raw<number>(back('q3')).as('pq3'),
          sql.raw<number>(back('vlf')).as('lf'),
          sql.raw<number>(back('vuf')).as('uf'),
        ])
        .where(sql<boolean>`v > vuf OR v < vlf`),
    );
  const ratio = "CASE WHEN price / pmed >= 1 THEN printf('%.1f', price / pmed) ELSE printf('%.2f', price / pmed) END";
  const logIqr = scale === 'log' ? ", 'log_iqr', viqr" : '';
  return withGroups
    .selectFrom('x')
    .select([
      'provider',
      sql<string>`'line'`.as('subject_kind'),
      'declaration_id',
      'line_no',
      'row_id',
      sql<number>`CASE WHEN dev IS NULL THEN 100.0 ELSE round(100 - 50 / (1 + dev), 2) END`.as('score'),
      sql<string>`printf('%s %.2f %s/%s is %s× the median %.2f of %d %ss of %s%s; %s the %s fence %.2f',
        ${o.label}, price, currency, unit, ${sql.raw(ratio)}, pmed, n, flow, hs6, ${sql.raw(GROUP_PHRASE)},
        CASE WHEN above THEN 'above' ELSE 'below' END, CASE WHEN above THEN 'upper' ELSE 'lower' END,
        CASE WHEN above THEN uf ELSE lf END)`.as('reason'),
      sql<string>`json_object('group', ${sql.raw(GROUP_JSON)}, 'n', n, 'scale', ${scale}, 'q1', pq1, 'median', pmed, 'q3', pq3, 'iqr', pq3 - pq1${sql.raw(logIqr)},
        'k', ${k}, 'lower_fence', lf, 'upper_fence', uf, 'observed', price, 'unit', unit, 'currency', currency,
        'deviation', price - CASE WHEN above THEN uf ELSE lf END, 'deviation_iqr', dev, 'ratio_to_median', price / pmed,
        'direction', CASE WHEN above = (flow = 'import') THEN 'outflow' ELSE 'inflow' END,
        'quantity', amount, 'value_at_risk', abs(price - CASE WHEN above THEN pq3 ELSE pq1 END) * amount${sql.raw(windowJson)})`.as('evidence'),
      sql<string[]>`list_value(row_id)`.as('row_ids'),
    ])
    .orderBy('row_id');
}
