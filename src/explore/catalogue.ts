/**
 * What can be explored: dimensions, measures and filterable fields per dataset.
 *
 * Invariants:
 * - Pure and IO-free. Each entry is a SQL expression over fixed aliases: `t` (the dataset table), `p`
 *   (ref_ports, joined on port_code), `s` (ref_sectors, joined on hs2), `h` (the chapter row of ref_hs,
 *   joined on hs2, which carries the HS section) and `hx` (ref_hs_sections, joined on h.section). `joins`
 *   says which look-ups an entry needs so the compiler joins only those. Look-ups are left joins on a
 *   primary key, so they never add or drop lines: a chapter missing from the reference gives a null section.
 * - Expressions are constants of this module; user input selects entries by id and never becomes SQL text.
 * - `party: true` marks dimensions and fields that name a business; aggregate-only scopes may not use them.
 * - Measures return DOUBLE or INTEGER so results are JSON numbers (see store/kysely-duckdb.ts).
 * - Money measures come in two kinds (formats.md: never sum values of two currencies). `usd` measures read the
 *   USD columns derived at load (fx/); rows without a rate are NULL there, so every result with one also
 *   carries the dataset's `unconverted` count measure, the rows it left out. `currencyBound` measures read
 *   amounts in each row's own currency; explore refuses them where one group holds rows of two currencies
 *   and gives no total across currencies (explore-query.ts).
 */
import type { AnalyticalDialect, PeriodGrain } from '../store/index.ts';
import { MONEY_SQL } from '../store/money.ts';

export type ExploreDataset = 'trade' | 'payments' | 'enforcement';
export type Join = 'ports' | 'sectors' | 'hs' | 'hs_sections';

export interface Dimension {
  readonly id: string;
  readonly label: string;
  /** SQL over t/p/s; period dimensions give a grain instead and are rendered by the dialect. */
  readonly sql?: string;
  readonly period?: PeriodGrain;
  readonly joins?: readonly Join[];
  readonly party?: boolean;
}

export interface Measure {
  readonly id: string;
  readonly label: string;
  /** Aggregate SQL over t; a function where the aggregate differs between engines. */
  readonly sql: string | ((d: AnalyticalDialect) => string);
  readonly unit: string;
  /** Sums and counts: the grand total is the sum of the groups, so no second aggregation is needed. */
  readonly additive?: boolean;
  /** Adds or ranks amounts in each row's own currency: only meaningful within one currency. */
  readonly currencyBound?: boolean;
  /** Reads the USD columns: rows without an exchange rate are left out, and counted. */
  readonly usd?: boolean;
}

export interface FilterField {
  readonly id: string;
  readonly sql: string;
  readonly type: 'text' | 'number' | 'date' | 'bool';
  readonly joins?: readonly Join[];
  readonly party?: boolean;
}

export interface DatasetCatalogue {
  readonly table: string;
  readonly dateColumn: string;
  readonly dimensions: readonly Dimension[];
  readonly measures: readonly Measure[];
  /** Extra row-level fields usable in filters (dimensions are filterable too). */
  readonly fields: readonly FilterField[];
  /** Columns returned by drill-down, in order. */
  readonly lineColumns: readonly string[];
  readonly partyColumns: readonly string[];
  /** The count measure of rows a USD measure leaves out for want of a rate (added to results that need it). */
  readonly unconverted: string | null;
  /** Line columns holding amounts in the row's own currency: sorting lines by them needs one currency. */
  readonly currencyBoundColumns: readonly string[];
}

const unitPrice = 't.value / coalesce(nullif(t.quantity, 0), nullif(t.net_mass_kg, 0))';
/** Duty in USD at the line's rate, rounded per line to the money scale so the sum is exact. */
const dutyUsd = `TRY_CAST(t.duty_amount / t.fx_rate AS ${MONEY_SQL})`;

