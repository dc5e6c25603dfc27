// Writing the data set. Each file is one COPY of a query ORDER BY its natural key, so DuckDB streams rows
// straight to disk (10 million lines never pass through JavaScript) and the byte order of every file is
// fixed by the data, not by thread scheduling. Headers are the exact column lists of the spec.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DETECTOR_IDS } from './anomaly-plan.ts';
import { bicSql, declarationIdSql, invoiceRefSql, paymentIdSql } from './identifiers.ts';
import { sqlString, sqlValues } from './sql-literal.ts';
import { WATCHLIST_ID, WATCH_ENTRIES } from './watchlist.ts';

export const DECLARATION_COLUMNS = [
  'declaration_id', 'line_no', 'flow', 'date', 'reporter', 'origin_country', 'departure_country',
  'destination_country', 'hs_code', 'description', 'importer_id', 'importer_name', 'exporter_id',
  'exporter_name', 'manufacturer_name', 'declarant_id', 'value', 'currency', 'valuation_basis', 'quantity',
  'quantity_unit', 'net_mass_kg', 'port_code', 'transport_mode', 'invoice_ref', 'duty_amount', 'tax_rate',
  'inspected', 'fraud', 'seized',
] as const;
export const PAYMENT_COLUMNS = [
  'payment_id', 'date', 'amount', 'currency', 'payer_name', 'payer_id', 'payer_country', 'payer_bank_bic',
  'payee_name', 'payee_id', 'payee_country', 'payee_bank_bic', 'instrument', 'report_type', 'invoice_ref',
] as const;
export const MIRROR_COLUMNS = [
  'reporter', 'partner', 'flow', 'period', 'hs', 'value', 'valuation_basis', 'quantity', 'quantity_unit',
] as const;
export const LABEL_COLUMNS = [
  'subject_kind', 'declaration_id', 'line_no', 'payment_id', 'party_id', 'reporter', 'partner', 'hs', 'period',
  'anomaly', 'detail',
] as const;
export const WATCHLIST_COLUMNS = [
  'list_id', 'entry_id', 'type', 'name', 'aliases', 'country', 'identifiers', 'program',
] as const;

/** Inspection outcomes: anomalous lines are inspected ten times as often and are mostly found in fraud. */
const INSPECT = { clean: 0.028, anomalous: 0.3 };
const FRAUD = { clean: 0.03, anomalous: 0.65 };
const SEIZE = 0.25;

async function copy(conn: DuckDBConnection, query: string, file: string): Promise<void> {
  await conn.run(`COPY (${query}) TO ${sqlString(file)} (FORMAT CSV, HEADER, DELIMITER ',')`);
}

export async function writeDeclarations(conn: DuckDBConnection, file: string): Promise<void> {
  const declarationId = declarationIdSql('b.d', 'br.filer');
  const inspected = `(uni(b.i, 'inspect') < CASE WHEN b.anom THEN ${INSPECT.anomalous} ELSE ${INSPECT.clean} END)`;
  const fraud = `(${inspected} AND uni(b.i, 'fraud') < CASE WHEN b.anom THEN ${FRAUD.anomalous} ELSE ${FRAUD.clean} END)`;
  await copy(
    conn,
    `SELECT ${declarationId} AS declaration_id, b.line_no, b.flow, b.date, 'US' AS reporter,
       b.origin AS origin_country, b.departure AS departure_country, b.destination AS destination_country,
       h.code AS hs_code, h.descr AS description,
       pi.id AS importer_id, pi.name AS importer_name, pe.id AS exporter_id, pe.name AS exporter_name,
       CASE WHEN uni(b.d, 'manufacturer') < CASE WHEN b.flow = 'import' THEN 0.7 ELSE 0.5 END THEN pe.name END AS manufacturer_name,
       br.id AS declarant_id, b.value, 'USD' AS currency,
       CASE WHEN b.flow = 'import' THEN 'CIF' ELSE 'FOB' END AS valuation_basis,
       CASE WHEN h.unit IN ('NO', 'L') THEN b.qty::BIGINT::VARCHAR ELSE b.qty::DECIMAL(18,2)::VARCHAR END AS quantity,
       h.unit AS quantity_unit, b.mass AS net_mass_kg, b.port AS port_code, b.mode AS transport_mode,
       ${invoiceRefSql(declarationId)} AS invoice_ref,
       -- The US levies no export duties: revenue fields are empty on export lines.
       CASE WHEN b.flow = 'import' THEN round(b.value * h.tax_rate / 100, 2)::DECIMAL(18,2) END AS duty_amount,
       CASE WHEN b.flow = 'import' THEN h.tax_rate END AS tax_rate,
       ${inspected} AS inspected, ${fraud} AS fraud, ${fraud} AND uni(b.i, 'seize') < ${SEIZE} AS seized
     FROM base b
     JOIN hs h ON h.hs_idx = b.hs_idx
     JOIN parties pi ON pi.pk = b.imp_pk
     JOIN parties pe ON pe.pk = b.exp_pk
     JOIN brokers br ON br.b = b.broker
     ORDER BY b.i`,
    file,
  );
}

