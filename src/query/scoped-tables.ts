/**
 * Which analytical tables hold scoped data, and how a scope filters them.
 *
 * Invariant: every table that holds loaded rows is listed here. Reference tables are shared look-ups
 * (countries, HS, ports, sectors) and carry no provider; any principal with some data grant may join them.
 * A table not listed anywhere is refused by the scope plugin (fail closed).
 */
import type { DatasetCategory } from '../schema/index.ts';

export interface ScopedTable {
  /** The grant a principal needs to read the table at all. */
  readonly category: DatasetCategory;
  /**
   * For tables whose rows disclose different categories (anomalies: a payment mismatch reveals payments), the
   * column naming each row's category; rows of categories outside the scope are filtered out, per category
   * with that category's providers.
   */
  readonly rowCategoryColumn?: string;
  /**
   * For derived findings (anomalies), the column listing the data each row was computed from, as
   * 'category:provider'; a row is readable only when the scope may read every one of them at row level.
   */
  readonly basisColumn?: string;
}

export const SCOPED_TABLES: Readonly<Record<string, ScopedTable>> = {
  trade_lines: { category: 'trade' },
  trade_lines_history: { category: 'trade' },
  payments: { category: 'financial' },
  payments_history: { category: 'financial' },
  mirror_stats: { category: 'trade' },
  enforcement_events: { category: 'enforcement' },
  enforcement_events_history: { category: 'enforcement' },
  watchlist_versions: { category: 'watchlist' },
  watchlist_entries: { category: 'watchlist' },
  // A hit carries a trading party's name: rows are readable under the category and provider of that name.
  watchlist_hits: { category: 'watchlist', rowCategoryColumn: 'category' },
  screening_subjects: { category: 'watchlist' },
  screening_runs: { category: 'watchlist' },
  party_members: { category: 'trade' },
  party_edges: { category: 'trade' },
  party_payment_members: { category: 'financial' },
  party_payment_edges: { category: 'financial' },
  analysis_runs: { category: 'trade' },
  anomalies: { category: 'trade', rowCategoryColumn: 'category', basisColumn: 'basis' },
  risk_models: { category: 'trade' },
  risk_model_terms: { category: 'trade' },
  // Conversion provenance per batch (fx/fx-schema.ts): counts, rate generation and currencies, no row values.
  batch_fx: { category: 'trade', rowCategoryColumn: 'category' },
  ranking_models: { category: 'trade' },
};

export const REFERENCE_TABLES: ReadonlySet<string> = new Set([
  'ref_countries', 'ref_country_aliases', 'ref_hs', 'ref_hs_sections', 'ref_ports', 'ref_sectors', 'ref_fx_rates', 'ref_fx_sources',
]);