const trade: DatasetCatalogue = {
  table: 'trade_lines',
  dateColumn: 't.date',
  dimensions: [
    { id: 'origin', label: 'Country of origin', sql: 't.origin_country' },
    { id: 'departure', label: 'Country of departure', sql: 't.departure_country' },
    { id: 'destination', label: 'Country of destination', sql: 't.destination_country' },
    { id: 'partner', label: 'Partner country', sql: 't.partner_country' },
    { id: 'reporter', label: 'Reporting country', sql: 't.reporter' },
    { id: 'importer', label: 'Importer', sql: 't.importer_key', party: true },
    { id: 'importer_name', label: 'Importer name', sql: 't.importer_name', party: true },
    { id: 'exporter', label: 'Exporter', sql: 't.exporter_key', party: true },
    { id: 'exporter_name', label: 'Exporter name', sql: 't.exporter_name', party: true },
    { id: 'manufacturer', label: 'Manufacturer', sql: 't.manufacturer_name', party: true },
    { id: 'declarant', label: 'Declarant (broker)', sql: 't.declarant_id', party: true },
    { id: 'hs_section', label: 'HS section', sql: 'h.section', joins: ['hs'] },
    { id: 'hs_section_name', label: 'HS section name', sql: 'hx.name', joins: ['hs', 'hs_sections'] },
    { id: 'hs2', label: 'HS chapter', sql: 't.hs2' },
    { id: 'hs_chapter', label: 'HS chapter (code and description)', sql: "t.hs2 || ' ' || coalesce(h.description, '')", joins: ['hs'] },
    { id: 'hs4', label: 'HS heading', sql: 't.hs4' },
    { id: 'hs6', label: 'HS subheading', sql: 't.hs6' },
    { id: 'sector', label: 'Industry sector', sql: 's.sector', joins: ['sectors'] },
    { id: 'port', label: 'Port or office', sql: 't.port_code' },
    { id: 'field_office', label: 'Field office', sql: 'p.field_office', joins: ['ports'] },
    { id: 'nation', label: 'Nation', sql: 'coalesce(p.country, t.reporter)', joins: ['ports'] },
    { id: 'month', label: 'Month', period: 'month' },
    { id: 'quarter', label: 'Quarter', period: 'quarter' },
    { id: 'year', label: 'Year', period: 'year' },
    { id: 'flow', label: 'Flow', sql: 't.flow' },
    { id: 'mode', label: 'Transport mode', sql: 't.transport_mode' },
    { id: 'currency', label: 'Currency', sql: 't.currency' },
    { id: 'zero_value', label: 'Declared value 0', sql: 't.zero_value' },
    { id: 'provider', label: 'Provider', sql: 't.provider' },
    { id: 'batch', label: 'Batch', sql: 't.batch_id' },
  ],
  measures: [
    // First: the default measure, comparable across providers and currencies.
    { id: 'value_usd', label: 'Value (USD)', sql: 'sum(t.value_usd)::DOUBLE', unit: 'USD', additive: true, usd: true },
    { id: 'lines_without_usd', label: 'Lines without a USD rate', sql: 'count(*) FILTER (WHERE t.value_usd IS NULL)::INTEGER', unit: 'count', additive: true },
    { id: 'value', label: 'Value (declared currency)', sql: 'sum(t.value)::DOUBLE', unit: 'currency', additive: true, currencyBound: true },
    { id: 'quantity', label: 'Quantity', sql: 'sum(t.quantity)::DOUBLE', unit: 'quantity', additive: true },
    { id: 'net_mass', label: 'Net mass (kg)', sql: 'sum(t.net_mass_kg)::DOUBLE', unit: 'kg', additive: true },
    { id: 'lines', label: 'Lines', sql: 'count(*)::INTEGER', unit: 'count', additive: true },
    { id: 'declarations', label: 'Declarations', sql: 'count(DISTINCT t.declaration_id)::INTEGER', unit: 'count' },
    { id: 'importers', label: 'Distinct importers', sql: 'count(DISTINCT t.importer_key)::INTEGER', unit: 'count' },
    { id: 'exporters', label: 'Distinct exporters', sql: 'count(DISTINCT t.exporter_key)::INTEGER', unit: 'count' },
    {
      id: 'parties',
      label: 'Distinct parties',
      // Importer and exporter keys share one namespace per provider; a party on both sides counts once.
      sql: "(count(DISTINCT t.importer_key) + count(DISTINCT t.exporter_key) - count(DISTINCT CASE WHEN t.importer_key = t.exporter_key THEN t.importer_key END))::INTEGER",
      unit: 'count',
    },
    { id: 'median_unit_price_usd', label: 'Median unit price (USD)', sql: (d) => `${d.median('t.unit_price_usd')}::DOUBLE`, unit: 'USD per unit', usd: true },
    { id: 'median_unit_price', label: 'Median unit price (declared currency)', sql: (d) => `${d.median(unitPrice)}::DOUBLE`, unit: 'currency per unit', currencyBound: true },
    { id: 'duty_usd', label: 'Duty collected (USD)', sql: `sum(${dutyUsd})::DOUBLE`, unit: 'USD', additive: true, usd: true },
    { id: 'duty', label: 'Duty collected (declared currency)', sql: 'sum(t.duty_amount)::DOUBLE', unit: 'currency', additive: true, currencyBound: true },
    { id: 'zero_value_lines', label: 'Lines declared at value 0', sql: 'count(*) FILTER (WHERE t.zero_value)::INTEGER', unit: 'count', additive: true },
    { id: 'inspected', label: 'Inspected lines', sql: 'count(*) FILTER (WHERE t.inspected)::INTEGER', unit: 'count', additive: true },
    { id: 'fraud', label: 'Lines found fraudulent', sql: 'count(*) FILTER (WHERE t.fraud)::INTEGER', unit: 'count', additive: true },
  ],
  fields: [
    { id: 'value', sql: 't.value', type: 'number' },
    { id: 'value_usd', sql: 't.value_usd', type: 'number' },
    { id: 'unit_price_usd', sql: 't.unit_price_usd', type: 'number' },
    { id: 'fx_rate', sql: 't.fx_rate', type: 'number' },
    { id: 'quantity', sql: 't.quantity', type: 'number' },
    { id: 'net_mass_kg', sql: 't.net_mass_kg', type: 'number' },
    { id: 'quantity_unit', sql: 't.quantity_unit', type: 'text' },
    { id: 'unit_price', sql: unitPrice, type: 'number' },
    { id: 'duty_amount', sql: 't.duty_amount', type: 'number' },
    { id: 'tax_rate', sql: 't.tax_rate', type: 'number' },
    { id: 'date', sql: 't.date', type: 'date' },
    { id: 'hs_code', sql: 't.hs_code', type: 'text' },
    { id: 'declaration_id', sql: 't.declaration_id', type: 'text' },
    { id: 'line_no', sql: 't.line_no', type: 'number' },
    { id: 'invoice_ref', sql: 't.invoice_ref', type: 'text' },
    { id: 'inspected', sql: 't.inspected', type: 'bool' },
    { id: 'fraud', sql: 't.fraud', type: 'bool' },
    { id: 'seized', sql: 't.seized', type: 'bool' },
  ],
  lineColumns: [
    'row_id', 'batch_id', 'provider', 'line', 'declaration_id', 'line_no', 'flow', 'date', 'reporter', 'origin_country',
    'departure_country', 'destination_country', 'hs_code', 'description', 'importer_id', 'importer_name', 'exporter_id',
    'exporter_name', 'manufacturer_name', 'declarant_id', 'value', 'currency', 'value_usd', 'unit_price_usd', 'fx_rate',
    'zero_value', 'valuation_basis', 'quantity', 'quantity_unit', 'net_mass_kg', 'port_code', 'transport_mode',
    'invoice_ref', 'duty_amount', 'tax_rate', 'inspected', 'fraud', 'seized',
  ],
  partyColumns: ['importer_id', 'importer_name', 'exporter_id', 'exporter_name', 'manufacturer_name', 'declarant_id'],
  unconverted: 'lines_without_usd',
  currencyBoundColumns: ['value', 'duty_amount'],
};

