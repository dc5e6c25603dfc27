/**
 * Results too large for the in-memory result cache, kept in the engine instead: the sorted, numbered rows
 * of one request in a table of an in-memory database attached to the store's DuckDB instance, so each later
 * page is a range read of the row numbers instead of the whole aggregation again (an explore by importer,
 * HS6 and month on 10M lines has millions of groups; each page used to cost the full group-by).
 *
 * Invariants:
 * - What goes in is a query already compiled through the caller's ScopedDb (the scope plugin has wrapped
 *   every table it reads), and the key holds the scope's grants, the request and the store's data version,
 *   exactly as the result cache's key does: a table is only ever read for the scope and data it was made for.
 * - The tables live in `parallax_results`, an in-memory database attached once per instance: nothing is
 *   written to the store's file, and the store's data version does not move (the write connection is not
 *   used), so spilling never invalidates other cached results. Table names are generated (`r_<random tag of
 *   this instance>_<n>`, so two caches on one store never collide), never taken from input.
 * - Bounded: at most `maxTables` tables and `maxRows` rows in all; the least recently used go first, and a
 *   result bigger than the whole row budget is not spilled (the caller pages it with the engine). Tables
 *   also expire with the cache's time to live.
 * - Never wrong, at worst slower: a page whose table was dropped meanwhile, or whose build failed, answers
 *   null and the caller computes the page itself.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import type { AnalyticalStore } from '../store/index.ts';
import type { Scope } from './scope.ts';

export interface SpilledResultsOptions {
  maxTables?: number;
  /** Rows kept in all tables together (default 20 million). */
  maxRows?: number;
  ttlMs?: number;
}

export interface SpilledResults {
  /**
   * Rows `offset + 1` to `offset + limit` (by the query's `_rn` column, 1-based) of the result of `build()`
   * for this key, spilling the whole result on first use; null when it cannot be kept (too large, or failed).
   * `rows` is the result's size, known to the caller from its first page.
   */
  page(scope: Scope, what: string, spec: unknown, rows: number, build: () => CompiledQuery<unknown>, offset: number, limit: number): Promise<Record<string, unknown>[] | null>;
  /** Spills the result now (without reading a page), so the next page is a range read. */
  prepare(scope: Scope, what: string, spec: unknown, rows: number, build: () => CompiledQuery<unknown>): void;
  usage(): { tables: number; rows: number };
}

const SCHEMA = 'parallax_results';

interface Table {
  name: string;
  rows: number;
  at: number;
  ready: Promise<boolean>;
}

export function spilledResults(store: AnalyticalStore, o: SpilledResultsOptions = {}): SpilledResults {
  const maxTables = o.maxTables ?? 4;
  const maxRows = o.maxRows ?? 20_000_000;
  const ttl = o.ttlMs ?? 300_000;
  const db: Kysely<any> = store.db;
  const tables = new Map<string, Table>();
  let attached: Promise<void> | null = null;
  // The attached database is the instance's, shared by every cache on this store: names carry this one's tag.
  const tag = randomBytes(4).toString('hex');
  let seq = 0;
  let held = 0;
  const run = (text: string, params: readonly unknown[] = []) => db.executeQuery(CompiledQuery.raw(text, [...params]));
  const attach = () => (attached ??= run(`ATTACH IF NOT EXISTS ':memory:' AS ${SCHEMA}`).then(() => undefined));

  const drop = (key: string, t: Table) => {
    if (tables.get(key) !== t) return;
    tables.delete(key);
    held -= t.rows;
    // Reads still under way on it fail and fall back to the engine; nothing waits for the drop.
    void t.ready.then((ok) => (ok ? run(`DROP TABLE IF EXISTS ${SCHEMA}.${t.name}`) : undefined)).catch(() => undefined);
  };
  const evict = (now: number) => {
    for (const [k, t] of tables) if (now - t.at >= ttl) drop(k, t);
    // Map order is insertion order, refreshed on each use: the first key is the least recently used.
    while (tables.size > maxTables || held > maxRows) {
      const [k, t] = tables.entries().next().value!;
      drop(k, t);
    }
  };
  const tableFor = (scope: Scope, what: string, spec: unknown, rows: number, build: () => CompiledQuery<unknown>): Table | null => {
    if (rows > maxRows) return null;
    const key = JSON.stringify([store.version(), what, scope.grants, spec]);
    const now = Date.now();
    const known = tables.get(key);
    if (known && now - known.at < ttl) {
      tables.delete(key);
      tables.set(key, known);
      return known;
    }
    if (known) drop(key, known);
    const name = `r_${tag}_${++seq}`;
    const q = build();
    const ready = attach()
      .then(() => run(`CREATE TABLE ${SCHEMA}.${name} AS ${q.sql}`, q.parameters))
      .then(
        () => true,
        () => false,
      );
    const t: Table = { name, rows, at: now, ready };
    tables.set(key, t);
    held += rows;
    // A failed build is forgotten, so the next request may try again.
    void ready.then((ok) => ok || drop(key, t));
    evict(now);
    return tables.get(key) === t ? t : null;
  };

  return {
    prepare(scope, what, spec, rows, build) {
      tableFor(scope, what, spec, rows, build);
    },
    async page(scope, what, spec, rows, build, offset, limit) {
      const t = tableFor(scope, what, spec, rows, build);
      if (!t || !(await t.ready)) return null;
      try {
        const r = await run(`SELECT * FROM ${SCHEMA}.${t.name} WHERE _rn > $1 AND _rn <= $2 ORDER BY _rn`, [offset, offset + limit]);
        return r.rows as Record<string, unknown>[];
      } catch {
        return null;
      }
    },
    usage: () => ({ tables: tables.size, rows: held }),
  };
}
