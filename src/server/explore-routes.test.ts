// GET /api/explore pages through one cached result: page 2 of a large result is a cache hit (the group-by
// is not run again) and equals the same page computed directly; a role with other grants gets its own entry.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { explore, parseSort } from '../explore/index.ts';
import { scopedDb } from '../query/index.ts';
import { buildApp } from './index.ts';
import { signIn } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
let app: FastifyInstance;

beforeAll(async () => {
  t = await tempRuntime();
  const rows = Array.from({ length: 2000 }, (_, i) =>
    canonicalLine({ declaration_id: `D${i}`, importer_id: `IMP${i % 211}`, exporter_id: `EXP${i % 7}`, date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-01`, value: 100 + (i % 50) }),
  );
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  app = buildApp(t.rt);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('GET /api/explore paging', () => {
  it('serves page 2 from the result computed for page 1', async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const q = 'by=importer,exporter,month&measure=lines,value_usd&sort=value_usd,importer:asc&limit=500';
    const p1 = await api.get(`/api/explore?${q}`);
    expect(p1.statusCode).toBe(200);
    expect(p1.json()).toMatchObject({ offset: 0, next_offset: 500, truncated: true });
    const before = { ...t.rt.results.stats };
    const p2 = await api.get(`/api/explore?${q}&offset=500`);
    expect(p2.statusCode).toBe(200);
    expect(t.rt.results.stats).toEqual({ hits: before.hits + 1, misses: before.misses });
    const direct = await explore(scopedDb(t.rt.store, { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'row' }] }), {
      by: ['importer', 'exporter', 'month'], measures: ['lines', 'value_usd'], sort: parseSort('value_usd,importer:asc'), limit: 500, offset: 500,
    });
    expect(p2.json()).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(p1.json().total_groups).toBeGreaterThan(1000);

    // An executive's aggregate-only result for a request of the same shape is computed (and suppressed) on its own.
    const exec = await signIn(app, t.rt, 'executive');
    const e = await exec.get('/api/explore?by=origin,month&measure=lines,value_usd&limit=5&offset=5');
    expect(e.statusCode).toBe(200);
    expect(t.rt.results.stats.misses).toBe(before.misses + 1);
  });
});