const payments: DatasetCatalogue = {
  table: 'payments',
  dateColumn: 't.date',
  dimensions: [
    { id: 'payer', label: 'Payer', sql: 'coalesce(t.payer_id, upper(t.payer_name))', party: true },
    { id: 'payee', label: 'Payee', sql: 'coalesce(t.payee_id, upper(t.payee_name))', party: true },
    { id: 'payer_country', label: 'Payer country', sql: 't.payer_country' },
    { id: 'payee_country', label: 'Payee country', sql: 't.payee_country' },
    { id: 'payer_bank', label: 'Payer bank (BIC)', sql: 't.payer_bank_bic' },
    { id: 'payee_bank', label: 'Payee bank (BIC)', sql: 't.payee_bank_bic' },
    { id: 'instrument', label: 'Instrument', sql: 't.instrument' },
    { id: 'report_type', label: 'Report type', sql: 't.report_type' },
    { id: 'currency', label: 'Currency', sql: 't.currency' },
    { id: 'zero_amount', label: 'Amount 0', sql: 't.zero_amount' },
    { id: 'month', label: 'Month', period: 'month' },
    { id: 'quarter', label: 'Quarter', period: 'quarter' },
    { id: 'year', label: 'Year', period: 'year' },
    { id: 'provider', label: 'Provider', sql: 't.provider' },
    { id: 'batch', label: 'Batch', sql: 't.batch_id' },
  ],
  measures: [
    { id: 'amount_usd', label: 'Amount (USD)', sql: 'sum(t.amount_usd)::DOUBLE', unit: 'USD', additive: true, usd: true },
    { id: 'payments_without_usd', label: 'Payments without a USD rate', sql: 'count(*) FILTER (WHERE t.amount_usd IS NULL)::INTEGER', unit: 'count', additive: true },
    { id: 'amount', label: 'Amount (payment currency)', sql: 'sum(t.amount)::DOUBLE', unit: 'currency', additive: true, currencyBound: true },
    { id: 'payments', label: 'Payments', sql: 'count(*)::INTEGER', unit: 'count', additive: true },
    { id: 'payers', label: 'Distinct payers', sql: 'count(DISTINCT coalesce(t.payer_id, upper(t.payer_name)))::INTEGER', unit: 'count' },
    { id: 'payees', label: 'Distinct payees', sql: 'count(DISTINCT coalesce(t.payee_id, upper(t.payee_name)))::INTEGER', unit: 'count' },
    { id: 'median_amount_usd', label: 'Median amount (USD)', sql: (d) => `${d.median('t.amount_usd')}::DOUBLE`, unit: 'USD', usd: true },
    { id: 'median_amount', label: 'Median amount (payment currency)', sql: (d) => `${d.median('t.amount')}::DOUBLE`, unit: 'currency', currencyBound: true },
  ],
  fields: [
    { id: 'amount', sql: 't.amount', type: 'number' },
    { id: 'amount_usd', sql: 't.amount_usd', type: 'number' },
    { id: 'fx_rate', sql: 't.fx_rate', type: 'number' },
    { id: 'date', sql: 't.date', type: 'date' },
    { id: 'payment_id', sql: 't.payment_id', type: 'text' },
    { id: 'invoice_ref', sql: 't.invoice_ref', type: 'text' },
  ],
  lineColumns: [
    'row_id', 'batch_id', 'provider', 'line', 'payment_id', 'date', 'amount', 'currency', 'amount_usd', 'fx_rate',
    'zero_amount', 'payer_name', 'payer_id', 'payer_country', 'payer_bank_bic', 'payee_name', 'payee_id',
    'payee_country', 'payee_bank_bic', 'instrument', 'report_type', 'invoice_ref',
  ],
  partyColumns: ['payer_name', 'payer_id', 'payee_name', 'payee_id'],
  unconverted: 'payments_without_usd',
  currencyBoundColumns: ['amount'],
};

