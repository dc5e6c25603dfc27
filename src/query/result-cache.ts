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
 * - Memory is bounded twice: by the number of entries, and by the bytes of the entries whose caller says
 *   how big they are (materialised explore results hold up to a few hundred thousand rows). Least recently
 *   used entries go first; an entry bigger than the whole budget is served once and not kept.
 * - Results are shared objects: callers serialise them and never mutate them.
 * - Only results go here; auditing and download charging happen per request, outside the cache.
 */
import type { AnalyticalStore } from '../store/index.ts';
import type { Scope } from './scope.ts';
import { spilledResults, type SpilledResultsOptions, type SpilledResults } from './spilled-results.ts';

export interface ResultCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  /** Budget for the entries that report their size (default 256 MiB). */
  maxBytes?: number;
  /** Budget of the results kept in the engine instead (spilled-results.ts). */
  large?: SpilledResultsOptions;
}

export interface ResultCache {
  /** `bytes` sizes the value once computed (see approximateBytes); unsized values count as zero bytes. */
  get<T>(scope: Scope, what: string, spec: unknown, compute: () => Promise<T>, o?: { bytes?: (v: T) => number }): Promise<T>;
  readonly stats: { hits: number; misses: number };
  /** Entries and sized bytes held now. */
  usage(): { entries: number; bytes: number };
  /** The most one sized entry should hold, so a few large results fit side by side: a quarter of the budget. */
  readonly maxEntryBytes: number;
  /** Results larger than an entry may hold, kept in the engine under the same key (spilled-results.ts). */
  readonly large: SpilledResults;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
  bytes: number;
}

export function resultCache(store: AnalyticalStore, o: ResultCacheOptions = {}): ResultCache {
  const max = o.maxEntries ?? 500;
  const ttl = o.ttlMs ?? 300_000;
  const maxBytes = o.maxBytes ?? 256 * 1024 * 1024;
  const entries = new Map<string, Entry>();
  const stats = { hits: 0, misses: 0 };
  let bytes = 0;
  const drop = (key: string, e: Entry) => {
    if (entries.get(key) !== e) return;
    entries.delete(key);
    bytes -= e.bytes;
  };
  const evict = () => {
    // Map iteration order is insertion order, refreshed on each hit: the first key is the least recently used.
    while (entries.size > max || bytes > maxBytes) {
      const [k, e] = entries.entries().next().value!;
      drop(k, e);
    }
  };
  return {
    stats,
    maxEntryBytes: Math.floor(maxBytes / 4),
    large: spilledResults(store, { ttlMs: ttl, ...o.large }),
    usage: () => ({ entries: entries.size, bytes }),
    get<T>(scope: Scope, what: string, spec: unknown, compute: () => Promise<T>, opts: { bytes?: (v: T) => number } = {}): Promise<T> {
      const key = JSON.stringify([store.version(), what, scope.grants, spec]);
      const now = Date.now();
      const e = entries.get(key);
      if (e && now - e.at < ttl) {
        stats.hits++;
        entries.delete(key);
        entries.set(key, e);
        return e.value as Promise<T>;
      }
      if (e) drop(key, e);
      stats.misses++;
      const value = compute();
      const entry: Entry = { at: now, value, bytes: 0 };
      entries.set(key, entry);
      value.then(
        (v) => {
          if (!opts.bytes || entries.get(key) !== entry) return;
          entry.bytes = opts.bytes(v);
          bytes += entry.bytes;
          evict();
        },
        // A failed computation is not kept: the next request tries again.
        () => drop(key, entry),
      );
      evict();
      return value;
    },
  };
}

/**
 * A rough size in bytes of rows of scalars as V8 holds them (object header and slots, numbers boxed,
 * strings two bytes a character at worst); good enough to keep a cache within a budget.
 */
export function approximateBytes(rows: readonly Record<string, unknown>[]): number {
  let n = 0;
  for (const r of rows) {
    n += 64;
    for (const k in r) {
      const v = r[k];
      n += 16 + (typeof v === 'string' ? 24 + 2 * v.length : 0);
    }
  }
  return n;
}
