/**
 * measuresQuery: catalogue measures cut by dimensions and a period, with period-on-period change,
 * incomplete-period marks, top-N with an "others" row, and small-cell suppression for aggregate-only scopes.
 *
 * Invariants:
 * - Built on a ScopedDb (the scope plugin filters every table) and on the measure's source (sources.ts):
 *   dimensions, look-ups and the where language come from src/explore; SQL text comes only from
 *   catalogues, user values are bound. Groups are named by position (GROUP BY 1, 2 ...), so expressions
 *   that carry bound values (the top-N fold) are never repeated with different parameter numbers.
 * - One query reads one source; measures of different sources are refused with a message naming them.
 * - Change columns are computed in SQL with window functions over the period start, framed by RANGE on an
 *   interval (not by row offset), so a missing period gives null rather than comparing with the wrong one.
 *   change = (this - previous) / previous; null when either side is null or previous is 0. The previous
 *   period is read with the same filter and grouped by the same dimension members, so a filtered slice
 *   (steel through each port) is compared with the same slice.
 * - `from`/`to` choose the periods shown; the data read starts one comparison interval earlier so the first
 *   period shown still has its changes. Totals cover the periods shown.
 * - A period is `incomplete` when the loaded data of the providers in the slice (in scope, any date, any
 *   goods) starts after its start or ends before its last day; `<change>_base_incomplete` says the same of
 *   the compared period. Per provider, not per filter: steel not traded on 31 December is still complete.
 * - Top-N ranks members of the first dimension by the first measure over the periods shown; the rest are
 *   folded into one OTHERS member per cell, re-aggregated from lines (so distinct counts and rates are right).
 * - Results are never silently truncated: more than MAX_CELLS cells is an error asking for a narrower query
 *   (suppression needs every cell of the table at once).
 * - A USD measure that leaves rows out for want of an exchange rate (catalogue `leftOut`) carries their count
 *   as `<measure>_without_rate` in every cell and in the totals, computed in the same scans as the measure.
 * - At aggregate level, suppressed cells have every measure and change null; change columns of visible cells
 *   are nulled when the compared cell is suppressed or, outside the periods shown, fails the primary rule
 *   (the change would reveal it); grand totals are given only when the table of cells protects them (see
 *   suppression.ts). Sources without named parties (mirror statistics) are not suppressed.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { grantFor, ScopeDeniedError, type ScopedDb } from '../query/index.ts';
import { compileWhere, ExploreSpecError, type Dimension } from '../explore/index.ts';
import type { PeriodGrain } from '../store/index.ts';
import { measureFormula, MEASURES, RANKINGS, type TradeMeasure } from './catalogue.ts';
import { SOURCES, type AnyQuery, type MeasureSource } from './sources.ts';
import { suppressCells, failsPrimary, type SuppressionReason } from './suppression.ts';
import { assertPublished, cellKeySql, perturbationKind, perturber } from '../disclosure/index.ts';

export const MAX_CELLS = 10_000;
export const MAX_TOP = 1000;
/** The member standing for everything outside the top N. */
export const OTHERS = '(others)';

export interface MeasuresSpec {
  measures: readonly string[];
  by: readonly string[];
  where?: string | undefined;
  period?: PeriodGrain | undefined;
  /** First and last period shown, as labels of the grain (2024, 2024-Q1, 2024-03). */
  from?: string | undefined;
  to?: string | undefined;
  /** Keep the top N members of the first dimension by the first measure; fold the rest into OTHERS. */
  top?: number | undefined;
}

export type Cell = Record<string, string | number | boolean | null>;