export async function writePayments(conn: DuckDBConnection, file: string): Promise<void> {
  await copy(
    conn,
    `SELECT ${paymentIdSql('p.pn')} AS payment_id, p.pay_date AS date, p.amount, 'USD' AS currency,
       pi.name AS payer_name, pi.id AS payer_id, p.payer_country,
       CASE WHEN p.payer_has_bank THEN ${bicSql('pi.bic_bank', 'p.payer_country', 'pi.bic_loc', 'pi.bic_branch')} END AS payer_bank_bic,
       pe.name AS payee_name, pe.id AS payee_id, p.payee_country,
       ${bicSql('pe.bic_bank', 'p.payee_country', 'pe.bic_loc', 'pe.bic_branch')} AS payee_bank_bic,
       p.instrument, p.report_type, ${invoiceRefSql(declarationIdSql('p.d', 'br.filer'))} AS invoice_ref
     FROM payments p
     JOIN parties pi ON pi.pk = p.imp_pk
     JOIN parties pe ON pe.pk = p.exp_pk
     JOIN decl dc ON dc.d = p.d
     JOIN brokers br ON br.b = dc.broker
     ORDER BY p.pn`,
    file,
  );
}

export async function writeMirror(conn: DuckDBConnection, file: string): Promise<void> {
  await copy(
    conn,
    `SELECT reporter, partner, flow, period, hs, value, valuation_basis, quantity, quantity_unit FROM (
       SELECT 'US' AS reporter, m.partner, m.us_flow AS flow, m.period, m.hs4 AS hs, m.v AS value,
         CASE WHEN m.us_flow = 'import' THEN 'CIF' ELSE 'FOB' END AS valuation_basis, m.q AS quantity,
         'KG' AS quantity_unit, m.partner AS pair, m.us_flow AS pair_flow, 0 AS side
       FROM mirror_cells m
       UNION ALL
       SELECT m.partner, 'US', CASE WHEN m.us_flow = 'import' THEN 'export' ELSE 'import' END, m.period, m.hs4, mp.pv,
         CASE WHEN m.us_flow = 'import' THEN 'FOB' ELSE 'CIF' END, mp.pq, 'KG', m.partner, m.us_flow, 1
       FROM mirror_cells m JOIN mirror_partner mp USING (cell)
     ) ORDER BY period, pair, hs, pair_flow, side`,
    file,
  );
}

export async function writeLabels(conn: DuckDBConnection, file: string): Promise<void> {
  const order = DETECTOR_IDS.map((id, i) => [id, i] as const);
  await copy(
    conn,
    `SELECT l.subject_kind, CASE WHEN l.d IS NOT NULL THEN ${declarationIdSql('l.d', 'br.filer')} END AS declaration_id,
       l.line_no, CASE WHEN l.pay_pn IS NOT NULL THEN ${paymentIdSql('l.pay_pn')} END AS payment_id,
       p.id AS party_id, 'US' AS reporter, l.partner, l.hs, l.period, l.anomaly, l.detail
     FROM labels l
     JOIN (VALUES ${sqlValues(order)}) o(anomaly, ord) ON o.anomaly = l.anomaly
     LEFT JOIN decl dc ON dc.d = l.d
     LEFT JOIN brokers br ON br.b = dc.broker
     LEFT JOIN parties p ON p.pk = l.party_pk
     ORDER BY o.ord, l.i NULLS LAST, l.pay_pn NULLS LAST, p.id NULLS LAST, l.period NULLS LAST, l.partner NULLS LAST,
              l.hs NULLS LAST, l.detail`,
    file,
  );
}

export async function writeWatchlist(conn: DuckDBConnection, file: string): Promise<void> {
  const rows = WATCH_ENTRIES.map((e) => [
    WATCHLIST_ID, e.entryId, e.type, e.name, e.aliases.join(';'), e.country, e.identifiers, e.program,
  ]);
  await copy(
    conn,
    `SELECT * REPLACE (nullif(aliases, '') AS aliases) FROM (VALUES ${sqlValues(rows)}) t(${WATCHLIST_COLUMNS.join(', ')})
     ORDER BY entry_id`,
    file,
  );
}
