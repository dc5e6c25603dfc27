// The read-result cache: shared only between identical scopes, never across a write, computed once for
// concurrent identical requests; on a real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approximateBytes, resultCache, type Scope } from './index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
});
afterAll(async () => t.cleanup());

const us: Scope = { principal: 'a', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] };
const usToo: Scope = { principal: 'b', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] };
const all: Scope = { principal: 'c', grants: [{ category: 'trade', providers: '*', level: 'row' }] };

describe('result cache', () => {
  it('serves a result only to the same grants, for the same request, until the next write', async () => {
    const cache = resultCache(t.rt.store);
    let computed = 0;
    const compute = async () => ({ n: ++computed });
    const [x, y] = await Promise.all([cache.get(us, 'explore', { by: ['origin'] }, compute), cache.get(usToo, 'explore', { by: ['origin'] }, compute)]);
    expect(x).toBe(y);
    expect(computed).toBe(1);
    expect(await cache.get(all, 'explore', { by: ['origin'] }, compute)).toEqual({ n: 2 });
    expect(await cache.get(us, 'explore', { by: ['hs2'] }, compute)).toEqual({ n: 3 });
    await t.rt.store.withWriteConnection(async () => undefined);
    expect(await cache.get(us, 'explore', { by: ['origin'] }, compute)).toEqual({ n: 4 });
    expect(cache.stats).toEqual({ hits: 1, misses: 4 });
  });

  it('does not keep a failed computation', async () => {
    const cache = resultCache(t.rt.store);
    await expect(cache.get(us, 'm', 1, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get(us, 'm', 1, async () => 'ok')).toBe('ok');
  });

  it('keeps sized entries within the byte budget, dropping the least recently used first', async () => {
    const cache = resultCache(t.rt.store, { maxBytes: 1000 });
    const sized = { bytes: (v: { size: number }) => v.size };
    let computed = 0;
    const get = (name: string, size: number) => cache.get(us, 'explore-groups', name, async () => (computed++, { size }), sized);
    await get('a', 400);
    await get('b', 400);
    await get('a', 400); // a is now the most recently used
    expect(cache.usage()).toEqual({ entries: 2, bytes: 800 });
    await get('c', 400); // over budget: b goes, a stays
    expect(cache.usage()).toEqual({ entries: 2, bytes: 800 });
    await get('a', 400);
    expect(computed).toBe(3);
    await get('b', 400);
    expect(computed).toBe(4);
    // Larger than the whole budget: served, not kept.
    expect(await get('huge', 5000)).toEqual({ size: 5000 });
    expect(cache.usage().bytes).toBeLessThanOrEqual(1000);
    await get('huge', 5000);
    expect(computed).toBe(6);
    expect(cache.maxEntryBytes).toBe(250);
  });

  it('sizes rows roughly by their strings and slots', () => {
    const small = approximateBytes([{ a: 'x', b: 1 }]);
    const long = approximateBytes([{ a: 'x'.repeat(1000), b: 1 }]);
    expect(long - small).toBe(2 * 999);
    expect(approximateBytes(Array.from({ length: 10 }, () => ({ a: 'x', b: 1 })))).toBe(10 * small);
  });
});
