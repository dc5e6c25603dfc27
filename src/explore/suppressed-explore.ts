/**
 * Explore for aggregate-only scopes (access.md, "Aggregates only"): the same groups and measures, with every
 * cell that describes fewer than 3 parties, or where one party holds over 80 % of the value, shown as
 * suppressed (measures null, `suppressed: true`), and complementary cells suppressed so no hidden cell can be
 * recovered by subtraction from its row, column or the total (measures/suppression.ts).
 *
 * Invariants:
 * - Suppression needs the whole table at once, so all groups are computed (at most MAX_CELLS, else an error
 *   asking for a narrower query), suppressed, then sorted here; the caller pages (and may cache) the
 *   already suppressed table, so the page a reader sees is a slice of it and paging cannot undo it.
 * - Party counts come from a second scoped query grouped by the same dimensions and the party key; a line
 *   without a party key counts no party, which can only suppress more.
 * - A suppressed cell sorts as null (last), so sort order does not reveal its size.
 * - Every value shown, totals included, is perturbed by the cell-key method (src/disclosure): the cells query
 *   also sums the record keys of each cell, the party query also gives each party's contribution to every
 *   sum, and the noise is applied here, before sorting, so the order shown is the order of the values shown.
 *   Suppression is decided on the true values (the rule protects them), then the visible cells perturbed.
 */
import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ScopeDeniedError, type ScopedDb } from '../query/index.ts';
import { suppressCells, failsPrimary } from '../measures/suppression.ts';
import { cellKeySql, perturbationKind, perturber } from '../disclosure/index.ts';
import type { Dimension, ExploreDataset, Measure } from './catalogue.ts';

export const MAX_SUPPRESSED_CELLS = 20_000;

/** The party a cell describes and the money it carries, per dataset (same keys as the measures sources). */
const SUPPRESSION_KEYS: Readonly<Record<ExploreDataset, { party: string; value: string }>> = {
  trade: { party: 't.importer_key', value: 't.value' },
  payments: { party: 'coalesce(t.payer_id, upper(t.payer_name))', value: 't.amount' },
  enforcement: { party: 't.importer_key', value: 'coalesce(t.value, t.penalty_amount, 0)' },
};

export interface SuppressedExploreInput {
  db: ScopedDb;
  dataset: ExploreDataset;
  base: () => SelectQueryBuilder<any, any, any>;
  dims: readonly Dimension[];
  dimSql: (d: Dimension) => string;
  measures: readonly Measure[];
  measureSel: (m: Measure) => ReturnType<RawBuilder<unknown>['as']>;
  filter: RawBuilder<SqlBool> | null;
  sort: readonly { key: string; dir: 'asc' | 'desc' }[];
}

export class TooManyCellsError extends Error {}

