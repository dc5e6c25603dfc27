// The anomaly API through app.inject: paged anomalies with totals, one anomaly by id, runs, and 400/404
// answers that name the parameter.
import type { FastifyInstance } from 'fastify';
import { DETECTORS } from './detector-registry.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope } from '../query/index.ts';
import { buildApp } from '../server/index.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { runAnalysis } from './run-analysis.ts';

let t: TempRuntime;
let app: FastifyInstance;
let api: TestClient;

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) => canonicalLine({ declaration_id: `IM${i}`, value: p * 10, quantity: 10, net_mass_kg: i === 3 ? 0 : 10 }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
  await runAnalysis(t.rt.store, localOperatorScope(), {});
  app = buildApp(t.rt);
  api = await signIn(app, t.rt, 'investigator');
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('anomaly API', () => {
  it('GET /api/anomalies pages the latest run by score with a total; GET /api/anomalies/:id opens one', async () => {
    const res = await api.inject({ url: '/api/anomalies?limit=2' });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ run_id: 'R000001', total: 4, offset: 0, limit: 2, truncated: true, next_offset: 2 });
    // IM9's price outliers (price-iqr, value-per-kg, price-robust-z) and IM3's phantom shipment, highest first.
    const scores = page.rows.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const all = (await api.inject({ url: '/api/anomalies?limit=10' })).json();
    expect(all.rows.map((r: { detector: string; subject: { declaration_id: string } }) => `${r.detector}:${r.subject.declaration_id}`).sort()).toEqual(
      ['phantom-shipment:IM3', 'price-iqr:IM9', 'price-robust-z:IM9', 'value-per-kg:IM9'],
    );
    expect(all.rows.slice(0, 2)).toEqual(page.rows);
    const filtered = (await api.inject({ url: '/api/anomalies?run=R000001&detector=price-robust-z&min_score=50' })).json();
    expect(filtered.total).toBe(1);
    const one = await api.inject({ url: `/api/anomalies/${page.rows[1].anomaly_id}` });
    expect(one.statusCode).toBe(200);
    // One anomaly also names the parties on its rows (party links; src/server/anomaly-routes.test.ts).
    expect(one.json()).toEqual({ ...page.rows[1], parties: expect.any(Array) });
    expect((await api.inject({ url: '/api/anomalies/R000001.price-iqr.1' })).statusCode).toBe(404);
  });

  it('GET /api/runs lists runs; bad query parameters are 400 naming the parameter', async () => {
    const runs = (await api.inject({ url: '/api/runs' })).json();
    expect(runs).toEqual([expect.objectContaining({ run_id: 'R000001', anomalies: 4, detectors: DETECTORS.map((d) => d.id) })]);
    const bad = await api.inject({ url: '/api/anomalies?min_score=500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^min_score:/);
    const doc = (await api.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/anomalies', '/api/anomalies/{id}', '/api/runs']));
  });
});
