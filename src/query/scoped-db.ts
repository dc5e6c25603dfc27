/**
 * The scoped query layer's entry point: the only way application code gets a handle to read loaded rows.
 */
import type { Kysely } from 'kysely';
import type { AnalyticalStore } from '../store/index.ts';
import type { Scope } from './scope.ts';
import { scopePlugin } from './scope-plugin.ts';

export interface ScopedDb {
  readonly scope: Scope;
  readonly db: Kysely<any>;
  readonly dialect: AnalyticalStore['dialect'];
  /** The store's cell-key secret, for consistent perturbation of aggregate-only results (src/disclosure). */
  readonly cellKeySecret: bigint | null;
}

export function scopedDb(store: AnalyticalStore, scope: Scope): ScopedDb {
  return { scope, db: store.db.withPlugin(scopePlugin(scope)), dialect: store.dialect, cellKeySecret: store.cellKeySecret };
}
