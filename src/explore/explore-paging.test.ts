// Paging large explore results: with a result cache the sorted groups are computed once and later pages are
// slices of them (no engine query), equal to the pages computed directly; results too large to keep in memory
// are kept numbered in the engine and paged by range reads; larger still fall back to one engine query per
// page; aggregate-only results are suppressed before they are kept. Real DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore, parseSort, type ExploreSpec } from './index.ts';
import { localOperatorScope, resultCache, scopedDb, type Scope, type ScopedDb } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
const executive: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };

beforeAll(async () => {
  t = await tempRuntime();
  const rows: string[] = [];
  for (let i = 0; i < 3000; i++) {
    rows.push(
      canonicalLine({
        declaration_id: `D${i}`,
        origin_country: ['CN', 'VN', 'MX', 'DE'][i % 4]!,
        hs_code: ['720851', '730711', '847130', '850440', '940360'][i % 5]!,
        value: 100 + ((i * 37) % 1000),
        date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-15`,
        importer_id: `IMP${i % 97}`,
        exporter_id: `EXP${i % 13}`,
      }),
    );
  }
  // One importer alone behind every Brazilian cell: those cells are suppressed at aggregate-only access.
  for (let i = 0; i < 24; i++) rows.push(canonicalLine({ declaration_id: `B${i}`, origin_country: 'BR', hs_code: '090111', date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-10`, importer_id: 'BR-ONLY', value: 500 }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

/** The same scoped handle, counting the queries the engine answers. */
function counted(scope: Scope): { db: ScopedDb; queries: () => number } {
  const base = scopedDb(t.rt.store, scope);
  let n = 0;
  const db = base.db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => (n++, a.result) });
  return { db: { ...base, db }, queries: () => n };
}

const big: ExploreSpec = { by: ['importer', 'exporter', 'month'], measures: ['lines', 'value_usd'], sort: parseSort('lines,importer:asc') };

describe('explore paging from a materialised result', () => {
  it('serves page 2 without running the engine again, equal to page 2 computed directly', async () => {
    const cache = resultCache(t.rt.store);
    const c = counted(localOperatorScope());
    const p1 = await explore(c.db, { ...big, limit: 200 }, { cache });
    expect(p1.total_groups).toBeGreaterThan(1000);
    expect(p1).toMatchObject({ offset: 0, truncated: true, next_offset: 200 });
    const afterFirst = c.queries();
    expect(afterFirst).toBe(1);
    expect(cache.usage().bytes).toBeGreaterThan(p1.total_groups * 64);

    const p2 = await explore(c.db, { ...big, limit: 200, offset: 200 }, { cache });
    expect(c.queries()).toBe(afterFirst);
    expect(cache.stats.hits).toBe(1);
    const direct = await explore(scopedDb(t.rt.store, localOperatorScope()), { ...big, limit: 200, offset: 200 });
    expect(p2).toEqual(direct);

    // Any page size and the last partial page come from the same entry, as do the totals.
    const last = await explore(c.db, { ...big, limit: 1000, offset: p1.total_groups - 10 }, { cache });
    expect(c.queries()).toBe(afterFirst);
    expect(last).toEqual(await explore(scopedDb(t.rt.store, localOperatorScope()), { ...big, limit: 1000, offset: p1.total_groups - 10 }));
    expect(last).toMatchObject({ truncated: false, next_offset: null });
    expect(last.rows).toHaveLength(10);
  });

  it('recomputes after a write and never shares between scopes', async () => {
    const cache = resultCache(t.rt.store);
    const all = counted(localOperatorScope());
    await explore(all.db, { ...big, limit: 10 }, { cache });
    const other = counted({ principal: 'us', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] });
    await explore(other.db, { ...big, limit: 10, offset: 10 }, { cache });
    expect(other.queries()).toBe(1);
    await t.rt.store.withWriteConnection(async () => undefined);
    await explore(all.db, { ...big, limit: 10, offset: 10 }, { cache });
    expect(all.queries()).toBe(2);
  });

  it('keeps a result larger than memory may hold numbered in the engine, and reads later pages from it', async () => {
    const cache = resultCache(t.rt.store);
    const c = counted(localOperatorScope());
    const o = { cache, maxGroups: 500 };
    const p1 = await explore(c.db, { ...big, limit: 100 }, o);
    expect(c.queries()).toBe(1);
    // Only the page is held in memory; the whole numbered result goes to the engine's in-memory database.
    expect(cache.usage().bytes).toBeLessThan(100 * 400);
    const direct = scopedDb(t.rt.store, localOperatorScope());
    for (const [offset, limit] of [[100, 100], [250, 333], [p1.total_groups - 7, 100], [1_000_000, 100]] as const) {
      const page = await explore(c.db, { ...big, limit, offset }, o);
      expect(page, `offset ${offset}`).toEqual(await explore(direct, { ...big, limit, offset }));
    }
    // No scoped query ran for those pages (they are range reads of the spilled table), and one table is held.
    expect(c.queries()).toBe(1);
    expect(cache.large.usage()).toEqual({ tables: 1, rows: p1.total_groups });
    // Another scope has its own table; a write makes a new one.
    const other = counted({ principal: 'us', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] });
    expect(await explore(other.db, { ...big, limit: 100, offset: 100 }, o)).toEqual(await explore(direct, { ...big, limit: 100, offset: 100 }));
    expect(cache.large.usage().tables).toBe(2);
    await t.rt.store.withWriteConnection(async () => undefined);
    await explore(c.db, { ...big, limit: 100 }, o);
    await explore(c.db, { ...big, limit: 100, offset: 100 }, o);
    expect(c.queries()).toBe(2);
    expect(cache.large.usage().tables).toBe(3);
  });

  it('falls back to one engine query per page when the result is larger than the engine may keep too', async () => {
    const cache = resultCache(t.rt.store, { large: { maxRows: 100 } });
    const c = counted(localOperatorScope());
    const p1 = await explore(c.db, { ...big, limit: 100 }, { cache, maxGroups: 500 });
    expect(c.queries()).toBe(1);
    // Only the page is held, not the whole result.
    expect(cache.usage().bytes).toBeLessThan(100 * 400);
    const p2 = await explore(c.db, { ...big, limit: 100, offset: 100 }, { cache, maxGroups: 500 });
    expect(c.queries()).toBe(2);
    const direct = scopedDb(t.rt.store, localOperatorScope());
    expect(p1).toEqual(await explore(direct, { ...big, limit: 100 }));
    expect(p2).toEqual(await explore(direct, { ...big, limit: 100, offset: 100 }));
    // The same page again is a cache hit; past the end still reports the size of the result.
    await explore(c.db, { ...big, limit: 100, offset: 100 }, { cache, maxGroups: 500 });
    expect(c.queries()).toBe(2);
    const past = await explore(c.db, { ...big, limit: 100, offset: 1_000_000 }, { cache, maxGroups: 500 });
    expect(past).toEqual(await explore(direct, { ...big, limit: 100, offset: 1_000_000 }));
    expect(past).toMatchObject({ rows: [], total_groups: p1.total_groups, truncated: false });
  });

  it('keeps an empty result and a result without dimensions like the direct computation', async () => {
    const cache = resultCache(t.rt.store);
    const direct = scopedDb(t.rt.store, localOperatorScope());
    const none: ExploreSpec = { ...big, where: 'origin = ZZ' };
    expect(await explore(direct, none, { cache })).toEqual(await explore(direct, none));
    const whole: ExploreSpec = { by: [], measures: ['value', 'importers'] };
    expect(await explore(direct, whole, { cache })).toEqual(await explore(direct, whole));
    const distinct: ExploreSpec = { by: ['origin', 'hs2'], measures: ['importers', 'value'], limit: 5, offset: 5 };
    expect(await explore(direct, distinct, { cache })).toEqual(await explore(direct, distinct));
  });

  it('keeps aggregate-only results already suppressed, per scope, and pages them identically', async () => {
    const cache = resultCache(t.rt.store);
    const c = counted(executive);
    const spec: ExploreSpec = { by: ['origin', 'hs6', 'month'], measures: ['value_usd', 'lines'] };
    const p1 = await explore(c.db, { ...spec, limit: 50 }, { cache });
    const afterFirst = c.queries();
    const p2 = await explore(c.db, { ...spec, limit: 50, offset: 50 }, { cache });
    expect(c.queries()).toBe(afterFirst);
    const direct = scopedDb(t.rt.store, executive);
    expect(p1).toEqual(await explore(direct, { ...spec, limit: 50 }));
    expect(p2).toEqual(await explore(direct, { ...spec, limit: 50, offset: 50 }));
    expect(p1.suppressed_cells).toBeGreaterThan(0);
    // The investigator's unsuppressed result for the same request is a different entry.
    const inv = counted(localOperatorScope());
    const ip = await explore(inv.db, { ...spec, limit: 50, offset: 50 }, { cache });
    expect(inv.queries()).toBe(1);
    expect(ip.rows.some((r) => 'suppressed' in r)).toBe(false);
  });
});
