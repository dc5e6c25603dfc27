export { openAnalyticalStore, StoreInUseError, StoreConfigError, type AnalyticalStore, type StoreOptions } from './analytical-store.ts';
export { duckdbDialect, type AnalyticalDialect, type PeriodGrain, type CsvReadOptions } from './analytical-dialect.ts';
export { quoteIdent, quoteString, numberLiteral } from './duckdb-literal.ts';
export { createTableSql, insertColumns, DERIVED_COLUMNS, sqlType } from './analytical-schema.ts';
