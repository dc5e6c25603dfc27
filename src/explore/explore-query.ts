/**
 * Compiles explore and drill-down specs into scoped Kysely queries and runs them.
 *
 * Invariants:
 * - All SQL text comes from the catalogue; user input picks catalogue ids and supplies bound values.
 * - Every query is built on a ScopedDb, so the scope plugin filters every table reference.
 * - Paging never truncates silently: each page reports the total number of groups (or lines) and whether
 *   more follow.
 * - Given a result cache, the whole sorted result of a request is computed once and later pages are slices
 *   of it (the engine is not asked again), up to a number of groups that fits the cache's per-entry budget;
 *   a larger result is kept numbered in the engine (spilled-results.ts) and later pages are range reads of
 *   it, and one larger than that budget too is paged by the engine, so memory stays bounded whatever the data.
 * - Aggregate-only scopes may group and filter, but not by named parties, and may not drill down to lines;
 *   their cells go through small-cell and complementary suppression (suppressed-explore.ts).
 * - Never two currencies in one sum (formats.md). A measure in each row's own currency (`currencyBound`) is
 *   refused, with what to do instead, when any group holds rows of more than one currency; when the groups
 *   are each in one currency but not all in the same one, they are shown and the measure has no grand total
 *   (a note says why). Lines sorted by such an amount must be in one currency. One small aggregate query
 *   decides (`currencyCheck`), so the main query and its cache are the same as without the rule.
 * - A USD measure leaves out rows without an exchange rate: every result with one carries the dataset's
 *   count of those rows as a measure column (per group and in the totals), and a note when it is not 0.
 */
import { sql, type Expression, type SqlBool, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { approximateBytes, grantFor, ScopeDeniedError, type ResultCache, type ScopedDb } from '../query/index.ts';
import { CATALOGUES, type DatasetCatalogue, type Dimension, type ExploreDataset, type FilterField, type Join, type Measure } from './catalogue.ts';
import { filterFields, parseFilter, type FilterNode } from './filter-expr.ts';
import { suppressedExplore, TooManyCellsError } from './suppressed-explore.ts';
import { assertPublished } from '../disclosure/index.ts';

export class ExploreSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExploreSpecError';
  }
}

export interface SortKey {
  key: string;
  dir: 'asc' | 'desc';
}

