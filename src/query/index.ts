export { scopedDb, type ScopedDb } from './scoped-db.ts';
export { scopePlugin } from './scope-plugin.ts';
export { grantFor, localOperatorScope, ScopeDeniedError, type Scope, type CategoryGrant, type AccessLevel } from './scope.ts';
export { SCOPED_TABLES, REFERENCE_TABLES } from './scoped-tables.ts';
export { resultCache, approximateBytes, type ResultCache, type ResultCacheOptions } from './result-cache.ts';
export { spilledResults, type SpilledResults, type SpilledResultsOptions } from './spilled-results.ts';
