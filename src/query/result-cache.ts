/**
 * A cache of read results (explore and measures), keyed by the caller's scope, the request and the store's
 * data version.
 *
 * Invariants:
 * - The scope's grants are part of the key, so a result computed for one scope is never served to another
 *   (two users with the same grants see the same data, and may share it).
 * - The store's data version is part of the key, so a result is never served after a write; entries also
 *   expire after a few minutes as a second line.
 * - Concurrent identical requests share one computation (dashboards open the same tiles at 9 a.m.).
 * - Results are shared objects: callers serialise them and never mutate them.
 * - Only results go here; auditing and download charging happen per request, outside the cache.
 */
import type { AnalyticalStore } from '../store/index.ts';
import type { Scope } from './scope.ts';

export interface ResultCache {
  get<T>(scope: Scope, what: string, spec: unknown, compute: () => Promise<T>): Promise<T>;
  readonly stats: { hits: number; misses: number };
}

export function resultCache(store: AnalyticalStore, o: { maxEntries?: number; ttlMs?: number } = {}): ResultCache {
  const max = o.maxEntries ?? 500;
  const ttl = o.ttlMs ?? 300_000;
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  const stats = { hits: 0, misses: 0 };
  return {
    stats,
    get<T>(scope: Scope, what: string, spec: unknown, compute: () => Promise<T>): Promise<T> {
      const key = JSON.stringify([store.version(), what, scope.grants, spec]);
      const now = Date.now();
      const e = entries.get(key);
      if (e && now - e.at < ttl) {
        stats.hits++;
        // Refresh its place in the LRU order.
        entries.delete(key);
        entries.set(key, e);
        return e.value as Promise<T>;
      }
      stats.misses++;
      const value = compute();
      entries.set(key, { at: now, value });
      // A failed computation is not kept: the next request tries again.
      value.catch(() => entries.delete(key));
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}