export interface ExploreSpec {
  dataset?: ExploreDataset;
  by: readonly string[];
  measures: readonly string[];
  where?: string | undefined;
  sort?: readonly SortKey[] | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface ExploreColumn {
  id: string;
  label: string;
  kind: 'dimension' | 'measure';
  unit?: string;
}

export interface ExploreResult {
  dataset: ExploreDataset;
  columns: ExploreColumn[];
  /** What the numbers leave out or do not total, in words (rows without a USD rate, totals across currencies). */
  notes: string[];
  /** At aggregate-only access rows also carry `suppressed` (boolean) and `suppression` (reason or null). */
  rows: Record<string, string | number | boolean | null>[];
  totals: Record<string, number | null>;
  total_groups: number;
  /** Cells hidden by small-cell or complementary suppression (aggregate-only access only). */
  suppressed_cells?: number;
  /** Aggregate-only access: every measure and total shown is perturbed by the cell-key method (src/disclosure). */
  perturbation?: 'cell-key';
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface LinesSpec {
  dataset?: ExploreDataset;
  /** The cell to open: dimension id -> value (null for the empty group). */
  cell?: Readonly<Record<string, string | number | null>>;
  where?: string | undefined;
  sort?: readonly SortKey[] | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface LinesResult {
  dataset: ExploreDataset;
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export const MAX_PAGE = 10_000;

type Resolved = { kind: 'dim'; dim: Dimension } | { kind: 'field'; field: FilterField };

function catalogueOf(dataset: ExploreDataset | undefined): { id: ExploreDataset; cat: DatasetCatalogue } {
  const id = dataset ?? 'trade';
  const cat = CATALOGUES[id];
  if (!cat) throw new ExploreSpecError(`unknown dataset "${id}": use ${Object.keys(CATALOGUES).join(', ')}`);
  return { id, cat };
}

export function categoryOf(id: ExploreDataset) {
  return id === 'payments' ? ('financial' as const) : id === 'enforcement' ? ('enforcement' as const) : ('trade' as const);
}

function dimSql(db: ScopedDb, cat: DatasetCatalogue, d: Dimension): string {
  return d.period ? db.dialect.periodLabel(cat.dateColumn, d.period) : d.sql!;
}

function resolveField(cat: DatasetCatalogue, id: string): Resolved {
  const dim = cat.dimensions.find((d) => d.id === id);
  if (dim) return { kind: 'dim', dim };
  const field = cat.fields.find((f) => f.id === id);
  if (field) return { kind: 'field', field };
  throw new ExploreSpecError(
    `unknown field "${id}" in where: use a dimension (${cat.dimensions.map((d) => d.id).join(', ')}) or a field (${cat.fields.map((f) => f.id).join(', ')})`,
  );
}

function coerce(r: Resolved, raw: string): string | number | boolean {
  const type = r.kind === 'field' ? r.field.type : 'text';
  const name = r.kind === 'field' ? r.field.id : r.dim.id;
  if (type === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || raw.trim() === '') throw new ExploreSpecError(`where: ${name} compares with numbers`);
    return n;
  }
  if (type === 'bool') {
    const v = raw.toLowerCase();
    if (['true', '1', 'yes', 'y'].includes(v)) return true;
    if (['false', '0', 'no', 'n'].includes(v)) return false;
    throw new ExploreSpecError(`where: ${name} is true or false`);
  }
  if (type === 'date' && !isCalendarDate(raw)) throw new ExploreSpecError(`where: ${name} compares with calendar dates written YYYY-MM-DD (month 01 to 12, a day that month has)`);
  return raw;
}

/** A YYYY-MM-DD that names a day on the calendar (2024-02-29 yes, 2023-02-29 and 2024-13-45 no). */
function isCalendarDate(raw: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(raw);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return mo >= 1 && mo <= 12 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function compileFilter(db: ScopedDb, cat: DatasetCatalogue, n: FilterNode): RawBuilder<SqlBool> {
  switch (n.kind) {
    case 'and':
    case 'or': {
      const parts = n.items.map((i) => compileFilter(db, cat, i));
      return sql<SqlBool>`(${sql.join(parts, sql.raw(n.kind === 'and' ? ' AND ' : ' OR '))})`;
    }
    case 'not':
      return sql<SqlBool>`(NOT ${compileFilter(db, cat, n.item)})`;
    default: {
      const r = resolveField(cat, n.field);
      const expr = sql.raw(r.kind === 'dim' ? dimSql(db, cat, r.dim) : r.field.sql);
      const isDate = r.kind === 'field' && r.field.type === 'date';
      const bind = (v: string) => (isDate ? sql`CAST(${coerce(r, v)} AS DATE)` : sql`${coerce(r, v)}`);
      if (n.kind === 'cmp') return sql<SqlBool>`(${expr} ${sql.raw(n.op)} ${bind(n.value)})`;
      if (n.kind === 'in') return sql<SqlBool>`(${expr} ${sql.raw(n.negate ? 'NOT IN' : 'IN')} (${sql.join(n.values.map(bind))}))`;
      if (n.kind === 'like') return sql<SqlBool>`(${expr}::VARCHAR ${sql.raw(n.negate ? 'NOT ILIKE' : 'ILIKE')} ${n.pattern})`;
      return sql<SqlBool>`(${expr} ${sql.raw(n.negate ? 'IS NOT NULL' : 'IS NULL')})`;
    }
  }
}

function checkPartyAccess(db: ScopedDb, id: ExploreDataset, partyUse: string[]): void {
  const grant = grantFor(db.scope, categoryOf(id));
  if (!grant) throw new ScopeDeniedError(`${categoryOf(id)} data`);
  if (grant.level === 'aggregate' && partyUse.length) {
    throw new ScopeDeniedError(`named-party fields (${partyUse.join(', ')}) at aggregate-only access`);
  }
}

function joinsFor(items: readonly { joins?: readonly Join[] }[]): Set<Join> {
  return new Set(items.flatMap((i) => i.joins ?? []));
}

/** Adds the reference look-ups `joins` names to a query over alias `t` (see catalogue.ts for the aliases). */
export function joinLookups<Q extends SelectQueryBuilder<any, any, any>>(q: Q, joins: ReadonlySet<Join>): Q {
  let r = q as SelectQueryBuilder<any, any, any>;
  if (joins.has('ports')) r = r.leftJoin('ref_ports as p', 'p.port_code', 't.port_code');
  if (joins.has('sectors')) r = r.leftJoin('ref_sectors as s', 's.hs_chapter', 't.hs2');
  if (joins.has('hs') || joins.has('hs_sections')) r = r.leftJoin('ref_hs as h', 'h.code', 't.hs2');
  if (joins.has('hs_sections')) r = r.leftJoin('ref_hs_sections as hx', 'hx.section', 'h.section');
  return r as Q;
}

function baseQuery(db: ScopedDb, cat: DatasetCatalogue, joins: Set<Join>) {
  return joinLookups(db.db.selectFrom(`${cat.table} as t`), joins);
}

function pageOf(limit: number | undefined, offset: number | undefined, dflt: number) {
  const l = limit ?? dflt;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 1 || l > MAX_PAGE) throw new ExploreSpecError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(o) || o < 0) throw new ExploreSpecError('offset must be a whole number of 0 or more');
  return { limit: l, offset: o };
}

function whereOf(db: ScopedDb, cat: DatasetCatalogue, where: string | undefined) {
  const node = parseFilter(where ?? '');
  const resolved = filterFields(node).map((f) => resolveField(cat, f));
  return { node, resolved };
}

export interface CompiledWhere {
  /** The bound filter expression over the catalogue aliases, or null for no filter. */
  readonly filter: RawBuilder<SqlBool> | null;
  /** The fields it names, with whether they name a party and which look-ups they need. */
  readonly fields: readonly { id: string; party: boolean; joins: readonly Join[] }[];
}

/** The where-language compiled for reuse by other query builders (measures) over the same catalogue. */
export function compileWhere(db: ScopedDb, dataset: ExploreDataset, where: string | undefined): CompiledWhere {
  const { cat } = catalogueOf(dataset);
  const { node, resolved } = whereOf(db, cat, where);
  return {
    filter: node ? compileFilter(db, cat, node) : null,
    fields: resolved.map((r) => {
      const x = r.kind === 'dim' ? r.dim : r.field;
      return { id: x.id, party: x.party ?? false, joins: x.joins ?? [] };
    }),
  };
}

export interface ExploreOptions {
  /**
   * Keep the whole sorted result of a request (all pages) in this cache, keyed by scope, request without
   * paging and data version, and serve later pages from it without running the engine again.
   */
  cache?: ResultCache;
  /** Most groups kept per result (default: what fits the cache's per-entry budget); larger results are paged by the engine. */
  maxGroups?: number;
}

type Row = Record<string, string | number | boolean | null>;

/** Groups of one request: all of them in order (`complete`), or only the page at `offset`. */
interface Grouped {
  complete: boolean;
  offset: number;
  limit: number;
  rows: Row[];
  totals: Record<string, number | null>;
  totalGroups: number;
  suppressedCells?: number;
}

interface ExplorePlan {
  id: ExploreDataset;
  cat: DatasetCatalogue;
  dims: Dimension[];
  measures: Measure[];
  /** Measures in each row's own currency (see header). */
  bound: Measure[];
  columns: ExploreColumn[];
  sort: SortKey[];
  joins: Set<Join>;
  filter: RawBuilder<SqlBool> | null;
  aggregate: boolean;
  limit: number;
  offset: number;
}

function planExplore(db: ScopedDb, spec: ExploreSpec): ExplorePlan {
  const { id, cat } = catalogueOf(spec.dataset);
  const dims = spec.by.map((b) => {
    const d = cat.dimensions.find((x) => x.id === b);
    if (!d) throw new ExploreSpecError(`unknown dimension "${b}": use one of ${cat.dimensions.map((x) => x.id).join(', ')}`);
    return d;
  });
  if (new Set(spec.by).size !== spec.by.length) throw new ExploreSpecError('a dimension is listed twice');
  const measureIds = spec.measures.length ? spec.measures : [cat.measures[0]!.id];
  const measures = measureIds.map((m) => {
    const x = cat.measures.find((y) => y.id === m);
    if (!x) throw new ExploreSpecError(`unknown measure "${m}": use one of ${cat.measures.map((y) => y.id).join(', ')}`);
    return x;
  });
  // A USD measure always comes with the count of rows it left out (see header).
  if (cat.unconverted && measures.some((m) => m.usd) && !measures.some((m) => m.id === cat.unconverted)) {
    measures.push(cat.measures.find((m) => m.id === cat.unconverted)!);
  }
  const { node, resolved } = whereOf(db, cat, spec.where);
  const partyUse = [
    ...dims.filter((d) => d.party).map((d) => d.id),
    ...resolved.filter((r) => (r.kind === 'dim' ? r.dim.party : r.field.party)).map((r) => (r.kind === 'dim' ? r.dim.id : r.field.id)),
  ];
  checkPartyAccess(db, id, partyUse);
  const aggregate = grantFor(db.scope, categoryOf(id))?.level === 'aggregate';
  if (aggregate) {
    // Only published dimensions: no record identifiers or measure values to single out one record with.
    assertPublished(id, [...dims.map((d) => ({ id: d.id, in: 'by' as const })), ...resolved.map((r) => ({ id: r.kind === 'dim' ? r.dim.id : r.field.id, in: 'where' as const }))]);
  }
  const { limit, offset } = pageOf(spec.limit, spec.offset, 50);

  const known = new Set([...dims.map((d) => d.id), ...measures.map((m) => m.id)]);
  const sort = spec.sort?.length ? [...spec.sort] : [{ key: measures[0]!.id, dir: 'desc' as const }];
  for (const s of sort) if (!known.has(s.key)) throw new ExploreSpecError(`cannot sort by "${s.key}": sort by one of ${[...known].join(', ')}`);

  return {
    id,
    cat,
    dims,
    measures,
    bound: measures.filter((m) => m.currencyBound),
    columns: [
      ...dims.map((d) => ({ id: d.id, label: d.label, kind: 'dimension' as const })),
      ...measures.map((m) => ({ id: m.id, label: m.label, kind: 'measure' as const, unit: m.unit })),
    ],
    sort,
    joins: joinsFor([...dims, ...resolved.map((r) => (r.kind === 'dim' ? r.dim : r.field))]),
    filter: node ? compileFilter(db, cat, node) : null,
    aggregate,
    limit,
    offset,
  };
}

const measureSelOf = (db: ScopedDb) => (m: Measure) => sql.raw(typeof m.sql === 'string' ? m.sql : m.sql(db.dialect)).as(m.id);

async function suppressedGroups(db: ScopedDb, p: ExplorePlan): Promise<Grouped> {
  const r = await suppressedExplore({
    db,
    dataset: p.id,
    base: () => baseQuery(db, p.cat, p.joins),
    dims: p.dims,
    dimSql: (d) => dimSql(db, p.cat, d),
    measures: p.measures,
    measureSel: measureSelOf(db),
    filter: p.filter,
    sort: p.sort,
  }).catch((e: unknown) => {
    throw e instanceof TooManyCellsError ? new ExploreSpecError(e.message) : e;
  });
  return { complete: true, offset: 0, limit: r.rows.length, rows: r.rows, totals: r.totals, totalGroups: r.totalGroups, suppressedCells: r.suppressedCells };
}

/**
 * The groups with the number of groups and the grand totals on every row, in one scan. Totals of sums and
 * counts are sums of the groups (a window over the few groups); any other measure (distinct counts,
 * medians) needs its own aggregation, so then the total comes from GROUPING SETS in the same scan.
 * Conditional window aggregates are written with CASE, not FILTER: DuckDB evaluates `agg() FILTER (...)
 * OVER ()` per row (seconds on 100k groups), CASE in one pass.
 */
function windowedGroups(db: ScopedDb, p: ExplorePlan) {
  const dimExprs = p.dims.map((d) => sql.raw(dimSql(db, p.cat, d)));
  const needsGroupingSets = p.dims.length > 0 && p.measures.some((m) => !m.additive);
  let grouped = baseQuery(db, p.cat, p.joins).select([
    ...p.dims.map((d) => sql.raw(dimSql(db, p.cat, d)).as(d.id)),
    ...p.measures.map(measureSelOf(db)),
    (needsGroupingSets ? sql<number>`grouping(${dimExprs[0]!})` : sql<number>`0`).as('_g'),
  ]);
  if (p.filter) grouped = grouped.where(p.filter as Expression<SqlBool>);
  if (needsGroupingSets) grouped = grouped.groupBy(sql`GROUPING SETS ((${sql.join(dimExprs)}), ())`);
  else if (p.dims.length) grouped = grouped.groupBy(dimExprs);
  const totalOf = (m: Measure) =>
    needsGroupingSets ? sql`max(CASE WHEN _g = 1 THEN ${sql.ref(m.id)} END) OVER ()` : sql`(sum(${sql.ref(m.id)}) OVER ())::DOUBLE`;
  const windowed = db.db
    .selectFrom(grouped.as('g'))
    .selectAll()
    .select([
      sql<number>`count(CASE WHEN _g = 0 THEN 1 END) OVER ()`.as('_total_groups'),
      ...p.measures.map((m) => totalOf(m).as(`_total_${m.id}`)),
    ]);
  // Ties broken by the dimensions so pages are stable.
  const order = [
    ...p.sort.map((s) => sql`${sql.ref(s.key)} ${sql.raw(s.dir)} NULLS LAST`),
    ...p.dims.filter((d) => !p.sort.some((s) => s.key === d.id)).map((d) => sql`${sql.ref(d.id)} ASC NULLS LAST`),
  ];
  return { windowed, order, dimExprs };
}

/** Number of groups and grand totals when no group row came back (nothing matched, or past the last page). */
async function totalsOnly(db: ScopedDb, p: ExplorePlan, dimExprs: RawBuilder<unknown>[]) {
  let q = baseQuery(db, p.cat, p.joins).select([
    ...p.measures.map(measureSelOf(db)),
    sql<number>`count(DISTINCT (${sql.join(dimExprs)}))::INTEGER`.as('_n'),
  ]);
  if (p.filter) q = q.where(p.filter as Expression<SqlBool>);
  const t = (await q.executeTakeFirst()) as Record<string, number | null> | undefined;
  return { totalGroups: Number(t?.['_n'] ?? 0), totals: Object.fromEntries(p.measures.map((m) => [m.id, t?.[m.id] ?? null])) };
}

function fromRows(p: ExplorePlan, rows: Record<string, unknown>[]) {
  return {
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_'))) as Row),
    totalGroups: rows.length ? Number(rows[0]!['_total_groups']) : 0,
    totals: Object.fromEntries(p.measures.map((m) => [m.id, (rows.length ? (p.dims.length ? rows[0]![`_total_${m.id}`] : rows[0]![m.id]) : null) as number | null])),
  };
}

/** One page computed by the engine (no cache, or a result too large to keep). */
async function pageGroups(db: ScopedDb, p: ExplorePlan): Promise<Grouped> {
  const { windowed, order, dimExprs } = windowedGroups(db, p);
  let q = db.db.selectFrom(windowed.as('w')).selectAll();
  if (p.dims.length) q = q.where('_g', '=', 0);
  for (const o of order) q = q.orderBy(o);
  const got = fromRows(p, (await q.limit(p.limit).offset(p.offset).execute()) as Record<string, unknown>[]);
  const base = { complete: false, offset: p.offset, limit: p.limit, rows: got.rows };
  if (got.rows.length || !p.dims.length) return { ...base, totals: got.totals, totalGroups: got.totalGroups };
  return { ...base, ...(await totalsOnly(db, p, dimExprs)) };
}

/**
 * All groups in order when there are at most `maxGroups` of them, else only the requested page: one query
 * decides, because the number of groups is a window over the groups, so a result too large to keep costs
 * no more than the page alone.
 */
function rankedGroups(db: ScopedDb, p: ExplorePlan) {
  const { windowed, order, dimExprs } = windowedGroups(db, p);
  let ranked = db.db
    .selectFrom(windowed.as('w'))
    .selectAll()
    .select(sql<number>`row_number() OVER (ORDER BY ${sql.join(order)})`.as('_rn'));
  if (p.dims.length) ranked = ranked.where('_g', '=', 0);
  return { ranked, dimExprs };
}

/** Every group of a result numbered in order (`_rn`), without the totals repeated on each row: what is spilled. */
function spillQuery(db: ScopedDb, p: ExplorePlan) {
  return db.db
    .selectFrom(rankedGroups(db, p).ranked.as('r'))
    .select([...p.dims.map((d) => d.id), ...p.measures.map((m) => m.id), '_rn'])
    .compile();
}

async function allGroups(db: ScopedDb, p: ExplorePlan, maxGroups: number): Promise<Grouped> {
  const { ranked, dimExprs } = rankedGroups(db, p);
  const q = db.db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where(sql<SqlBool>`(_total_groups <= ${maxGroups} OR (_rn > ${p.offset} AND _rn <= ${p.offset + p.limit}))`)
    .orderBy('_rn');
  const raw = (await q.execute()) as Record<string, unknown>[];
  const got = fromRows(p, raw);
  if (!raw.length && p.dims.length) {
    const t = await totalsOnly(db, p, dimExprs);
    // Nothing matched: the empty result is complete. Otherwise the page lies past the end of a large result.
    return { complete: t.totalGroups === 0, offset: t.totalGroups === 0 ? 0 : p.offset, limit: p.limit, rows: [], ...t };
  }
  const complete = got.totalGroups <= maxGroups || !p.dims.length;
  return { complete, offset: complete ? 0 : p.offset, limit: complete ? got.rows.length : p.limit, ...got };
}

function resultOf(p: ExplorePlan, g: Grouped, cur: CurrencyCheck | null): ExploreResult {
  const rows = g.complete ? g.rows.slice(p.offset, p.offset + p.limit) : g.rows;
  const totalGroups = p.dims.length ? g.totalGroups : 1;
  const end = p.offset + rows.length;
  const totals = { ...g.totals };
  const notes: string[] = [];
  if (cur && cur.currencies.length > 1) {
    for (const m of p.bound) totals[m.id] = null;
    notes.push(
      `${p.bound.map((m) => m.id).join(', ')}: each group is in one currency, but the groups are in ${cur.currencies.length} (${cur.currencies.join(', ')}), so there is no total; the USD measures total them`,
    );
  }
  const leftOut = p.cat.unconverted ? g.totals[p.cat.unconverted] : null;
  if (typeof leftOut === 'number' && leftOut > 0 && p.measures.some((m) => m.usd)) {
    const usd = p.measures.filter((m) => m.usd).map((m) => m.id).join(', ');
    notes.push(`${usd} leave${p.measures.filter((m) => m.usd).length > 1 ? '' : 's'} out ${leftOut.toLocaleString('en-US')} ${p.id === 'trade' ? 'lines' : p.id} whose currency and month have no exchange rate (counted in ${p.cat.unconverted})`);
  }
  return {
    dataset: p.id,
    columns: p.columns,
    notes,
    rows,
    totals,
    total_groups: totalGroups,
    ...(g.suppressedCells !== undefined ? { suppressed_cells: g.suppressedCells } : {}),
    ...(p.aggregate ? { perturbation: 'cell-key' as const } : {}),
    offset: p.offset,
    limit: p.limit,
    truncated: end < totalGroups,
    next_offset: end < totalGroups ? end : null,
  };
}

const groupedBytes = (g: Grouped) => approximateBytes(g.rows) + 512;

export interface CurrencyCheck {
  /** Currencies of the rows the request reads, sorted. */
  readonly currencies: string[];
  /** Groups holding rows of more than one currency. */
  readonly mixedGroups: number;
}

const CURRENCY = "coalesce(t.currency, '(none)')";

/** Currencies per group of the request, for measures in each row's own currency: one aggregate over the filtered rows. */
async function currencyCheck(db: ScopedDb, p: ExplorePlan, cache: ResultCache | undefined, request: unknown): Promise<CurrencyCheck | null> {
  if (!p.bound.length) return null;
  const run = async (): Promise<CurrencyCheck> => {
    // Most stores hold one currency: one narrow scan of the currency column settles it without grouping.
    let one = baseQuery(db, p.cat, p.joins).select(sql<string[]>`coalesce(list_sort(list(DISTINCT ${sql.raw(CURRENCY)})), [])`.as('c'));
    if (p.filter) one = one.where(p.filter as Expression<SqlBool>);
    const all = ((await one.executeTakeFirst()) as { c: string[] } | undefined)?.c ?? [];
    if (all.length <= 1) return { currencies: all, mixedGroups: 0 };
    let q = baseQuery(db, p.cat, p.joins).select([
      ...p.dims.map((d, i) => sql.raw(dimSql(db, p.cat, d)).as(`_d${i}`)),
      sql<string[]>`list(DISTINCT ${sql.raw(CURRENCY)})`.as('curs'),
    ]);
    if (p.filter) q = q.where(p.filter as Expression<SqlBool>);
    if (p.dims.length) q = q.groupBy(p.dims.map((d) => sql.raw(dimSql(db, p.cat, d))));
    const r = (await db.db
      .selectFrom(q.as('g'))
      .select([
        sql<number>`count(*) FILTER (WHERE len(curs) > 1)::INTEGER`.as('mixed'),
        sql<string[]>`coalesce(list_sort(list_distinct(flatten(list(curs)))), [])`.as('currencies'),
      ])
      .executeTakeFirst()) as { mixed: number; currencies: string[] } | undefined;
    return { currencies: r?.currencies ?? [], mixedGroups: Number(r?.mixed ?? 0) };
  };
  const cur = cache ? await cache.get(db.scope, 'explore-currencies', request, run, { bytes: () => 256 }) : await run();
  if (cur.mixedGroups > 0) {
    const names = p.bound.map((m) => m.id).join(', ');
    const usd = p.cat.measures.filter((m) => m.usd).map((m) => m.id);
    throw new ExploreSpecError(
      `${names} ${p.bound.length > 1 ? 'add' : 'adds'} amounts in each row's own currency, and ${cur.mixedGroups === 1 && !p.dims.length ? 'the rows hold' : `${cur.mixedGroups} group(s) hold rows in`} ${cur.currencies.length} currencies (${cur.currencies.join(', ')}): ` +
        `use ${usd.join(' or ')} (converted at monthly exchange rates), add currency to the dimensions, or filter one currency (where "currency = ${cur.currencies[0]}")`,
    );
  }
  return cur;
}

export async function explore(db: ScopedDb, spec: ExploreSpec, o: ExploreOptions = {}): Promise<ExploreResult> {
  const p = planExplore(db, spec);
  // The request without its page: every page of one result shares the entry. Aggregate-only results are
  // suppressed before they are kept, and the scope's grants are part of the key, so no other scope sees them.
  const request = { dataset: p.id, by: p.dims.map((d) => d.id), measures: p.measures.map((m) => m.id), where: spec.where ?? null, sort: p.sort };
  const cur = await currencyCheck(db, p, o.cache, { dataset: p.id, by: request.by, where: request.where });
  if (!o.cache) return resultOf(p, p.aggregate ? await suppressedGroups(db, p) : await pageGroups(db, p), cur);
  const cache = o.cache;
  const maxGroups = o.maxGroups ?? Math.floor(cache.maxEntryBytes / (64 + 56 * p.columns.length));
  const g = await cache.get(db.scope, 'explore-groups', request, () => (p.aggregate ? suppressedGroups(db, p) : allGroups(db, p, maxGroups)), { bytes: groupedBytes });
  if (g.complete) return resultOf(p, g, cur);
  // Too many groups to keep in memory: the engine keeps the numbered result (computed once, in the background
  // while this first page goes out) and later pages are range reads of it; the totals are the first page's.
  const spill = () => spillQuery(db, p);
  if (g.offset === p.offset && g.limit === p.limit) {
    cache.large.prepare(db.scope, 'explore-groups', request, g.totalGroups, spill);
    return resultOf(p, g, cur);
  }
  const slice = await cache.large.page(db.scope, 'explore-groups', request, g.totalGroups, spill, p.offset, p.limit);
  if (slice) return resultOf(p, { complete: false, offset: p.offset, limit: p.limit, rows: fromRows(p, slice).rows, totals: g.totals, totalGroups: g.totalGroups }, cur);
  // Too large even for the engine's budget: this page is the engine's, kept on its own like any page.
  const page = await cache.get(db.scope, 'explore-page', { ...request, offset: p.offset, limit: p.limit }, () => pageGroups(db, p), { bytes: groupedBytes });
  return resultOf(p, page, cur);
}

export async function lines(db: ScopedDb, spec: LinesSpec): Promise<LinesResult> {
  const { id, cat } = catalogueOf(spec.dataset);
  const grant = grantFor(db.scope, categoryOf(id));
  if (!grant) throw new ScopeDeniedError(`${categoryOf(id)} data`);
  if (grant.level !== 'row') throw new ScopeDeniedError('line-level data at aggregate-only access');
  const { limit, offset } = pageOf(spec.limit, spec.offset, 100);
  const { node, resolved } = whereOf(db, cat, spec.where);
  const cellDims = Object.keys(spec.cell ?? {}).map((k) => {
    const d = cat.dimensions.find((x) => x.id === k);
    if (!d) throw new ExploreSpecError(`unknown dimension "${k}" in cell`);
    return d;
  });
  const joins = joinsFor([...cellDims, ...resolved.map((r) => (r.kind === 'dim' ? r.dim : r.field))]);
  const conds: RawBuilder<SqlBool>[] = [];
  if (node) conds.push(compileFilter(db, cat, node));
  for (const d of cellDims) {
    const v = spec.cell![d.id];
    const e = sql.raw(dimSql(db, cat, d));
    conds.push(v === null || v === undefined ? sql<SqlBool>`(${e} IS NULL)` : sql<SqlBool>`(${e} = ${String(v)})`);
  }
  const where = conds.length ? sql<SqlBool>`${sql.join(conds, sql.raw(' AND '))}` : null;
  const sortable = new Set(cat.lineColumns);
  const sort = spec.sort?.length ? [...spec.sort] : [{ key: 'row_id', dir: 'asc' as const }];
  for (const s of sort) if (!sortable.has(s.key)) throw new ExploreSpecError(`cannot sort lines by "${s.key}"`);
  const boundSort = sort.filter((s) => cat.currencyBoundColumns.includes(s.key)).map((s) => s.key);
  if (boundSort.length) {
    // Ranking 1,000,000 KRW above 700 USD would be wrong: amounts in the row's own currency sort within one currency.
    let cq = baseQuery(db, cat, joins).select(sql<string[]>`coalesce(list_sort(list(DISTINCT ${sql.raw(CURRENCY)})), [])`.as('c'));
    if (where) cq = cq.where(where as Expression<SqlBool>);
    const cur = ((await cq.executeTakeFirst()) as { c: string[] } | undefined)?.c ?? [];
    if (cur.length > 1) {
      const usd = cat.lineColumns.filter((c) => c.endsWith('_usd'));
      throw new ExploreSpecError(
        `sorting lines by ${boundSort.join(', ')} compares amounts in ${cur.length} currencies (${cur.join(', ')}): sort by ${usd.join(' or ')}, or filter one currency (where "currency = ${cur[0]}")`,
      );
    }
  }

  // `line` is a BIGINT in storage but always fits a JSON number.
  let q = baseQuery(db, cat, joins).select(cat.lineColumns.map((c) => (c === 'line' ? sql`t.line::DOUBLE`.as(c) : sql.ref(`t.${c}`).as(c))));
  if (where) q = q.where(where as Expression<SqlBool>);
  for (const s of sort) q = q.orderBy(sql`${sql.ref(`t.${s.key}`)} ${sql.raw(s.dir)} NULLS LAST`);
  if (!sort.some((s) => s.key === 'row_id')) q = q.orderBy(sql.ref('t.row_id'));
  q = q.limit(limit).offset(offset);
  let countQ = baseQuery(db, cat, joins).select(sql<number>`count(*)::BIGINT`.as('n'));
  if (where) countQ = countQ.where(where as Expression<SqlBool>);
  const [rows, count] = await Promise.all([q.execute(), countQ.executeTakeFirst()]);
  const total = Number((count as Record<string, unknown> | undefined)?.['n'] ?? 0);
  const end = offset + rows.length;
  return {
    dataset: id,
    columns: [...cat.lineColumns],
    rows: rows as Record<string, unknown>[],
    total,
    offset,
    limit,
    truncated: end < total,
    next_offset: end < total ? end : null,
  };
}

export function parseSort(text: string | undefined): SortKey[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((part) => {
    const p = part.trim();
    if (p.startsWith('-')) return { key: p.slice(1), dir: 'desc' as const };
    const [key, dir] = p.split(':');
    if (dir && dir !== 'asc' && dir !== 'desc') throw new ExploreSpecError(`sort direction must be asc or desc`);
    return { key: key!, dir: (dir as 'asc' | 'desc' | undefined) ?? 'desc' };
  });
}
