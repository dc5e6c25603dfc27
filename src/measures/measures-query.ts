/**
 * measuresQuery: catalogue measures cut by explore dimensions and a period, with period-on-period change,
 * incomplete-period marks and small-cell suppression for aggregate-only scopes.
 *
 * Invariants:
 * - Built on a ScopedDb (the scope plugin filters every table) and on the explore catalogue: dimensions,
 *   their joins and the where language (parseFilter) come from src/explore; SQL text comes only from
 *   catalogues, user values are bound.
 * - Change columns are computed in SQL with window functions over the period start, framed by RANGE on an
 *   interval (not by row offset), so a missing period gives null rather than comparing with the wrong one.
 *   change = (this - previous) / previous; null when either side is null or previous is 0.
 * - A period is `incomplete` when the loaded (scoped, filtered) data starts after its start or ends before
 *   its last day: such a period's totals are not comparable to full ones.
 * - Results are never silently truncated: more than MAX_CELLS cells is an error asking for a narrower query
 *   (suppression needs every cell of the table at once).
 * - At aggregate level, suppressed cells have every measure and change null; change columns of visible cells
 *   are nulled when the compared cell is suppressed (the change would reveal it), and the grand totals are
 *   given only when the table of cells protects them (see suppression.ts).
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { grantFor, ScopeDeniedError, type ScopedDb } from '../query/index.ts';
import { CATALOGUES, compileWhere, ExploreSpecError, type Dimension } from '../explore/index.ts';
import type { PeriodGrain } from '../store/index.ts';
import { measureFormula, MEASURES, type TradeMeasure } from './catalogue.ts';
import { suppressCells, failsPrimary, type SuppressionReason } from './suppression.ts';

export const MAX_CELLS = 10_000;

export interface MeasuresSpec {
  measures: readonly string[];
  by: readonly string[];
  where?: string | undefined;
  period?: PeriodGrain | undefined;
}

export type Cell = Record<string, string | number | boolean | null>;

export interface MeasuresResult {
  measures: { id: string; name: string; unit: string }[];
  by: string[];
  period: PeriodGrain | null;
  /** Change columns per measure, named `<measure>_<suffix>`. */
  changes: string[];
  rows: Cell[];
  totals: Record<string, number | null> & { suppressed?: boolean };
  level: 'row' | 'aggregate';
  suppressed_cells: number;
}

