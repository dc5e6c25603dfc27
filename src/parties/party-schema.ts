/**
 * DDL for resolved parties and the party graph in the analytical store; run at open, idempotently.
 *
 * Invariants:
 * - Derived, not source data: every table here is rebuilt by a resolution run from the loaded rows, so it
 *   may be replaced wholesale; loaded rows are never touched.
 * - Split by dataset category so the scope layer governs them like the rows they come from: members and
 *   edges derived from trade lines are 'trade' tables, those derived from payments are 'financial' tables.
 *   A principal without the financial category therefore never sees a payment party or a payment edge.
 * - Every table carries the `provider` of the rows it was derived from (the column the scope plugin
 *   filters on); an edge is aggregated per provider for the same reason.
 * - Money totals are in US dollars (`value_usd`, the sum of the rows' value_usd / amount_usd) with the number
 *   of rows left out for want of a rate (`lines_without_usd`): a party trading in several currencies never
 *   gets a sum of different currencies. Columns are named in every insert and read (an upgraded store keeps
 *   them in another order, store/analytical-migrations.ts).
 * - A member is one party reference as the source writes it: (provider, ref) where ref is the same
 *   `coalesce(id, upper(name))` the trade tables derive at ingest, so joins back to lines are equality joins.
 */

import { MONEY_SQL } from '../store/money.ts';

const MEMBER_COLUMNS = `provider VARCHAR NOT NULL, ref VARCHAR NOT NULL, party_id VARCHAR NOT NULL,
  has_id BOOLEAN NOT NULL, name VARCHAR, names VARCHAR[] NOT NULL, country VARCHAR, name_key VARCHAR,
  lines BIGINT NOT NULL, value_usd ${MONEY_SQL}, lines_without_usd BIGINT, link VARCHAR NOT NULL, confidence DOUBLE NOT NULL,
  evidence VARCHAR[] NOT NULL, resolution_id VARCHAR NOT NULL, PRIMARY KEY (provider, ref)`;

const EDGE_COLUMNS = `provider VARCHAR NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL, lines BIGINT NOT NULL,
  value_usd ${MONEY_SQL}, lines_without_usd BIGINT, first_date DATE, last_date DATE, resolution_id VARCHAR NOT NULL`;

export const PARTY_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS party_members (${MEMBER_COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS party_payment_members (${MEMBER_COLUMNS})`,
  // src = exporter party, dst = importer party (goods flow).
  `CREATE TABLE IF NOT EXISTS party_edges (${EDGE_COLUMNS})`,
  // src = payer party, dst = payee party (money flow).
  `CREATE TABLE IF NOT EXISTS party_payment_edges (${EDGE_COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS party_resolutions (resolution_id VARCHAR PRIMARY KEY, seq INTEGER NOT NULL,
     started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, principal VARCHAR NOT NULL, records BIGINT NOT NULL,
     parties BIGINT NOT NULL, iterations INTEGER NOT NULL, overrides INTEGER NOT NULL)`,
];
