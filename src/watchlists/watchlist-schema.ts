/**
 * DDL for watch lists in the analytical store; run at open next to the other DDL, idempotently.
 *
 * Invariants:
 * - A list version is immutable: rows are only ever inserted, with their version, in one transaction with
 *   the version row; a new publication is a new version, so history and diffs stay possible.
 * - `provider` is the list id: it is the column the scope plugin filters on, so a scope can grant some
 *   lists and not others, like providers of trade data.
 * - Nested facts are typed LIST/STRUCT columns (not JSON text), so SQL can compare, unnest and search them.
 * - `names` holds the normalised upper-case name and aliases: the one column later screening matches on.
 */

export const ALIAS_TYPE = 'STRUCT(name VARCHAR, kind VARCHAR, weak BOOLEAN)[]';
export const IDENTIFIER_TYPE = 'STRUCT(type VARCHAR, value VARCHAR, country VARCHAR, currency VARCHAR)[]';
export const ADDRESS_TYPE = 'STRUCT(address VARCHAR, city VARCHAR, country VARCHAR)[]';

/** Entry columns filled from the parsed entries, in table order, with their DuckDB types. */
export const ENTRY_COLUMNS: readonly (readonly [string, string])[] = [
  ['entry_id', 'VARCHAR'],
  ['entry_type', 'VARCHAR'],
  ['name', 'VARCHAR'],
  ['aliases', ALIAS_TYPE],
  ['countries', 'VARCHAR[]'],
  ['dates_of_birth', 'VARCHAR[]'],
  ['identifiers', IDENTIFIER_TYPE],
  ['programs', 'VARCHAR[]'],
  ['addresses', ADDRESS_TYPE],
  ['remarks', 'VARCHAR'],
  ['names', 'VARCHAR[]'],
  ['source_file', 'VARCHAR'],
  ['source_line', 'BIGINT'],
  ['seq', 'INTEGER'],
];

export const WATCHLIST_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS watchlist_versions (
     version_id VARCHAR PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, list_id VARCHAR NOT NULL, provider VARCHAR NOT NULL,
     publisher VARCHAR, publish_date DATE, format VARCHAR NOT NULL, record_count BIGINT NOT NULL,
     sha256 VARCHAR NOT NULL, files JSON NOT NULL, fields VARCHAR[] NOT NULL, notes VARCHAR[] NOT NULL,
     loaded_by VARCHAR, loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`,
  `CREATE TABLE IF NOT EXISTS watchlist_entries (
     version_id VARCHAR NOT NULL, list_id VARCHAR NOT NULL, provider VARCHAR NOT NULL,
     ${ENTRY_COLUMNS.map(([n, t]) => `${n} ${t}${n === 'entry_id' || n === 'entry_type' || n === 'name' ? ' NOT NULL' : ''}`).join(', ')},
     PRIMARY KEY (version_id, entry_id))`,
];
