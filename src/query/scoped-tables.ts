/**
 * Which analytical tables hold scoped data, and how a scope filters them.
 *
 * Invariant: every table that holds loaded rows is listed here. Reference tables are shared look-ups
 * (countries, HS, ports, sectors) and carry no provider; any principal with some data grant may join them.
 * A table not listed anywhere is refused by the scope plugin (fail closed).
 */
import type { DatasetCategory } from '../schema/index.ts';

export interface ScopedTable {
  readonly category: DatasetCategory;
}

export const SCOPED_TABLES: Readonly<Record<string, ScopedTable>> = {
  trade_lines: { category: 'trade' },
  trade_lines_history: { category: 'trade' },
  payments: { category: 'financial' },
  payments_history: { category: 'financial' },
  mirror_stats: { category: 'trade' },
  watchlist_versions: { category: 'watchlist' },
  watchlist_entries: { category: 'watchlist' },
  analysis_runs: { category: 'trade' },
  anomalies: { category: 'trade' },
};

export const REFERENCE_TABLES: ReadonlySet<string> = new Set(['ref_countries', 'ref_country_aliases', 'ref_hs', 'ref_hs_sections', 'ref_ports', 'ref_sectors']);
