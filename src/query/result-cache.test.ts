// The read-result cache: shared only between identical scopes, never across a write, computed once for
// concurrent identical requests; on a real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCache, type Scope } from './index.ts';
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
});