/** Every group, suppressed and sorted (the caller slices pages from it). */
export async function suppressedExplore(x: SuppressedExploreInput): Promise<{
  rows: Record<string, string | number | boolean | null>[];
  totals: Record<string, number | null>;
  totalGroups: number;
  suppressedCells: number;
}> {
  const keys = SUPPRESSION_KEYS[x.dataset];
  const secret = x.db.cellKeySecret;
  if (secret === null) throw new ScopeDeniedError('aggregate-only results without the data directory\'s cell-key secret');
  const noise = perturber();
  const kinds = x.measures.map((m) => perturbationKind(m));
  // Sums are perturbed in proportion to their largest party contributions: each party's share is the
  // measure's own formula evaluated over that party's lines of the cell.
  const sums = x.measures.map((m, i) => ({ m, i })).filter(({ i }) => kinds[i] === 'sum');
  const dimExprs = x.dims.map((d) => sql.raw(x.dimSql(d)));
  const where = <Q extends SelectQueryBuilder<any, any, any>>(q: Q): Q => (x.filter ? (q.where(x.filter as Expression<SqlBool>) as Q) : q);

  let cellsQ = where(
    x.base().select([
      ...x.dims.map((d) => sql.raw(x.dimSql(d)).as(d.id)),
      ...x.measures.map(x.measureSel),
      sql<number>`count(*)::INTEGER`.as('_lines'),
      sql<number>`coalesce(sum(${sql.raw(keys.value)}), 0)::DOUBLE`.as('_value'),
      cellKeySql(secret).as('_ck'),
    ]),
  );
  if (dimExprs.length) cellsQ = cellsQ.groupBy(dimExprs);
  const cells = (await cellsQ.limit(MAX_SUPPRESSED_CELLS + 1).execute()) as Record<string, unknown>[];
  if (cells.length > MAX_SUPPRESSED_CELLS) throw new TooManyCellsError(`more than ${MAX_SUPPRESSED_CELLS} groups at aggregate-only access: narrow the query with where or fewer dimensions`);

  /** Per party of each group (of `dims`): its value and its contribution to every sum measure. */
  const perPartyOf = (dims: readonly Dimension[]) =>
    where(
      x.base().select([
        ...dims.map((d) => sql.raw(x.dimSql(d)).as(d.id)),
        sql.raw(keys.party).as('_party'),
        sql<number>`coalesce(sum(${sql.raw(keys.value)}), 0)::DOUBLE`.as('_v'),
        ...sums.map(({ m, i }) => sql.raw(typeof m.sql === 'string' ? m.sql : m.sql(x.db.dialect)).as(`_c${i}`)),
      ]),
    ).groupBy([...dims.map((d) => sql.raw(x.dimSql(d))), sql.raw(keys.party)]);
  /** Largest absolute party contributions of each sum measure, largest first. */
  const topsSel = sums.map(({ i }) => sql<number[]>`max(abs(${sql.ref(`_c${i}`)}), ${noise.params.sumWeights.length})`.as(`_t${i}`));
  let statsQ = x.db.db
    .selectFrom(perPartyOf(x.dims).as('pp'))
    .select([
      ...x.dims.map((d) => sql.ref(d.id).as(d.id)),
      sql<number>`count(_party)::INTEGER`.as('_parties'),
      sql<number>`(max(_v) / nullif(sum(_v), 0))::DOUBLE`.as('_top_share'),
      ...topsSel,
    ]);
  if (x.dims.length) statsQ = statsQ.groupBy(x.dims.map((d) => sql.ref(d.id)));
  const stats = (await statsQ.execute()) as Record<string, unknown>[];
  const keyOf = (r: Record<string, unknown>) => JSON.stringify(x.dims.map((d) => r[d.id] ?? null));
  const byKey = new Map(stats.map((s) => [keyOf(s), s]));
  const tops = (s: Record<string, unknown> | undefined, i: number) => ((s?.[`_t${i}`] as unknown[] | null | undefined) ?? []).map(Number);
  /** The measures of one cell as shown: each perturbed with the cell's key on its own stream. */
  const shown = (r: Record<string, unknown>, s: Record<string, unknown> | undefined) =>
    x.measures.map((m, i) => noise.value(kinds[i]!, m.id, (r[m.id] as number | null) ?? null, Number(r['_ck'] ?? 0), tops(s, i)));

  const cellStats = cells.map((r) => {
    const s = byKey.get(keyOf(r));
    return {
      key: x.dims.map((d) => (r[d.id] as string | number | null) ?? null),
      parties: Number(s?.['_parties'] ?? 0),
      topShare: (s?.['_top_share'] as number | null) ?? null,
      lines: Number(r['_lines']),
      value: Number(r['_value']),
    };
  });
  // No dimensions: the one cell is the total; it is suppressed when it fails the primary rule itself.
  const reasons = x.dims.length ? suppressCells(cellStats).reasons : cellStats.map((c) => (failsPrimary(c) ? ('primary' as const) : null));

  // Totals of all cells: a hidden cell cannot be recovered from them because complementary suppression
  // leaves at least two hidden cells in the line of all cells. A table whose only cell is hidden has none.
  // The total is a cell of its own (all the records of the filter), perturbed with its own key.
  const totalsQ = where(x.base().select([...x.measures.map(x.measureSel), cellKeySql(secret).as('_ck')]));
  const totalsRow = ((await totalsQ.executeTakeFirst()) as Record<string, unknown> | undefined) ?? {};
  const totalStats = sums.length
    ? ((await x.db.db.selectFrom(perPartyOf([]).as('pp')).select(topsSel).executeTakeFirst()) as Record<string, unknown> | undefined)
    : undefined;
  const allHidden = reasons.length > 0 && reasons.every((r) => r !== null) && reasons.length < 3;
  const totalShown = shown(totalsRow, totalStats);
  const totals = Object.fromEntries(x.measures.map((m, i) => [m.id, allHidden ? null : totalShown[i]!]));

  let suppressedCells = 0;
  const rows = cells.map((r, i) => {
    const o: Record<string, string | number | boolean | null> = {};
    for (const d of x.dims) o[d.id] = (r[d.id] as string | number | null) ?? null;
    const why = reasons[i] ?? null;
    const values = why ? [] : shown(r, byKey.get(keyOf(r)));
    x.measures.forEach((m, k) => (o[m.id] = why ? null : values[k]!));
    o['suppressed'] = why !== null;
    o['suppression'] = why;
    if (why) suppressedCells++;
    return o;
  });
  const cmp = (a: unknown, b: unknown) => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return (a as number | string) < (b as number | string) ? -1 : 1;
  };
  const order = [...x.sort, ...x.dims.filter((d) => !x.sort.some((s) => s.key === d.id)).map((d) => ({ key: d.id, dir: 'asc' as const }))];
  rows.sort((a, b) => {
    for (const s of order) {
      const va = a[s.key];
      const vb = b[s.key];
      if (va === null || vb === null) {
        const c = cmp(va, vb); // nulls last whatever the direction
        if (c) return c;
        continue;
      }
      const c = cmp(va, vb) * (s.dir === 'desc' ? -1 : 1);
      if (c) return c;
    }
    return 0;
  });
  return { rows, totals, totalGroups: rows.length, suppressedCells };
}
