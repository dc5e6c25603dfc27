import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';

let t: TempRuntime;
let app: FastifyInstance;
let api: TestClient;
let batchId: string;

beforeAll(async () => {
  t = await tempRuntime();
  const body = [CANONICAL_HEADER, ...Array.from({ length: 30 }, (_, i) => canonicalLine({ declaration_id: `D${i}`, origin_country: i % 2 ? 'CN' : 'VN', value: 100 + i })), canonicalLine({ declaration_id: 'BAD', value: 'Secret-Value-123' })].join('\n');
  const r = await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${body}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  batchId = r.batch_id;
  app = buildApp(t.rt);
  await app.ready();
  api = await signIn(app, t.rt, 'investigator');
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('HTTP API (through app.inject, no socket)', () => {
  it('GET /api/explore groups, sorts and pages', async () => {
    const res = await api.inject({ url: '/api/explore?by=origin&measure=value,lines&sort=origin:asc&limit=1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total_groups: 2, truncated: true, next_offset: 1, rows: [{ origin: 'CN', lines: 15 }] });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('GET /api/lines drills down to a cell', async () => {
    const cell = encodeURIComponent(JSON.stringify({ origin: 'VN' }));
    const res = await api.inject({ url: `/api/lines?cell=${cell}&limit=100&sort=-value` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(15);
    expect(body.rows[0].value).toBe(128);
  });

  it('GET /api/batches and the quarantine of a batch', async () => {
    const b = await api.inject({ url: '/api/batches' });
    expect(b.json()[0]).toMatchObject({ batch_id: batchId, rows_rejected: 1 });
    const q = await api.inject({ url: `/api/batches/${batchId}/quarantine` });
    expect(q.json()).toMatchObject({ total: 1, rows: [{ line: 32, field: 'value', reason: 'not a number' }] });
    const unknown = await api.inject({ url: '/api/batches/B999999/quarantine' });
    expect(unknown.statusCode).toBe(403);
  });

  it('answers bad requests with 400 naming the parameter, never echoing values', async () => {
    const r1 = await api.inject({ url: '/api/explore?by=colour' });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().message).toMatch(/unknown dimension "colour"/);
    const r2 = await api.inject({ url: `/api/explore?by=origin&where=${encodeURIComponent("value > 'Secret-Value-123'")}` });
    expect(r2.statusCode).toBe(400);
    expect(r2.body).not.toContain('Secret-Value-123');
    const r3 = await api.inject({ url: '/api/explore?limit=0' });
    expect(r3.statusCode).toBe(400);
    expect(r3.json().message).toMatch(/^limit:/);
    const r4 = await api.inject({ url: '/api/explore?unknown=1' });
    expect(r4.statusCode).toBe(400);
    const r5 = await api.inject({ url: '/api/lines?cell=not-json' });
    expect(r5.json().message).toMatch(/cell must be a JSON object/);
    const r6 = await api.inject({ url: '/api/nothing-here' });
    expect(r6.statusCode).toBe(404);
  });

  it('serves an OpenAPI document listing every route with its permission', async () => {
    const doc = (await api.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/explore', '/api/lines', '/api/batches', '/api/batches/{id}/quarantine', '/api/catalogue']) {
      expect(doc.paths[p].get['x-permission']).toBeTruthy();
    }
    const names = doc.paths['/api/explore'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['by', 'measure', 'where', 'sort', 'limit', 'offset']));
  });

  it('audits every call, including denied ones', async () => {
    const recent = await t.rt.audit.recent(50);
    expect(recent.some((e) => e.event === 'query' && e.outcome === 'allowed')).toBe(true);
    expect(recent.some((e) => e.event === 'view-lines' && (e.rowCount ?? 0) > 0)).toBe(true);
    expect(recent.some((e) => e.event === 'view-quarantine' && e.outcome === 'denied')).toBe(true);
    // A query's record holds its full specification as the caller typed it (so an auditor sees differencing
    // attempts), and nothing a query returned: the bad record's value appears only where the caller typed it.
    const typed = recent.filter((e) => e.event === 'query' && (e.detail ?? '').includes('where='));
    expect(typed.some((e) => e.detail!.includes('Secret-Value-123'))).toBe(true);
    expect(JSON.stringify(recent.filter((e) => !typed.includes(e)))).not.toContain('Secret-Value-123');
  });
});
