export { openAnalyticalStore, StoreInUseError, StoreConfigError, type AnalyticalStore, type StoreOptions } from './analytical-store.ts';
export { duckdbDialect, type AnalyticalDialect, type PeriodGrain, type CsvReadOptions } from './analytical-dialect.ts';
export { quoteIdent, quoteString, numberLiteral } from './duckdb-literal.ts';
export { createTableSql, insertColumns, DERIVED_COLUMNS, sqlType } from './analytical-schema.ts';
export { MONEY_SQL, MONEY_SCALE, MONEY_PRECISION, MONEY_MAX_SQL, MONEY_PARSE_SQL, toMoney } from './money.ts';
export { upgradeLayout, LAYOUT_VERSION, LayoutUpgradeError, type LayoutUpgrade } from './analytical-migrations.ts';
