/**
 * The trade-measure catalogue (spec/kpis.md) as data: adding a measure is adding an entry, not a code path.
 *
 * Invariants:
 * - Pure and IO-free. `formula` is an aggregate over the alias `t` of the measure's source (sources.ts):
 *   trade lines, enforcement events or mirror pairs. It may also read the look-ups named in `joins`, which
 *   the source adds (`fl`: lines flagged by the latest analysis run of their provider; `wi`/`we`: the
 *   line's importer/exporter party has a confirmed watch-list match); it never joins by itself, so a
 *   measure can be cut by any dimension of its source.
 * - `categories` lists every grant the measure reads, not only its source's: a measure that reads
 *   watch-list hits needs the watchlist grant, so a role without it (executive, access.md) is refused.
 * - Constant SQL text of this module; user input selects entries by id and never becomes SQL.
 * - Rates are written as ratios of two aggregates with nullif on the denominator: an empty denominator
 *   gives null (no data), never a division error or a misleading 0.
 * - Every formula casts to DOUBLE or INTEGER so results are JSON numbers (store/kysely-duckdb.ts).
 * - Money measures (unit USD) sum the USD columns derived at load (fx/), never amounts in the rows' own
 *   currencies: kpis.md's "USD where FX is known". A row whose currency and month have no rate cannot be in
 *   a USD sum, and adding its own-currency amount instead would add two currencies, so it is left out and
 *   `leftOut` counts it: every result carries that count next to the measure (`<id>_without_rate`).
 * - Where engines differ, `formula` takes the dialect (none does yet: FILTER and count(DISTINCT) are
 *   shared by DuckDB and PostgreSQL).
 * - `additive` means the total over cells is the sum of the cells; complementary suppression relies on it to
 *   know which measures a reader could recover by subtraction (see suppression.ts).
 * - Rankings (top-N) are not formulas but query shapes over a measure and one dimension; they are data too.
 */
import type { AnalyticalDialect } from '../store/index.ts';
import { MONEY_SQL } from '../store/money.ts';
import type { DatasetCategory } from '../schema/index.ts';

export type MeasureSourceId = 'trade' | 'enforcement' | 'mirror';
/** Look-ups a measure (not a dimension) needs; see sources.ts. */
export type MeasureJoin = 'flags' | 'watchlist';

export interface TradeMeasure {
  readonly id: string;
  readonly name: string;
  readonly unit: 'USD' | 'count' | 'ratio';
  readonly formula: string | ((d: AnalyticalDialect) => string);
  /** The table the formula aggregates; measures of different sources are not mixed in one query. */
  readonly source: MeasureSourceId;
  readonly joins?: readonly MeasureJoin[];
  /** Scope categories the measure reads. Inspection and seizure flags are columns of trade_lines, so trade. */
  readonly categories: readonly DatasetCategory[];
  /** Dimension ids a report shows the measure by when none are given. */
  readonly defaultBy: readonly string[];
  readonly additive: boolean;
  /** For USD measures: SQL counting the rows the measure would include but has no USD amount for. */
  readonly leftOut?: string;
}

const ratio = (num: string, den: string) => `(${num})::DOUBLE / nullif(${den}, 0)::DOUBLE`;
/** Duty in USD at the line's rate, rounded per line to the money scale so the sum is exact. */
const DUTY_USD = `TRY_CAST(t.duty_amount / t.fx_rate AS ${MONEY_SQL})`;
/** USD sum of value over the lines `cond` selects, and the count of those lines without a USD value. */
const usdValue = (cond: string) => ({
  formula: `coalesce(sum(t.value_usd) FILTER (WHERE ${cond}), 0)::DOUBLE`,
  leftOut: `count(*) FILTER (WHERE (${cond}) AND t.value_usd IS NULL)::INTEGER`,
});
const trade = { source: 'trade', categories: ['trade'] } as const;
const enforcement = { source: 'enforcement', categories: ['enforcement'] } as const;

