/**
 * The canonical datasets every batch is mapped into (formats.md).
 *
 * Invariants:
 * - Pure and IO-free: this module only describes fields; DDL, validation SQL and profile checks are
 *   derived from it elsewhere, so adding a field is one edit here.
 * - Field names are the public contract of profiles, the explore API and the generator's CSV header;
 *   they are snake_case identifiers matching /^[a-z][a-z0-9_]*$/ so they never need quoting.
 * - `required` means a row without it is quarantined, never stored with a default.
 * - Money (values, duty, amounts, penalties) is its own type, `money`: an exact decimal in storage
 *   (store/money.ts), never a binary float, so sums are exact to the cent. Quantities, masses and rates
 *   are measurements, not money, and stay `decimal` (binary floating point).
 * - A money amount of 0 is data (goods shipped free of charge, samples, warranty replacements: a red flag
 *   in itself), so money fields are >= 0 and zero rows are flagged by a derived column, not rejected.
 */

export type FieldType = 'text' | 'int' | 'decimal' | 'money' | 'date' | 'bool' | 'country' | 'currency';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly required?: boolean;
  /** Allowed values (case-insensitive on input, stored lower-case). */
  readonly oneOf?: readonly string[];
  /** Inclusive lower bound for numbers; `exclusiveMin` when zero itself is invalid. */
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  /** Text shape checked after trimming. */
  readonly pattern?: string;
  readonly doc: string;
}

export type DatasetCategory = 'trade' | 'financial' | 'watchlist' | 'reference' | 'enforcement';
export const DATASET_CATEGORIES: readonly DatasetCategory[] = ['trade', 'financial', 'watchlist', 'reference', 'enforcement'];

export type DatasetId = 'trade_lines' | 'payments' | 'mirror_stats' | 'enforcement_events';

export interface DatasetSpec {
  readonly id: DatasetId;
  readonly category: DatasetCategory;
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
  /** Fields that identify a row within a provider; a later batch with the same key supersedes it. */
  readonly key: readonly string[] | null;
}

export const TRANSPORT_MODES = ['sea', 'air', 'road', 'rail', 'post', 'pipeline', 'other'] as const;
export const FLOWS = ['import', 'export'] as const;

const tradeLineFields: readonly FieldSpec[] = [
  { name: 'declaration_id', type: 'text', required: true, doc: 'with line_no, unique within a provider' },
  { name: 'line_no', type: 'int', min: 1, doc: 'goods line within the declaration; default 1' },
  { name: 'flow', type: 'text', required: true, oneOf: FLOWS, doc: 'import or export' },
  { name: 'date', type: 'date', required: true, doc: 'acceptance or release date' },
  { name: 'reporter', type: 'country', doc: 'customs administration; defaults to the batch provider' },
  { name: 'origin_country', type: 'country', doc: 'country of origin of the goods' },
  { name: 'departure_country', type: 'country', doc: 'country of export / dispatch (imports)' },
  { name: 'destination_country', type: 'country', doc: 'country of destination (exports)' },
  { name: 'hs_code', type: 'text', required: true, pattern: '^[0-9]{6,10}$', doc: 'HS code, 6 to 10 digits' },
  { name: 'description', type: 'text', doc: 'goods description' },
  { name: 'importer_id', type: 'text', doc: "provider's importer identifier" },
  { name: 'importer_name', type: 'text', doc: 'importer name' },
  { name: 'exporter_id', type: 'text', doc: "provider's exporter (seller, consignor) identifier" },
  { name: 'exporter_name', type: 'text', doc: 'exporter name' },
  { name: 'manufacturer_name', type: 'text', doc: 'manufacturer name' },
  { name: 'declarant_id', type: 'text', doc: 'broker' },
  { name: 'value', type: 'money', required: true, min: 0, doc: 'customs value, >= 0 (0 is flagged as zero_value)' },
  { name: 'currency', type: 'currency', doc: 'ISO 4217; default USD' },
  { name: 'valuation_basis', type: 'text', oneOf: ['cif', 'fob'], doc: 'default CIF for imports, FOB for exports' },
  { name: 'quantity', type: 'decimal', min: 0, doc: 'statistical quantity' },
  { name: 'quantity_unit', type: 'text', doc: 'unit of the statistical quantity (NO, KG, M2, L ...)' },
  { name: 'net_mass_kg', type: 'decimal', min: 0, doc: 'net mass in kilograms' },
  { name: 'port_code', type: 'text', doc: 'port or customs office; ports reference maps it to field office and nation' },
  { name: 'transport_mode', type: 'text', oneOf: TRANSPORT_MODES, doc: 'sea, air, road, rail, post, pipeline, other' },
  { name: 'invoice_ref', type: 'text', doc: 'links payments to declarations' },
  { name: 'duty_amount', type: 'money', min: 0, doc: 'duty collected, in the line currency' },
  { name: 'tax_rate', type: 'decimal', min: 0, doc: 'duty or tax rate, percent' },
  { name: 'inspected', type: 'bool', doc: 'line was physically inspected' },
  { name: 'fraud', type: 'bool', doc: 'inspection found fraud' },
  { name: 'seized', type: 'bool', doc: 'goods were seized' },
];