export interface MeasuresResult {
  /** `without_rate` (USD measures): the column counting the rows the measure left out for want of a rate. */
  measures: { id: string; name: string; unit: string; without_rate?: string }[];
  source: string;
  by: string[];
  period: PeriodGrain | null;
  from: string | null;
  to: string | null;
  top: number | null;
  /** Change columns per measure, named `<measure>_<suffix>`. */
  changes: string[];
  /** First and last day of the loaded data of the providers in the slice (see incomplete); with a period only. */
  coverage: { first: string | null; last: string | null };
  rows: Cell[];
  totals: Record<string, number | null> & { suppressed?: boolean };
  level: 'row' | 'aggregate';
  suppressed_cells: number;
  /** Aggregate-only access to line-level sources: every value, change and total is perturbed (src/disclosure). */
  perturbation?: 'cell-key';
}

const INTERVAL: Record<PeriodGrain, string> = { month: "INTERVAL '1 month'", quarter: "INTERVAL '3 months'", year: "INTERVAL '1 year'" };
const GRAIN_MONTHS: Record<PeriodGrain, number> = { month: 1, quarter: 3, year: 12 };
/** Comparisons offered per grain: year-on-year always, and the previous period for months and quarters. */
const CHANGES: Record<PeriodGrain, { suffix: string; interval: string; months: number }[]> = {
  month: [{ suffix: 'mom', interval: "INTERVAL '1 month'", months: 1 }, { suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
  quarter: [{ suffix: 'qoq', interval: "INTERVAL '3 months'", months: 3 }, { suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
  year: [{ suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
};

function measure(id: string): TradeMeasure {
  const m = MEASURES.find((x) => x.id === id);
  if (m) return m;
  const r = RANKINGS.find((x) => x.id === id);
  if (r) throw new ExploreSpecError(`"${id}" is a ranking: use measure=${r.measure} by=${r.by} top=${r.n}`);
  throw new ExploreSpecError(`unknown measure "${id}": use one of ${MEASURES.map((x) => x.id).join(', ')}`);
}

function dimension(source: MeasureSource, id: string): Dimension {
  if (['month', 'quarter', 'year'].includes(id)) throw new ExploreSpecError(`"${id}" is a period: use period=${id}`);
  const d = source.dimensions.find((x) => x.id === id);
  if (!d) throw new ExploreSpecError(`unknown dimension "${id}" for ${source.label}: use one of ${source.dimensions.map((x) => x.id).join(', ')}`);
  return d;
}

function addMonths(iso: string, months: number): string {
  const [y, m] = iso.slice(0, 10).split('-').map(Number) as [number, number];
  const t = y * 12 + (m - 1) + months;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}-01`;
}

/** First day of the period a label names, checked against the grain. */
export function periodStartOf(label: string, grain: PeriodGrain, field: string): string {
  const y = /^([0-9]{4})$/.exec(label);
  const q = /^([0-9]{4})-Q([1-4])$/.exec(label);
  const m = /^([0-9]{4})-(0[1-9]|1[0-2])$/.exec(label);
  if (grain === 'year' && y) return `${y[1]}-01-01`;
  if (grain === 'quarter' && q) return `${q[1]}-${String((Number(q[2]) - 1) * 3 + 1).padStart(2, '0')}-01`;
  if (grain === 'month' && m) return `${m[1]}-${m[2]}-01`;
  const shape = { year: 'YYYY', quarter: 'YYYY-Qn', month: 'YYYY-MM' }[grain];
  throw new ExploreSpecError(`${field}: a ${grain} is written ${shape}`);
}

interface Window {
  showFrom: string | null;
  /** Exclusive end of the periods shown. */
  showTo: string | null;
  readFrom: string | null;
}

function windowOf(spec: MeasuresSpec, grain: PeriodGrain | null): Window | null {
  if (spec.from === undefined && spec.to === undefined) return null;
  if (!grain) throw new ExploreSpecError('from and to need a period (month, quarter or year)');
  const showFrom = spec.from !== undefined ? periodStartOf(spec.from, grain, 'from') : null;
  const showTo = spec.to !== undefined ? addMonths(periodStartOf(spec.to, grain, 'to'), GRAIN_MONTHS[grain]) : null;
  if (showFrom && showTo && showFrom >= showTo) throw new ExploreSpecError('from is after to');
  const back = Math.max(...CHANGES[grain].map((c) => c.months));
  return { showFrom, showTo, readFrom: showFrom ? addMonths(showFrom, -back) : null };
}

export async function measuresQuery(db: ScopedDb, spec: MeasuresSpec): Promise<MeasuresResult> {
  if (!spec.measures.length) throw new ExploreSpecError('name at least one measure');
  if (new Set(spec.by).size !== spec.by.length || new Set(spec.measures).size !== spec.measures.length) throw new ExploreSpecError('a dimension or measure is listed twice');
  const measures = spec.measures.map(measure);
  const sourceIds = [...new Set(measures.map((m) => m.source))];
  if (sourceIds.length > 1) {
    throw new ExploreSpecError(
      `measures read different datasets (${sourceIds.map((s) => `${SOURCES[s].label}: ${measures.filter((m) => m.source === s).map((m) => m.id).join(', ')}`).join('; ')}): query each separately`,
    );
  }
  const source = SOURCES[sourceIds[0]!];
  const dims = spec.by.map((id) => dimension(source, id));
  const grain = spec.period ?? null;
  if (grain && !INTERVAL[grain]) throw new ExploreSpecError('period is month, quarter or year');
  const win = windowOf(spec, grain);
  const top = spec.top ?? null;
  if (top !== null && (!Number.isInteger(top) || top < 1 || top > MAX_TOP)) throw new ExploreSpecError(`top must be a whole number from 1 to ${MAX_TOP}`);
  if (top !== null && !dims.length) throw new ExploreSpecError('top ranks the first dimension: name one with by');
  for (const c of new Set(measures.flatMap((m) => m.categories))) if (!grantFor(db.scope, c)) throw new ScopeDeniedError(`${c} data`);
  const level = grantFor(db.scope, source.category)!.level;

  if (!source.whereDataset && spec.where?.trim()) throw new ExploreSpecError(`where is not available for ${source.label}: cut by ${source.dimensions.map((d) => d.id).join(', ')} instead`);
  const { filter, fields: usedFields } = source.whereDataset ? compileWhere(db, source.whereDataset, spec.where) : { filter: null, fields: [] };
  const partyUse = [...dims.filter((d) => d.party).map((d) => d.id), ...usedFields.filter((f) => f.party).map((f) => f.id)];
  if (level === 'aggregate' && partyUse.length) throw new ScopeDeniedError(`named-party fields (${partyUse.join(', ')}) at aggregate-only access`);
  // Record-level sources at aggregate-only access: published dimensions only, and every value perturbed
  // (src/disclosure); mirror statistics are country-level statistics already and are shown as they are.
  const perturbed = level === 'aggregate' && source.partyKey !== null;
  if (perturbed) assertPublished(source.whereDataset!, [...dims.map((d) => ({ id: d.id, in: 'by' as const })), ...usedFields.map((f) => ({ id: f.id, in: 'where' as const }))]);
  const secret = db.cellKeySecret;
  if (perturbed && secret === null) throw new ScopeDeniedError("aggregate-only results without the data directory's cell-key secret");
  const noise = perturber();
  const kinds = measures.map((m) => perturbationKind(m));
  const sumMeasures = measures.map((m, i) => ({ m, i })).filter(({ i }) => kinds[i] === 'sum');
  const topK = noise.params.sumWeights.length;

  const joins = new Set([...dims.flatMap((d) => d.joins ?? []), ...usedFields.flatMap((f) => f.joins), ...measures.flatMap((m) => m.joins ?? [])]);
  /** The slice: scope, look-ups and filter, over the dates of `range`. */
  const base = (range: 'read' | 'show' | 'all') => {
    let q = source.from(db, joins, grain);
    if (filter) q = q.where(filter as Expression<SqlBool>);
    const lo = range === 'read' ? win?.readFrom : range === 'show' ? win?.showFrom : null;
    const hi = range === 'all' ? null : win?.showTo;
    if (lo) q = q.where(sql<SqlBool>`t.date >= CAST(${lo} AS DATE)`);
    if (hi) q = q.where(sql<SqlBool>`t.date < CAST(${hi} AS DATE)`);
    return q;
  };
  const formula = (m: TradeMeasure) => sql.raw(measureFormula(m, db.dialect));
  /** The rows each USD measure leaves out, computed beside it (see header). */
  const leftOut = measures.filter((m) => m.leftOut).map((m) => ({ id: `${m.id}_without_rate`, sql: sql.raw(m.leftOut!) }));
  const leftOutSel = leftOut.map((l) => l.sql.as(l.id));
  const byPosition = (n: number) => Array.from({ length: n }, (_, i) => sql.raw(String(i + 1)));
  const groupFirst = <Q extends AnyQuery>(q: Q, n: number): Q => (n ? (q.groupBy(byPosition(n)) as Q) : q);

  /**
   * Top-N at aggregate-only access: members are ranked by the value shown (perturbed) of their cell over the
   * periods shown, and a member whose cell fails the small-cell rule is never ranked: it is folded into
   * OTHERS unseen, like any member below the top N, so neither its rank nor its membership bounds its value.
   * OTHERS is then an ordinary cell computed from its own lines (perturbed, suppressed when it fails the rule).
   */
  async function perturbedRanking(n: number): Promise<(string | null)[]> {
    const m0 = measures[0]!;
    const k0 = sql.raw(dims[0]!.sql!);
    const members = (await base('show')
      .select([k0.as('k'), formula(m0).as('v'), cellKeySql(secret!).as('_ck')])
      .groupBy(byPosition(1))
      .execute()) as Record<string, unknown>[];
    const perParty = base('show')
      .select([k0.as('k'), sql.raw(source.partyKey!).as('_party'), sql<number>`coalesce(sum(${sql.raw(source.valueSql)}), 0)::DOUBLE`.as('_v'), formula(m0).as('_c')])
      .groupBy(byPosition(2));
    const stats = (await db.db
      .selectFrom(perParty.as('pp'))
      .select([
        sql.ref('k').as('k'),
        sql<number>`count(_party)::INTEGER`.as('parties'),
        sql<number>`(max(_v) / nullif(sum(_v), 0))::DOUBLE`.as('top_share'),
        sql<number[]>`max(abs(_c), ${topK})`.as('tops'),
      ])
      .groupBy(byPosition(1))
      .execute()) as Record<string, unknown>[];
    const memberKey = (k: unknown) => (k === null || k === undefined ? null : String(k));
    const statsOf = new Map(stats.map((r) => [memberKey(r['k']), r]));
    const eligible = members.flatMap((r) => {
      const st = statsOf.get(memberKey(r['k']));
      if (!st || failsPrimary({ parties: Number(st['parties'] ?? 0), topShare: (st['top_share'] as number | null) ?? null })) return [];
      const v = noise.value(kinds[0]!, m0.id, (r['v'] as number | null) ?? null, Number(r['_ck'] ?? 0), ((st['tops'] as unknown[] | null) ?? []).map(Number));
      return [{ k: memberKey(r['k']), v }];
    });
    eligible.sort((a, b) => (b.v ?? -Infinity) - (a.v ?? -Infinity) || (a.k === null ? 1 : b.k === null ? -1 : a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    return eligible.slice(0, n).map((e) => e.k);
  }

  // Top-N: rank the first dimension's members over the periods shown, then fold the rest into OTHERS.
  let ranked: (string | null)[] | null = null;
  if (top !== null && perturbed) ranked = await perturbedRanking(top);
  else if (top !== null) {
    const rows = (await base('show')
      .select([sql.raw(dims[0]!.sql!).as('k'), formula(measures[0]!).as('v')])
      .groupBy(byPosition(1))
      .orderBy(sql`v DESC NULLS LAST`)
      .orderBy(sql`k ASC NULLS LAST`)
      .limit(top)
      .execute()) as { k: unknown }[];
    ranked = rows.map((r) => (r.k === null || r.k === undefined ? null : String(r.k)));
  }
  const dimExpr = (d: Dimension, i: number): RawBuilder<unknown> => {
    const e = sql.raw(d.sql!);
    if (i !== 0 || !ranked) return e;
    const named = ranked.filter((x): x is string => x !== null);
    const inTop = named.length ? sql`CAST(${e} AS VARCHAR) IN (${sql.join(named.map((v) => sql`${v}`))})` : sql`false`;
    const keepNull = ranked.includes(null) ? sql`WHEN ${e} IS NULL THEN NULL` : sql``;
    return sql`(CASE WHEN ${inTop} THEN CAST(${e} AS VARCHAR) ${keepNull} ELSE ${OTHERS} END)`;
  };

  const keyCols = [...dims.map((d) => d.id), ...(grain ? ['period'] : [])];
  const periodLabel = grain ? sql.raw(db.dialect.periodLabel('t.date', grain)) : null;
  const periodStart = grain ? sql.raw(db.dialect.periodStart('t.date', grain)) : null;
  const keySel = [...dims.map((d, i) => dimExpr(d, i).as(d.id)), ...(grain ? [periodLabel!.as('period'), periodStart!.as('_ps')] : [])];

  // Without a read window or a top-N fold the cells and the grand total come from one scan (GROUPING SETS,
  // the total row has _g = 1); otherwise the total is its own query over the periods shown.
  const inlineTotals = !win && !ranked;
  const partySel = source.partyKey && level === 'aggregate' ? [sql<number>`count(DISTINCT ${sql.raw(source.partyKey)})::INTEGER`.as('_parties')] : [];
  const keyExprs = [...dims.map((d) => sql.raw(d.sql!)), ...(grain ? [periodLabel!, periodStart!] : [])];
  // Sums and counts at row level: the total is the sum of the cells, so no second aggregation at all.
  const sumCells = inlineTotals && level === 'row' && keyExprs.length > 0 && measures.every((m) => m.additive);
  const withSets = inlineTotals && keyExprs.length > 0 && !sumCells;
  const ungrouped = base('read').select([
    ...keySel,
    ...measures.map((m) => formula(m).as(m.id)),
    ...leftOutSel,
    // Line counts and values only feed suppression; row-level readers do not pay for them.
    ...(level === 'aggregate'
      ? [sql<number>`count(*)::INTEGER`.as('_lines'), sql<number>`coalesce(sum(${sql.raw(source.valueSql)}), 0)::DOUBLE`.as('_value')]
      : []),
    (withSets ? sql<number>`grouping(${keyExprs[0]!})::INTEGER` : sql<number>`0`).as('_g'),
    ...(inlineTotals ? partySel : []),
    ...(perturbed ? [cellKeySql(secret!).as('_ck')] : []),
  ]);
  const grouped = withSets ? ungrouped.groupBy(sql`GROUPING SETS ((${sql.join(keyExprs)}), ())`) : groupFirst(ungrouped, keySel.length);

  // Coverage: all loaded data of the providers in the slice, whatever the filter keeps, so a filter on goods
  // does not make a period look incomplete because the goods were not traded on its last days.
  const sliceProviders = base('all').select(sql.ref('t.provider').as('provider')).distinct();
  const coverageRow = grain
    ? ((await source
        .from(db, new Set(), grain)
        .where('t.provider', 'in', sliceProviders)
        .select([sql<string>`CAST(min(t.date) AS VARCHAR)`.as('first'), sql<string>`CAST(max(${sql.raw(source.dateEnd)}) AS VARCHAR)`.as('last')])
        .executeTakeFirst()) as { first: string | null; last: string | null } | undefined)
    : undefined;
  const coverage = { first: coverageRow?.first ?? null, last: coverageRow?.last ?? null };
  const covFirst = sql`CAST(${coverage.first} AS DATE)`;
  const covLast = sql`CAST(${coverage.last} AS DATE)`;

  const partition = sql`PARTITION BY ${sql.join([sql.ref('_g'), ...dims.map((d) => sql.ref(d.id))])}`;
  const changeSel = grain
    ? measures.flatMap((m) =>
        CHANGES[grain].map((c) => {
          const prev = sql`max(${sql.ref(m.id)}) OVER (${partition} ORDER BY _ps RANGE BETWEEN ${sql.raw(c.interval)} PRECEDING AND ${sql.raw(c.interval)} PRECEDING)`;
          return sql<number>`((${sql.ref(m.id)} - ${prev})::DOUBLE / nullif(${prev}, 0)::DOUBLE)`.as(`${m.id}_${c.suffix}`);
        }),
      )
    : [];
  const extra = grain
    ? [
        sql<string>`CAST(_ps AS VARCHAR)`.as('_ps_text'),
        sql<boolean>`(_ps < ${covFirst} OR CAST(_ps + ${sql.raw(INTERVAL[grain])} AS DATE) > ${covLast} + 1)`.as('incomplete'),
        ...CHANGES[grain].map((c) => sql<boolean>`(CAST(_ps - ${sql.raw(c.interval)} AS DATE) < ${covFirst} OR _ps > ${covLast} + 1)`.as(`${c.suffix}_base_incomplete`)),
      ]
    : [];
  const windowed = db.db.selectFrom(grouped.as('g')).selectAll().select([...changeSel, ...extra]);
  let q = db.db.selectFrom(windowed.as('w')).selectAll();
  // Perturbed changes compare the values shown, so the cells read only for comparison come back too.
  if (win?.showFrom && !perturbed) q = q.where(sql<SqlBool>`_ps >= CAST(${win.showFrom} AS DATE)`);
  for (const k of keyCols) q = q.orderBy(sql`${sql.ref(k === 'period' ? '_ps' : k)} ASC NULLS LAST`);
  const readLimit = perturbed && win?.showFrom ? 3 * MAX_CELLS : MAX_CELLS;
  const fetched = (await q.limit(readLimit + 2).execute()) as Record<string, unknown>[];
  const allCells = withSets ? fetched.filter((r) => Number(r['_g']) === 0) : fetched;
  const showFromDate = win?.showFrom ?? null;
  const raw = perturbed && showFromDate ? allCells.filter((r) => String(r['_ps_text']) >= showFromDate) : allCells;
  if (raw.length > MAX_CELLS || allCells.length > readLimit) throw new ExploreSpecError(`more than ${MAX_CELLS} cells: narrow the query with where, from/to or fewer dimensions`);
  if (ranked) {
    // Members in rank order, OTHERS last; ties within a member keep the period order of the query.
    const rank = new Map(ranked.map((k, i) => [k, i]));
    const r0 = (r: Record<string, unknown>) => rank.get((r[dims[0]!.id] as string | null) ?? null) ?? ranked.length;
    raw.sort((a, b) => r0(a) - r0(b));
  }

  const totalsRow = (
    sumCells
      ? Object.fromEntries([...measures.map((m) => m.id), ...leftOut.map((l) => l.id)].map((id) => [id, raw.reduce((sum, r) => sum + Number(r[id] ?? 0), 0)]))
      : inlineTotals
      ? withSets
        ? fetched.find((r) => Number(r['_g']) === 1)
        : fetched[0]
      : await base('show')
          .select([...measures.map((m) => formula(m).as(m.id)), ...leftOutSel, ...partySel, ...(perturbed ? [cellKeySql(secret!).as('_ck')] : [])])
          .executeTakeFirst()
  ) as Record<string, number | null> | undefined;
  const changes = grain ? CHANGES[grain].map((c) => c.suffix) : [];
  const rows: Cell[] = raw.map((r) => {
    const o: Cell = {};
    for (const k of keyCols) o[k] = r[k] as string | null;
    for (const m of measures) {
      o[m.id] = r[m.id] as number | null;
      for (const c of changes) o[`${m.id}_${c}`] = (r[`${m.id}_${c}`] as number | null) ?? null;
    }
    for (const l of leftOut) o[l.id] = (r[l.id] as number | null) ?? 0;
    if (grain) {
      o['incomplete'] = Boolean(r['incomplete']);
      for (const c of changes) o[`${c}_base_incomplete`] = Boolean(r[`${c}_base_incomplete`]);
    }
    return o;
  });
  const totals: MeasuresResult['totals'] = Object.fromEntries([
    ...measures.map((m) => [m.id, totalsRow?.[m.id] ?? null]),
    ...leftOut.map((l) => [l.id, totalsRow?.[l.id] ?? 0]),
  ]);
  let suppressedCells = 0;

  if (perturbed && rows.length) {
    // Per cell (shown or only compared with): distinct parties, the largest party's share of the value and
    // the largest party contributions to each sum (what its perturbation is proportional to).
    const partyKey = sql.raw(source.partyKey!);
    const contributions = sumMeasures.map(({ m, i }) => formula(m).as(`_c${i}`));
    const topsSel = sumMeasures.map(({ i }) => sql<number[]>`max(abs(${sql.ref(`_c${i}`)}), ${topK})`.as(`_t${i}`));
    const labelSel = keySel.filter((_, i) => i < dims.length + (grain ? 1 : 0));
    const perParty = base('read')
      .select([...labelSel, partyKey.as('_party'), sql<number>`coalesce(sum(${sql.raw(source.valueSql)}), 0)::DOUBLE`.as('_v'), ...contributions])
      .groupBy(byPosition(labelSel.length + 1));
    const stats = (await db.db
      .selectFrom(perParty.as('pp'))
      .select([
        ...keyCols.map((k) => sql.ref(k).as(k)),
        sql<number>`count(_party)::INTEGER`.as('parties'),
        sql<number>`(max(_v) / nullif(sum(_v), 0))::DOUBLE`.as('top_share'),
        ...topsSel,
      ])
      .$call((x) => groupFirst(x as AnyQuery, keyCols.length))
      .execute()) as Record<string, unknown>[];
    const keyOf = (r: Record<string, unknown>) => JSON.stringify(keyCols.map((k) => r[k] ?? null));
    const byKey = new Map(stats.map((s) => [keyOf(s), s]));
    const topsOf = (s: Record<string, unknown> | undefined, i: number) => ((s?.[`_t${i}`] as unknown[] | null | undefined) ?? []).map(Number);
    /** A cell's measures as shown: perturbed with the cell's key, each on its own stream. */
    const shownOf = (r: Record<string, unknown>, s: Record<string, unknown> | undefined) =>
      measures.map((m, i) => noise.value(kinds[i]!, m.id, (r[m.id] as number | null) ?? null, Number(r['_ck'] ?? 0), topsOf(s, i)));
    const { reasons } = suppressCells(
      raw.map((r) => {
        const s = byKey.get(keyOf(r));
        return { key: keyCols.map((k) => (r[k] as string | null) ?? null), parties: Number(s?.['parties'] ?? 0), topShare: (s?.['top_share'] as number | null) ?? null, lines: Number(r['_lines']), value: Number(r['_value']) };
      }),
    );
    // Cells hidden from a reader, by dimension members and period start: suppressed ones shown, and ones
    // read only for comparison that fail the primary rule.
    const hidden = new Set<string>();
    const cellId = (members: unknown[], ps: unknown) => JSON.stringify([...members.map((x) => x ?? null), ps ?? null]);
    const shownById = new Map(allCells.map((r) => [cellId(dims.map((d) => r[d.id]), r['_ps_text']), shownOf(r, byKey.get(keyOf(r)))]));
    raw.forEach((r, i) => {
      const why: SuppressionReason | null = reasons[i]!;
      rows[i]!['suppressed'] = why !== null;
      rows[i]!['suppression'] = why;
      const values = why ? null : shownById.get(cellId(dims.map((d) => r[d.id]), r['_ps_text']))!;
      if (why) {
        suppressedCells++;
        hidden.add(cellId(dims.map((d) => r[d.id]), r['_ps_text']));
      }
      measures.forEach((m, k) => {
        rows[i]![m.id] = values ? values[k]! : null;
        for (const c of changes) rows[i]![`${m.id}_${c}`] = null;
      });
      // Lines left out for want of a rate are a count of records too: perturbed like one, hidden with the cell.
      for (const l of leftOut) rows[i]![l.id] = why ? null : noise.value('count', l.id, (r[l.id] as number | null) ?? 0, Number(r['_ck'] ?? 0), []);
    });
    if (grain) {
      if (win?.showFrom) {
        for (const s of stats) {
          const label = String(s['period'] ?? '');
          if (!failsPrimary({ parties: Number(s['parties'] ?? 0), topShare: (s['top_share'] as number | null) ?? null })) continue;
          hidden.add(cellId(dims.map((d) => s[d.id]), periodStartOf(label, grain, 'period')));
        }
      }
      // Changes compare the values shown (a change of true values would give them back by differencing two
      // answers), and never against a hidden cell (this / (1 + change) would give it back).
      raw.forEach((r, i) => {
        if (reasons[i] !== null) return;
        for (const c of CHANGES[grain]) {
          const prevId = cellId(dims.map((d) => r[d.id]), addMonths(String(r['_ps_text']), -c.months));
          const prev = hidden.has(prevId) ? undefined : shownById.get(prevId);
          measures.forEach((m, k) => {
            const cur = rows[i]![m.id] as number | null;
            const p = prev?.[k] ?? null;
            rows[i]![`${m.id}_${c.suffix}`] = cur === null || p === null || p === 0 ? null : (cur - p) / p;
          });
        }
      });
    }
    // The grand total over a single cell is that cell; over the whole query it describes all its parties.
    const totalFails = (raw.length === 1 && reasons[0] !== null) || failsPrimary({ parties: Number(totalsRow?.['_parties'] ?? 0), topShare: null });
    if (totalFails) {
      for (const m of measures) totals[m.id] = null;
      for (const l of leftOut) totals[l.id] = null;
      totals.suppressed = true;
    } else {
      // The total is a cell of its own: all the records of the periods shown, perturbed with their key.
      const totalStats = sumMeasures.length
        ? ((await db.db
            .selectFrom(base('show').select([partyKey.as('_party'), ...contributions]).groupBy(byPosition(1)).as('pp'))
            .select(topsSel)
            .executeTakeFirst()) as Record<string, unknown> | undefined)
        : undefined;
      const shownTotals = shownOf((totalsRow ?? {}) as Record<string, unknown>, totalStats);
      measures.forEach((m, k) => (totals[m.id] = shownTotals[k]!));
      for (const l of leftOut) totals[l.id] = noise.value('count', l.id, Number(totalsRow?.[l.id] ?? 0), Number(totalsRow?.['_ck'] ?? 0), []);
    }
  }

  return {
    measures: measures.map((m) => ({ id: m.id, name: m.name, unit: m.unit, ...(m.leftOut ? { without_rate: `${m.id}_without_rate` } : {}) })),
    source: source.id,
    by: dims.map((d) => d.id),
    period: grain,
    from: spec.from ?? null,
    to: spec.to ?? null,
    top,
    changes,
    coverage,
    rows,
    totals,
    level,
    suppressed_cells: suppressedCells,
    ...(perturbed ? { perturbation: 'cell-key' as const } : {}),
  };
}