export const MEASURES: readonly TradeMeasure[] = [
  { id: 'import-value', name: 'Import value', unit: 'USD', ...usdValue("t.flow = 'import'"), ...trade, defaultBy: ['port'], additive: true },
  { id: 'export-value', name: 'Export value', unit: 'USD', ...usdValue("t.flow = 'export'"), ...trade, defaultBy: ['port'], additive: true },
  { id: 'lines', name: 'Declaration lines', unit: 'count', formula: 'count(*)::INTEGER', ...trade, defaultBy: ['port'], additive: true },
  { id: 'declarations', name: 'Declarations', unit: 'count', formula: 'count(DISTINCT t.declaration_id)::INTEGER', ...trade, defaultBy: ['port'], additive: false },
  { id: 'importers', name: 'Distinct importers', unit: 'count', formula: 'count(DISTINCT t.importer_key)::INTEGER', ...trade, defaultBy: ['port'], additive: false },
  { id: 'exporters', name: 'Distinct exporters', unit: 'count', formula: 'count(DISTINCT t.exporter_key)::INTEGER', ...trade, defaultBy: ['port'], additive: false },
  {
    id: 'duty-collected',
    name: 'Duty collected',
    unit: 'USD',
    formula: `coalesce(sum(${DUTY_USD}), 0)::DOUBLE`,
    leftOut: 'count(*) FILTER (WHERE t.duty_amount IS NOT NULL AND t.fx_rate IS NULL)::INTEGER',
    ...trade,
    defaultBy: ['port'],
    additive: true,
  },
  {
    id: 'effective-duty-rate',
    name: 'Effective duty rate (duty / dutiable value)',
    unit: 'ratio',
    // Dutiable value = value of lines that carry a duty amount; lines with no duty recorded are not dutiable
    // evidence either way and are left out of both sides. Both sides in USD, so lines without a rate are too.
    formula: ratio(`sum(${DUTY_USD})`, 'sum(t.value_usd) FILTER (WHERE t.duty_amount IS NOT NULL)'),
    leftOut: 'count(*) FILTER (WHERE t.duty_amount IS NOT NULL AND t.fx_rate IS NULL)::INTEGER',
    ...trade,
    defaultBy: ['port', 'hs2'],
    additive: false,
  },
  { id: 'inspection-rate', name: 'Inspection rate (inspected / lines)', unit: 'ratio', formula: ratio('count(*) FILTER (WHERE t.inspected)', 'count(*)'), ...trade, defaultBy: ['port'], additive: false },
  {
    id: 'hit-rate',
    name: 'Hit rate (found fraudulent / inspected)',
    unit: 'ratio',
    formula: ratio('count(*) FILTER (WHERE t.inspected AND t.fraud)', 'count(*) FILTER (WHERE t.inspected)'),
    ...trade,
    defaultBy: ['port'],
    additive: false,
  },
  { id: 'seizures', name: 'Seized lines', unit: 'count', formula: 'count(*) FILTER (WHERE t.seized)::INTEGER', ...trade, defaultBy: ['port'], additive: true },
  { id: 'seizure-value', name: 'Value of seized lines', unit: 'USD', ...usdValue('t.seized'), ...trade, defaultBy: ['port'], additive: true },
  // Lines any detector flagged in the latest analysis run of their provider (a line counts once however many
  // anomalies name it). Lines of a provider never analysed count as not flagged: run `analyze` first.
  { id: 'anomaly-rate', name: 'Anomaly rate (flagged lines / lines)', unit: 'ratio', formula: ratio('count(fl.row_id)', 'count(*)'), ...trade, joins: ['flags'], defaultBy: ['port'], additive: false },
  { id: 'flagged-lines', name: 'Lines flagged by any detector', unit: 'count', formula: 'count(fl.row_id)::INTEGER', ...trade, joins: ['flags'], defaultBy: ['port'], additive: true },
  { id: 'value-at-risk', name: 'Value of flagged lines (value at risk)', unit: 'USD', ...usdValue('fl.row_id IS NOT NULL'), ...trade, joins: ['flags'], defaultBy: ['port'], additive: true },
  // Lines whose importer or exporter party (party_members) has a hit that is not retired and whose latest
  // analyst decision is `confirmed` (the decision mirror on watchlist_hits, rebuilt from the control store).
  // A line counts once even when both parties, or one party on several lists, match. Discloses watch-list
  // matches, so it needs the watchlist grant as well as trade. Parties must be resolved and screened first.
  {
    id: 'watchlist-exposure',
    name: 'Value traded by parties with a confirmed watch-list match',
    unit: 'USD',
    ...usdValue('wi.ref IS NOT NULL OR we.ref IS NOT NULL'),
    source: 'trade',
    categories: ['trade', 'watchlist'],
    joins: ['watchlist'],
    defaultBy: ['port'],
    additive: true,
  },
  // Mirror pairs (importer's CIF brought to FOB against the exporter's FOB), one HS level per pair of
  // countries; orphans (one side unreported) have no gap and are left out. See sources.ts.
  { id: 'mirror-gap', name: 'Mirror gap (sum of |importer FOB - exporter FOB|)', unit: 'USD', formula: 'coalesce(sum(t.abs_gap), 0)::DOUBLE', source: 'mirror', categories: ['trade'], defaultBy: ['nation'], additive: true },
  {
    id: 'mirror-gap-share',
    name: 'Mirror gap as a share of trade (sum of gaps / sum of the larger side)',
    unit: 'ratio',
    formula: ratio('sum(t.abs_gap)', 'sum(greatest(t.mf, t.x)) FILTER (WHERE t.abs_gap IS NOT NULL)'),
    source: 'mirror',
    categories: ['trade'],
    defaultBy: ['nation'],
    additive: false,
  },
  // Enforcement events (optional dataset, category enforcement).
  { id: 'examinations', name: 'Examinations (enforcement events)', unit: 'count', formula: "count(*) FILTER (WHERE t.event_type = 'examination')::INTEGER", ...enforcement, defaultBy: ['port'], additive: true },
  { id: 'seizure-events', name: 'Seizures (enforcement events)', unit: 'count', formula: "count(*) FILTER (WHERE t.event_type = 'seizure')::INTEGER", ...enforcement, defaultBy: ['port'], additive: true },
  {
    id: 'seized-goods-value',
    name: 'Value of goods seized (enforcement events)',
    unit: 'USD',
    formula: "coalesce(sum(t.value_usd) FILTER (WHERE t.event_type = 'seizure'), 0)::DOUBLE",
    leftOut: "count(*) FILTER (WHERE t.event_type = 'seizure' AND t.value IS NOT NULL AND t.value_usd IS NULL)::INTEGER",
    ...enforcement,
    defaultBy: ['port'],
    additive: true,
  },
  { id: 'penalties', name: 'Penalties imposed (enforcement events)', unit: 'count', formula: "count(*) FILTER (WHERE t.event_type = 'penalty')::INTEGER", ...enforcement, defaultBy: ['port'], additive: true },
  {
    id: 'penalty-amount',
    name: 'Amount of penalties (enforcement events)',
    unit: 'USD',
    formula: "coalesce(sum(t.penalty_usd) FILTER (WHERE t.event_type = 'penalty'), 0)::DOUBLE",
    leftOut: "count(*) FILTER (WHERE t.event_type = 'penalty' AND t.penalty_amount IS NOT NULL AND t.penalty_usd IS NULL)::INTEGER",
    ...enforcement,
    defaultBy: ['port'],
    additive: true,
  },
];

/** Rankings of kpis.md: the top `n` members of one dimension by a measure, the rest as one "others" row. */
export interface Ranking {
  readonly id: string;
  readonly name: string;
  readonly measure: string;
  readonly by: string;
  readonly n: number;
}

export const RANKINGS: readonly Ranking[] = [
  { id: 'top-partners', name: 'Top partner countries by import value', measure: 'import-value', by: 'partner', n: 10 },
  { id: 'top-products', name: 'Top products (HS subheadings) by import value', measure: 'import-value', by: 'hs6', n: 10 },
  // A named-party dimension: refused at aggregate-only access like any party dimension.
  { id: 'top-importers', name: 'Top importers by import value', measure: 'import-value', by: 'importer', n: 10 },
];

/** kpis.md entries not in the catalogue yet, and why (none today; kept so clients can show the list). */
export const MISSING_MEASURES: readonly { id: string; why: string }[] = [];

export function measureFormula(m: TradeMeasure, d: AnalyticalDialect): string {
  return typeof m.formula === 'string' ? m.formula : m.formula(d);
}
