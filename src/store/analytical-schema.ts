/**
 * DDL for the analytical store, derived from the canonical dataset specs.
 *
 * Invariants:
 * - Every canonical table carries provenance columns: `row_id` (batch seq << 32 | record, stable and
 *   unique, what drill-down and anomalies point at), `batch_id`, `provider`, `line` (source line number).
 * - Current tables hold current rows only. When a later batch of the same provider re-sends a row with the
 *   same key, the old row moves, unchanged, to `<table>_history` with `superseded_by` naming the batch;
 *   rows are never edited, so history stays visible (access.md: source data read-only), and ordinary reads
 *   need no "is current" filter.
 * - Derived columns (hs2/hs4/hs6, partner_country, party keys, zero-value flags) are computed once at ingest
 *   because every explore query groups by them; reference hierarchies (ports, sectors) are joined at query
 *   time so a replaced reference table takes effect without reloading. The USD columns (fx/fx-columns.ts)
 *   are derived at ingest too, because every total and detector reads them; they are the one derived
 *   state a reference load rewrites in place (fx/convert.ts), so loading new rates needs no reload.
 * - The layout (column order and types) is versioned (analytical-migrations.ts): a data directory made by an
 *   earlier version is rewritten to this layout when it is opened.
 */
import { DATASETS, type DatasetId, type FieldType } from '../schema/index.ts';
import { PARTY_DDL } from '../parties/party-schema.ts';
import { SCREENING_DDL } from '../screening/hits-schema.ts';
import { MONEY_SQL } from './money.ts';
import { FX_COLUMNS, RATE_AT_LOAD } from '../fx/fx-columns.ts';

export function sqlType(t: FieldType): string {
  switch (t) {
    case 'int':
      return 'INTEGER';
    case 'decimal':
      return 'DOUBLE';
    case 'money':
      return MONEY_SQL;
    case 'date':
      return 'DATE';
    case 'bool':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

export interface DerivedColumn {
  readonly name: string;
  readonly type: string;
  readonly expr: string;
  /** Reads the row's monthly FX rate: the load joins the rates (fx/fx-columns.ts) and re-conversion rewrites it. */
  readonly fx?: boolean;
}

const fxDerived = (id: DatasetId): DerivedColumn[] => FX_COLUMNS[id].map((c) => ({ name: c.name, type: c.type, expr: c.expr(RATE_AT_LOAD), fx: true }));

/** Columns added at ingest beyond the canonical fields, with the SQL that derives each from typed fields. */
export const DERIVED_COLUMNS: Readonly<Record<DatasetId, readonly DerivedColumn[]>> = {
  trade_lines: [
    { name: 'hs2', type: 'VARCHAR', expr: 'substr(hs_code, 1, 2)' },
    { name: 'hs4', type: 'VARCHAR', expr: 'substr(hs_code, 1, 4)' },
    { name: 'hs6', type: 'VARCHAR', expr: 'substr(hs_code, 1, 6)' },
    {
      name: 'partner_country',
      type: 'VARCHAR',
      expr: "CASE WHEN flow = 'import' THEN coalesce(departure_country, origin_country) ELSE destination_country END",
    },
    { name: 'importer_key', type: 'VARCHAR', expr: 'coalesce(importer_id, upper(importer_name))' },
    { name: 'exporter_key', type: 'VARCHAR', expr: 'coalesce(exporter_id, upper(exporter_name))' },
    // A declared value of 0 is data (free of charge, samples) and a red flag in itself: marked, never rejected.
    { name: 'zero_value', type: 'BOOLEAN', expr: 'value = 0' },
    ...fxDerived('trade_lines'),
  ],
  payments: [{ name: 'zero_amount', type: 'BOOLEAN', expr: 'amount = 0' }, ...fxDerived('payments')],
  mirror_stats: [],
  enforcement_events: [
    { name: 'hs2', type: 'VARCHAR', expr: 'substr(hs_code, 1, 2)' },
    { name: 'hs4', type: 'VARCHAR', expr: 'substr(hs_code, 1, 4)' },
    { name: 'hs6', type: 'VARCHAR', expr: 'substr(hs_code, 1, 6)' },
    { name: 'importer_key', type: 'VARCHAR', expr: 'coalesce(importer_id, upper(importer_name))' },
    ...fxDerived('enforcement_events'),
  ],
};

const PROVENANCE = ['row_id BIGINT NOT NULL', 'batch_id VARCHAR NOT NULL', 'provider VARCHAR NOT NULL', 'line BIGINT NOT NULL'];

export function createTableSql(id: DatasetId): string[] {
  const spec = DATASETS[id];
  const cols = [
    ...PROVENANCE,
    ...spec.fields.map((f) => `${f.name} ${sqlType(f.type)}`),
    ...DERIVED_COLUMNS[id].map((d) => `${d.name} ${d.type}`),
    'attrs JSON',
  ];
  const ddl = [`CREATE TABLE IF NOT EXISTS ${id} (${cols.join(', ')})`];
  if (spec.key) ddl.push(`CREATE TABLE IF NOT EXISTS ${id}_history (${[...cols, 'superseded_by VARCHAR NOT NULL'].join(', ')})`);
  return ddl;
}

/** Columns in table order after provenance, as INSERT ... SELECT lists them. */
export function insertColumns(id: DatasetId): string[] {
  return [
    'row_id',
    'batch_id',
    'provider',
    'line',
    ...DATASETS[id].fields.map((f) => f.name),
    ...DERIVED_COLUMNS[id].map((d) => d.name),
    'attrs',
  ];
}

export const REFERENCE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ref_countries (alpha2 VARCHAR PRIMARY KEY, alpha3 VARCHAR, numeric VARCHAR,
     name VARCHAR, official_name VARCHAR, region VARCHAR, subregion VARCHAR, currency VARCHAR)`,
  // Other spellings of country names (IMF, UN, common usage) for look-ups from name to alpha-2.
  `CREATE TABLE IF NOT EXISTS ref_country_aliases (alias VARCHAR PRIMARY KEY, alpha2 VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_hs (code VARCHAR PRIMARY KEY, level INTEGER, parent VARCHAR, section VARCHAR,
     description VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ref_hs_sections (section VARCHAR PRIMARY KEY, name VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ref_ports (port_code VARCHAR PRIMARY KEY, name VARCHAR, country VARCHAR,
     field_office VARCHAR, region VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ref_sectors (hs_chapter VARCHAR PRIMARY KEY, sector VARCHAR)`,
  // Written in the same transaction as a batch's rows: the proof that the batch committed, with its counts,
  // so crash recovery can finish the control-store record without recounting.
  `CREATE TABLE IF NOT EXISTS batch_commits (batch_id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL,
     rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT, rejects_kept BIGINT, superseded_rows BIGINT,
     committed_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`,
  // Derived party and screening tables (resolution, graph, batch-screening hits): rebuilt by their jobs.
  ...PARTY_DDL,
  ...SCREENING_DDL,
];