const paymentFields: readonly FieldSpec[] = [
  { name: 'payment_id', type: 'text', doc: "provider's payment identifier" },
  { name: 'date', type: 'date', required: true, doc: 'value date' },
  { name: 'amount', type: 'money', required: true, min: 0, doc: 'amount, >= 0 (0 is flagged as zero_amount)' },
  { name: 'currency', type: 'currency', doc: 'ISO 4217; default USD' },
  { name: 'payer_name', type: 'text', doc: 'payer (ordering customer)' },
  { name: 'payer_id', type: 'text', doc: 'payer identifier' },
  { name: 'payer_country', type: 'country', doc: 'payer country' },
  { name: 'payer_bank_bic', type: 'text', pattern: '^[A-Z0-9]{8}([A-Z0-9]{3})?$', doc: 'payer bank BIC' },
  { name: 'payee_name', type: 'text', doc: 'payee (beneficiary)' },
  { name: 'payee_id', type: 'text', doc: 'payee identifier' },
  { name: 'payee_country', type: 'country', doc: 'payee country' },
  { name: 'payee_bank_bic', type: 'text', pattern: '^[A-Z0-9]{8}([A-Z0-9]{3})?$', doc: 'payee bank BIC' },
  { name: 'instrument', type: 'text', oneOf: ['wire', 'cash', 'cheque', 'other'], doc: 'wire, cash, cheque, other' },
  {
    name: 'report_type',
    type: 'text',
    oneOf: ['wire', 'cash-transaction', 'suspicious-activity', 'currency-crossing', 'foreign-account'],
    doc: 'kind of financial report',
  },
  { name: 'invoice_ref', type: 'text', doc: 'links the payment to declarations' },
];

const mirrorFields: readonly FieldSpec[] = [
  { name: 'reporter', type: 'text', required: true, doc: 'reporting country (ISO alpha-2, or the source code when unmapped)' },
  { name: 'partner', type: 'text', required: true, doc: 'partner country' },
  { name: 'flow', type: 'text', required: true, oneOf: FLOWS, doc: 'import or export, as the reporter sees it' },
  { name: 'period', type: 'text', required: true, pattern: '^[0-9]{4}(-[0-9]{2})?$', doc: 'YYYY or YYYY-MM' },
  { name: 'hs', type: 'text', required: true, pattern: '^([0-9]{2,10}|TOTAL)$', doc: 'HS code at any level, or TOTAL' },
  { name: 'value', type: 'money', required: true, min: 0, doc: 'value in USD' },
  { name: 'valuation_basis', type: 'text', oneOf: ['cif', 'fob'], doc: 'CIF (imports) or FOB (exports)' },
  { name: 'quantity', type: 'decimal', min: 0, doc: 'quantity' },
  { name: 'quantity_unit', type: 'text', doc: 'unit of quantity' },
];

/**
 * Enforcement events (optional, category enforcement): examinations, seizures and penalties, so enforcement
 * measures have a source beyond the trade lines' own inspection flags. Column names match trade_lines where
 * the meaning is the same (port_code, hs_code, origin_country, importer_*) so the same dimensions apply.
 */
const enforcementFields: readonly FieldSpec[] = [
  { name: 'event_id', type: 'text', required: true, doc: "provider's event identifier, unique within a provider" },
  { name: 'event_type', type: 'text', required: true, oneOf: ['examination', 'seizure', 'penalty'], doc: 'examination, seizure or penalty' },
  { name: 'date', type: 'date', required: true, doc: 'date of the event' },
  { name: 'reporter', type: 'country', doc: 'customs administration that acted' },
  { name: 'declaration_id', type: 'text', doc: 'declaration the event concerns, when known' },
  { name: 'line_no', type: 'int', min: 1, doc: 'goods line of that declaration' },
  { name: 'port_code', type: 'text', doc: 'port or customs office' },
  { name: 'hs_code', type: 'text', pattern: '^[0-9]{2,10}$', doc: 'HS code of the goods, 2 to 10 digits' },
  { name: 'origin_country', type: 'country', doc: 'country of origin of the goods' },
  { name: 'importer_id', type: 'text', doc: "provider's importer identifier" },
  { name: 'importer_name', type: 'text', doc: 'importer name' },
  { name: 'value', type: 'money', min: 0, doc: 'value of the goods examined or seized' },
  { name: 'penalty_amount', type: 'money', min: 0, doc: 'penalty imposed' },
  { name: 'currency', type: 'currency', doc: 'ISO 4217 of value and penalty' },
  { name: 'outcome', type: 'text', doc: 'result as recorded (e.g. no finding, discrepancy, referred)' },
];

export const DATASETS: Readonly<Record<DatasetId, DatasetSpec>> = {
  trade_lines: {
    id: 'trade_lines',
    category: 'trade',
    doc: 'one row per goods line of a customs declaration',
    fields: tradeLineFields,
    key: ['declaration_id', 'line_no'],
  },
  payments: {
    id: 'payments',
    category: 'financial',
    doc: 'wire transfers, cash and currency reports',
    fields: paymentFields,
    key: ['payment_id'],
  },
  mirror_stats: {
    id: 'mirror_stats',
    category: 'trade',
    doc: 'country-pair flows as reported by each side',
    fields: mirrorFields,
    key: null,
  },
  enforcement_events: {
    id: 'enforcement_events',
    category: 'enforcement',
    doc: 'examinations, seizures and penalties (optional)',
    fields: enforcementFields,
    key: ['event_id'],
  },
};

export function datasetSpec(id: DatasetId): DatasetSpec {
  return DATASETS[id];
}

export function fieldOf(dataset: DatasetSpec, name: string): FieldSpec | undefined {
  return dataset.fields.find((f) => f.name === name);
}