/** Trade dimensions whose columns enforcement_events shares (same names, same meaning). */
const SHARED_WITH_ENFORCEMENT = new Set([
  'origin', 'reporter', 'importer', 'importer_name', 'hs_section', 'hs_section_name', 'hs2', 'hs_chapter', 'hs4', 'hs6',
  'sector', 'port', 'field_office', 'month', 'quarter', 'year', 'currency', 'provider', 'batch',
]);

const enforcement: DatasetCatalogue = {
  table: 'enforcement_events',
  dateColumn: 't.date',
  dimensions: [
    ...trade.dimensions.filter((d) => SHARED_WITH_ENFORCEMENT.has(d.id)),
    // The reporter is optional on events; the provider that sent them stands in for the nation.
    { id: 'nation', label: 'Nation', sql: 'coalesce(p.country, t.reporter, t.provider)', joins: ['ports'] },
    { id: 'event_type', label: 'Event type', sql: 't.event_type' },
    { id: 'outcome', label: 'Outcome', sql: 't.outcome' },
  ],
  measures: [
    { id: 'events', label: 'Events', sql: 'count(*)::INTEGER', unit: 'count', additive: true },
    { id: 'value_usd', label: 'Value of goods (USD)', sql: 'sum(t.value_usd)::DOUBLE', unit: 'USD', additive: true, usd: true },
    { id: 'penalty_usd', label: 'Penalties (USD)', sql: 'sum(t.penalty_usd)::DOUBLE', unit: 'USD', additive: true, usd: true },
    {
      id: 'events_without_usd',
      label: 'Events with an amount but no USD rate',
      sql: 'count(*) FILTER (WHERE (t.value IS NOT NULL AND t.value_usd IS NULL) OR (t.penalty_amount IS NOT NULL AND t.penalty_usd IS NULL))::INTEGER',
      unit: 'count',
      additive: true,
    },
    { id: 'value', label: 'Value of goods (declared currency)', sql: 'sum(t.value)::DOUBLE', unit: 'currency', additive: true, currencyBound: true },
    { id: 'penalty_amount', label: 'Penalties (declared currency)', sql: 'sum(t.penalty_amount)::DOUBLE', unit: 'currency', additive: true, currencyBound: true },
  ],
  fields: [
    { id: 'value', sql: 't.value', type: 'number' },
    { id: 'value_usd', sql: 't.value_usd', type: 'number' },
    { id: 'penalty_amount', sql: 't.penalty_amount', type: 'number' },
    { id: 'penalty_usd', sql: 't.penalty_usd', type: 'number' },
    { id: 'date', sql: 't.date', type: 'date' },
    { id: 'hs_code', sql: 't.hs_code', type: 'text' },
    { id: 'declaration_id', sql: 't.declaration_id', type: 'text' },
    { id: 'event_id', sql: 't.event_id', type: 'text' },
  ],
  lineColumns: [
    'row_id', 'batch_id', 'provider', 'line', 'event_id', 'event_type', 'date', 'reporter', 'declaration_id', 'line_no',
    'port_code', 'hs_code', 'origin_country', 'importer_id', 'importer_name', 'value', 'penalty_amount', 'currency',
    'value_usd', 'penalty_usd', 'fx_rate', 'outcome',
  ],
  partyColumns: ['importer_id', 'importer_name'],
  unconverted: 'events_without_usd',
  currencyBoundColumns: ['value', 'penalty_amount'],
};

export const CATALOGUES: Readonly<Record<ExploreDataset, DatasetCatalogue>> = { trade, payments, enforcement };
