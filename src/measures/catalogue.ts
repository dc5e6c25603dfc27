/**
 * The trade-measure catalogue (spec/kpis.md) as data: adding a measure is adding an entry, not a code path.
 *
 * Invariants:
 * - Pure and IO-free. `formula` is an aggregate over the trade_lines alias `t` only (no joins), so a measure
 *   can be cut by any explore dimension without the measure knowing which look-ups are joined.
 * - Constant SQL text of this module; user input selects entries by id and never becomes SQL.
 * - Rates are written as ratios of two aggregates with nullif on the denominator: an empty denominator
 *   gives null (no data), never a division error or a misleading 0.
 * - Every formula casts to DOUBLE or INTEGER so results are JSON numbers (store/kysely-duckdb.ts).
 * - Where engines differ, `formula` takes the dialect (none does yet: FILTER and count(DISTINCT) are
 *   shared by DuckDB and PostgreSQL).
 * - `additive` means the total over cells is the sum of the cells; complementary suppression relies on it to
 *   know which measures a reader could recover by subtraction (see suppression.ts).
 */
import type { AnalyticalDialect } from '../store/index.ts';
import type { DatasetCategory } from '../schema/index.ts';

export interface TradeMeasure {
  readonly id: string;
  readonly name: string;
  readonly unit: 'USD' | 'count' | 'ratio';
  readonly formula: string | ((d: AnalyticalDialect) => string);
  /** Scope categories the measure reads. Inspection and seizure flags are columns of trade_lines, so trade. */
  readonly categories: readonly DatasetCategory[];
  /** Explore dimension ids a report shows the measure by when none are given. */
  readonly defaultBy: readonly string[];
  readonly additive: boolean;
}

const ratio = (num: string, den: string) => `(${num})::DOUBLE / nullif(${den}, 0)::DOUBLE`;

export const MEASURES: readonly TradeMeasure[] = [
  { id: 'import-value', name: 'Import value', unit: 'USD', formula: "coalesce(sum(t.value) FILTER (WHERE t.flow = 'import'), 0)::DOUBLE", categories: ['trade'], defaultBy: ['port'], additive: true },
  { id: 'export-value', name: 'Export value', unit: 'USD', formula: "coalesce(sum(t.value) FILTER (WHERE t.flow = 'export'), 0)::DOUBLE", categories: ['trade'], defaultBy: ['port'], additive: true },
  { id: 'lines', name: 'Declaration lines', unit: 'count', formula: 'count(*)::INTEGER', categories: ['trade'], defaultBy: ['port'], additive: true },
  { id: 'declarations', name: 'Declarations', unit: 'count', formula: 'count(DISTINCT t.declaration_id)::INTEGER', categories: ['trade'], defaultBy: ['port'], additive: false },
  { id: 'importers', name: 'Distinct importers', unit: 'count', formula: 'count(DISTINCT t.importer_key)::INTEGER', categories: ['trade'], defaultBy: ['port'], additive: false },
  { id: 'exporters', name: 'Distinct exporters', unit: 'count', formula: 'count(DISTINCT t.exporter_key)::INTEGER', categories: ['trade'], defaultBy: ['port'], additive: false },
  { id: 'duty-collected', name: 'Duty collected', unit: 'USD', formula: 'coalesce(sum(t.duty_amount), 0)::DOUBLE', categories: ['trade'], defaultBy: ['port'], additive: true },
  {
    id: 'effective-duty-rate',
    name: 'Effective duty rate (duty / dutiable value)',
    unit: 'ratio',
    // Dutiable value = value of lines that carry a duty amount; lines with no duty recorded are not dutiable
    // evidence either way and are left out of both sides.
    formula: ratio('sum(t.duty_amount)', 'sum(t.value) FILTER (WHERE t.duty_amount IS NOT NULL)'),
    categories: ['trade'],
    defaultBy: ['port', 'hs2'],
    additive: false,
  },
  { id: 'inspection-rate', name: 'Inspection rate (inspected / lines)', unit: 'ratio', formula: ratio('count(*) FILTER (WHERE t.inspected)', 'count(*)'), categories: ['trade'], defaultBy: ['port'], additive: false },
  {
    id: 'hit-rate',
    name: 'Hit rate (found fraudulent / inspected)',
    unit: 'ratio',
    formula: ratio('count(*) FILTER (WHERE t.inspected AND t.fraud)', 'count(*) FILTER (WHERE t.inspected)'),
    categories: ['trade'],
    defaultBy: ['port'],
    additive: false,
  },
  { id: 'seizures', name: 'Seized lines', unit: 'count', formula: 'count(*) FILTER (WHERE t.seized)::INTEGER', categories: ['trade'], defaultBy: ['port'], additive: true },
  { id: 'seizure-value', name: 'Value of seized lines', unit: 'USD', formula: 'coalesce(sum(t.value) FILTER (WHERE t.seized), 0)::DOUBLE', categories: ['trade'], defaultBy: ['port'], additive: true },
];

/** kpis.md entries not in the catalogue yet, and why. */
export const MISSING_MEASURES: readonly { id: string; why: string }[] = [
  { id: 'anomaly-rate', why: 'needs a join to the anomalies table of the latest analysis run' },
  { id: 'watchlist-exposure', why: 'needs confirmed screening matches joined to parties' },
  { id: 'mirror-gap', why: 'needs mirror_stats, a different table and grain' },
  { id: 'top-partners', why: 'rankings are a separate query shape (top-N per group)' },
  { id: 'top-products', why: 'rankings are a separate query shape (top-N per group)' },
  { id: 'top-importers', why: 'rankings, and named importers only for roles that may see them' },
];

export function measureFormula(m: TradeMeasure, d: AnalyticalDialect): string {
  return typeof m.formula === 'string' ? m.formula : m.formula(d);
}
