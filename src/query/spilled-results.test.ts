// Spilled results on a real DuckDB store: a numbered result is built once and paged by range reads; the
// budget of tables and rows drops the least recently used; a result over the row budget, or one whose build
// fails, answers null (the caller computes the page itself); spilling never moves the store's data version.
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { localOperatorScope } from './scope.ts';
import { spilledResults } from './spilled-results.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
});
afterAll(async () => t?.cleanup());

const scope = localOperatorScope();
const numbered = (n: number, builds: { n: number }) => () => {
  builds.n++;
  return CompiledQuery.raw(`SELECT range + 1 AS _rn, range * $1 AS v FROM range(${n})`, [2]);
};

describe('spilled results', () => {
  it('builds once, then pages by row number', async () => {
    const s = spilledResults(t.rt.store);
    const builds = { n: 0 };
    const version = t.rt.store.version();
    const page = (offset: number, limit: number) => s.page(scope, 'x', { q: 1 }, 1000, numbered(1000, builds), offset, limit);
    expect((await page(0, 3))!.map((r) => Number(r['v']))).toEqual([0, 2, 4]);
    expect((await page(998, 10))!.map((r) => Number(r['_rn']))).toEqual([999, 1000]);
    expect(await page(5000, 10)).toEqual([]);
    expect(builds.n).toBe(1);
    expect(s.usage()).toEqual({ tables: 1, rows: 1000 });
    expect(t.rt.store.version()).toBe(version);
  });

  it('drops the least recently used beyond its budget, and refuses what is too large or fails', async () => {
    const s = spilledResults(t.rt.store, { maxTables: 2, maxRows: 500 });
    const builds = { n: 0 };
    const page = (spec: number, n = 100) => s.page(scope, 'x', { spec }, n, numbered(n, builds), 0, 1);
    await page(1);
    await page(2);
    await page(1); // 1 is now the most recently used
    await page(3); // over two tables: 2 goes
    expect(s.usage()).toEqual({ tables: 2, rows: 200 });
    expect(builds.n).toBe(3);
    await page(1);
    expect(builds.n).toBe(3);
    await page(2);
    expect(builds.n).toBe(4);
    // Larger than the whole row budget: not kept, null.
    expect(await page(4, 600)).toBeNull();
    // A build that fails is forgotten: null now, tried again next time.
    const bad = () => CompiledQuery.raw('SELECT * FROM no_such_table');
    expect(await s.page(scope, 'x', { spec: 'bad' }, 10, bad, 0, 1)).toBeNull();
    // (A build under way counts against the budget: its arrival made room by dropping the least recently used.)
    expect(s.usage()).toEqual({ tables: 1, rows: 100 });
    expect(await s.page(scope, 'x', { spec: 'bad' }, 10, bad, 0, 1)).toBeNull();
  });
});