const cat = CATALOGUES.trade;
const INTERVAL: Record<PeriodGrain, string> = { month: "INTERVAL '1 month'", quarter: "INTERVAL '3 months'", year: "INTERVAL '1 year'" };
/** Comparisons offered per grain: year-on-year always, and the previous period for months and quarters. */
const CHANGES: Record<PeriodGrain, { suffix: string; interval: string; months: number }[]> = {
  month: [{ suffix: 'mom', interval: "INTERVAL '1 month'", months: 1 }, { suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
  quarter: [{ suffix: 'qoq', interval: "INTERVAL '3 months'", months: 3 }, { suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
  year: [{ suffix: 'yoy', interval: "INTERVAL '1 year'", months: 12 }],
};

function dimension(id: string): Dimension {
  const d = cat.dimensions.find((x) => x.id === id);
  if (!d) throw new ExploreSpecError(`unknown dimension "${id}": use one of ${cat.dimensions.filter((x) => !x.period).map((x) => x.id).join(', ')}`);
  if (d.period) throw new ExploreSpecError(`"${id}" is a period: use period=${id}`);
  return d;
}

function measure(id: string): TradeMeasure {
  const m = MEASURES.find((x) => x.id === id);
  if (!m) throw new ExploreSpecError(`unknown measure "${id}": use one of ${MEASURES.map((x) => x.id).join(', ')}`);
  return m;
}

function addMonths(iso: string, months: number): string {
  const [y, m] = iso.slice(0, 10).split('-').map(Number) as [number, number];
  const t = y * 12 + (m - 1) + months;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}-01`;
}

export async function measuresQuery(db: ScopedDb, spec: MeasuresSpec): Promise<MeasuresResult> {
  if (!spec.measures.length) throw new ExploreSpecError('name at least one measure');
  if (new Set(spec.by).size !== spec.by.length || new Set(spec.measures).size !== spec.measures.length) throw new ExploreSpecError('a dimension or measure is listed twice');
  const measures = spec.measures.map(measure);
  const dims = spec.by.map(dimension);
  const grain = spec.period ?? null;
  if (grain && !INTERVAL[grain]) throw new ExploreSpecError('period is month, quarter or year');
  for (const c of new Set(measures.flatMap((m) => m.categories))) if (!grantFor(db.scope, c)) throw new ScopeDeniedError(`${c} data`);
  const level = grantFor(db.scope, 'trade')!.level;

  const { filter, fields: usedFields } = compileWhere(db, 'trade', spec.where);
  const partyUse = [...dims.filter((d) => d.party).map((d) => d.id), ...usedFields.filter((f) => f.party).map((f) => f.id)];
  if (level === 'aggregate' && partyUse.length) throw new ScopeDeniedError(`named-party fields (${partyUse.join(', ')}) at aggregate-only access`);

  const joins = new Set([...dims.flatMap((d) => d.joins ?? []), ...usedFields.flatMap((f) => f.joins)]);
  const base = () => {
    let q = db.db.selectFrom('trade_lines as t');
    if (joins.has('ports')) q = q.leftJoin('ref_ports as p', 'p.port_code', 't.port_code');
    if (joins.has('sectors')) q = q.leftJoin('ref_sectors as s', 's.hs_chapter', 't.hs2');
    return filter ? q.where(filter as Expression<SqlBool>) : q;
  };
  const keyCols = [...dims.map((d) => d.id), ...(grain ? ['period'] : [])];
  const labelExprs = [...dims.map((d) => sql.raw(d.sql!)), ...(grain ? [sql.raw(db.dialect.periodLabel(cat.dateColumn, grain))] : [])];
  // The period start orders the windows; the label is what is shown. Both are grouped (one per period).
  const keyExprs = [...labelExprs, ...(grain ? [sql.raw(db.dialect.periodStart(cat.dateColumn, grain))] : [])];
  const keySel = [
    ...dims.map((d) => sql.raw(d.sql!).as(d.id)),
    ...(grain ? [sql.raw(db.dialect.periodLabel(cat.dateColumn, grain)).as('period'), sql.raw(db.dialect.periodStart(cat.dateColumn, grain)).as('_ps')] : []),
  ];
  const groupBy = <Q extends { groupBy: (e: RawBuilder<unknown>[]) => Q }>(q: Q) => (keyExprs.length ? q.groupBy(keyExprs) : q);

  let grouped = base().select([
    ...keySel,
    ...measures.map((m) => sql.raw(measureFormula(m, db.dialect)).as(m.id)),
    sql`min(${sql.raw(cat.dateColumn)})`.as('_dmin'),
    sql`max(${sql.raw(cat.dateColumn)})`.as('_dmax'),
    sql<number>`count(*)::INTEGER`.as('_lines'),
    sql<number>`coalesce(sum(t.value), 0)::DOUBLE`.as('_value'),
  ]);
  grouped = groupBy(grouped as never) as typeof grouped;
  const partition = dims.length ? sql`PARTITION BY ${sql.join(dims.map((d) => sql.ref(d.id)))}` : sql``;
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
        sql<boolean>`(_ps < min(_dmin) OVER () OR CAST(_ps + ${sql.raw(INTERVAL[grain])} AS DATE) > max(_dmax) OVER () + 1)`.as('incomplete'),
      ]
    : [];
  let q = db.db
    .selectFrom(grouped.as('g'))
    .selectAll()
    .select([...changeSel, ...extra, sql<number>`count(*) OVER ()`.as('_cells')]);
  for (const k of keyCols) q = q.orderBy(sql`${sql.ref(k === 'period' ? '_ps' : k)} ASC NULLS LAST`);
  const raw = (await q.limit(MAX_CELLS + 1).execute()) as Record<string, unknown>[];
  if (raw.length > MAX_CELLS) throw new ExploreSpecError(`more than ${MAX_CELLS} cells: narrow the query with where or fewer dimensions`);

  const totalsRow = (await base()
    .select([...measures.map((m) => sql.raw(measureFormula(m, db.dialect)).as(m.id)), sql<number>`count(DISTINCT t.importer_key)::INTEGER`.as('_parties')])
    .executeTakeFirst()) as Record<string, number | null> | undefined;
  const changes = grain ? CHANGES[grain].map((c) => c.suffix) : [];
  const rows: Cell[] = raw.map((r) => {
    const o: Cell = {};
    for (const k of keyCols) o[k] = r[k] as string | null;
    for (const m of measures) {
      o[m.id] = r[m.id] as number | null;
      for (const c of changes) o[`${m.id}_${c}`] = (r[`${m.id}_${c}`] as number | null) ?? null;
    }
    if (grain) o['incomplete'] = Boolean(r['incomplete']);
    return o;
  });
  const totals: MeasuresResult['totals'] = Object.fromEntries(measures.map((m) => [m.id, totalsRow?.[m.id] ?? null]));
  let suppressedCells = 0;

  if (level === 'aggregate' && rows.length) {
    // Per cell: distinct importers and the largest importer's share of the value, from importer sub-totals.
    const partyKey = sql.raw('t.importer_key');
    let perParty = base().select([...keySel.filter((_, i) => i < dims.length + (grain ? 1 : 0)), partyKey.as('_party'), sql<number>`coalesce(sum(t.value), 0)::DOUBLE`.as('_v')]);
    perParty = perParty.groupBy([...labelExprs, partyKey]) as typeof perParty;
    const stats = (await db.db
      .selectFrom(perParty.as('pp'))
      .select([
        ...keyCols.map((k) => sql.ref(k).as(k)),
        sql<number>`count(_party)::INTEGER`.as('parties'),
        sql<number>`(max(_v) / nullif(sum(_v), 0))::DOUBLE`.as('top_share'),
      ])
      .groupBy(keyCols.map((k) => sql.ref(k)))
      .execute()) as Record<string, unknown>[];
    const keyOf = (r: Record<string, unknown>) => JSON.stringify(keyCols.map((k) => r[k] ?? null));
    const byKey = new Map(stats.map((s) => [keyOf(s), s]));
    const { reasons } = suppressCells(
      raw.map((r) => {
        const s = byKey.get(keyOf(r));
        return { key: keyCols.map((k) => (r[k] as string | null) ?? null), parties: Number(s?.['parties'] ?? 0), topShare: (s?.['top_share'] as number | null) ?? null, lines: Number(r['_lines']), value: Number(r['_value']) };
      }),
    );
    const hidden = new Set<string>();
    raw.forEach((r, i) => {
      const why: SuppressionReason | null = reasons[i]!;
      rows[i]!['suppressed'] = why !== null;
      rows[i]!['suppression'] = why;
      if (why) {
        suppressedCells++;
        hidden.add(JSON.stringify([...dims.map((d) => r[d.id] ?? null), r['_ps_text'] ?? null]));
        for (const m of measures) {
          rows[i]![m.id] = null;
          for (const c of changes) rows[i]![`${m.id}_${c}`] = null;
        }
      }
    });
    if (grain) {
      // A visible change against a hidden cell would give the hidden value back: this / (1 + change).
      raw.forEach((r, i) => {
        for (const c of CHANGES[grain]) {
          const prevKey = JSON.stringify([...dims.map((d) => r[d.id] ?? null), addMonths(String(r['_ps_text']), -c.months)]);
          if (hidden.has(prevKey)) for (const m of measures) rows[i]![`${m.id}_${c.suffix}`] = null;
        }
      });
    }
    // The grand total over a single cell is that cell; over the whole query it describes all its parties.
    const totalFails = (raw.length === 1 && reasons[0] !== null) || failsPrimary({ parties: Number(totalsRow?.['_parties'] ?? 0), topShare: null });
    if (totalFails) {
      for (const m of measures) totals[m.id] = null;
      totals.suppressed = true;
    }
  }

  return {
    measures: measures.map((m) => ({ id: m.id, name: m.name, unit: m.unit })),
    by: dims.map((d) => d.id),
    period: grain,
    changes,
    rows,
    totals,
    level,
    suppressed_cells: suppressedCells,
  };
}
