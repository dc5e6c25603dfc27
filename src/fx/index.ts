export { FX_COLUMNS, FX_DATASETS, FX_RATES_VIEW, UNCONVERTED, fxJoinSql, type FxColumn } from './fx-columns.ts';
export { FX_DDL, SHIPPED_FX_SOURCE } from './fx-schema.ts';
export { convertAll, convertStale, fxGeneration, recordBatchFx, type ConversionResult } from './convert.ts';
export { seedShippedRates, loadFxTable, ratesAtOpen, fxSources, SHIPPED_FX_NAME, type FxSource, type FxLoadResult } from './rate-tables.ts';
export { withFxProvenance, type BatchFx } from './batch-provenance.ts';
