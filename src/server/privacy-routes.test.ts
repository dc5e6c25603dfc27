/**
 * Privacy routes through the real app and real sign-in: a security administrator sets a retention period,
 * places and releases a hold, previews and runs a purge; an auditor reads the register, the transparency
 * report and the retention settings but changes nothing; every change is on the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { ingestFile } from '../ingest/index.ts';
import { buildApp } from './index.ts';
import type { DataRegister, LegalHold, PurgeReport, RetentionView, TransparencyReport } from '../api-contract/index.ts';

let t: TempRuntime;
let app: FastifyInstance;
let sec: TestClient;
let auditor: TestClient;

const put = (c: TestClient, url: string, payload: unknown) => c.inject({ method: 'PUT', url, payload: payload as never });

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    canonicalLine({ declaration_id: 'OLD1', date: '2001-01-10' }),
    canonicalLine({ declaration_id: 'OLD2', date: '2002-05-10' }),
    canonicalLine({ declaration_id: 'NEW1', date: '2025-05-10' }),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('b.csv', `${[CANONICAL_HEADER, ...lines].join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  app = buildApp(t.rt);
  sec = await signIn(app, t.rt, 'security-administrator');
  auditor = await signIn(app, t.rt, 'auditor');
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('privacy routes', () => {
  it('the register and the transparency report, as JSON and CSV', async () => {
    const r = await auditor.get('/api/register');
    expect(r.statusCode).toBe(200);
    const reg = r.json() as DataRegister;
    expect(reg.entries).toHaveLength(1);
    expect(reg.entries[0]).toMatchObject({ category: 'trade', provider: 'US', direction: 'inbound', records: 3, reference: 'batch B000001' });
    const csv = await auditor.get('/api/register?format=csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toMatch(/^source,destination,full_name,classification,sharing_type,owner,information_provided,reference/);
    expect((await auditor.get('/api/register?format=xml')).statusCode).toBe(400);
    const tr = (await auditor.get('/api/transparency?grain=quarter')).json() as TransparencyReport;
    expect(tr.grain).toBe('quarter');
    expect(tr.periods.at(-1)!.complete).toBe(false);
    expect(tr.totals.signIns).toBe(2);
    expect((await auditor.get('/api/transparency?from=2026')).json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^from: /) });
  });

  it('a security administrator sets a period, holds, previews and purges; every step audited', async () => {
    const set = await put(sec, '/api/retention/policies/trade', { years: 20, basis: 'record-date', reason: 'records act s.12' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ category: 'trade', years: 20, basis: 'record-date', setBy: sec.name });
    expect((await put(sec, '/api/retention/policies/watchlist', { years: 5, reason: 'nope nope' })).json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/has no retention period/) });
    expect((await put(sec, '/api/retention/policies/trade', { years: 0, reason: 'abc' })).statusCode).toBe(400);
    expect((await put(sec, '/api/retention/policies/trade', { years: 5, reason: 'abc', extra: 1 })).statusCode).toBe(400);

    const preview = (await sec.get('/api/retention/preview?as_of=2026-01-01')).json() as PurgeReport;
    expect(preview).toMatchObject({ dryRun: true, rowsRemoved: 2, purgeId: null });
    expect(preview.datasets.find((d) => d.dataset === 'trade_lines')).toMatchObject({ cutoff: '2006-01-01', rowsRemoved: 2 });

    const hold = await sec.post('/api/retention/holds', { kind: 'batch', target: 'B000001', reason: 'case 88 preservation' });
    expect(hold.statusCode, hold.body).toBe(200);
    const h = hold.json() as LegalHold;
    expect((await sec.post('/api/retention/holds', { kind: 'party', target: 'X', reason: 'case 88' })).statusCode).toBe(400);
    expect((await sec.post('/api/retention/purge', {})).json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^confirm: /) });
    const blocked = (await sec.post('/api/retention/purge', { confirm: 'purge' })).json() as PurgeReport;
    expect(blocked).toMatchObject({ dryRun: false, rowsRemoved: 0, activeHolds: 1 });
    expect(blocked.datasets.find((d) => d.dataset === 'trade_lines')!.rowsHeld).toBe(2);

    expect((await sec.post(`/api/retention/holds/${h.id}/release`, { reason: 'case closed' })).statusCode).toBe(200);
    expect((await sec.post(`/api/retention/holds/${h.id}/release`, { reason: 'again please' })).statusCode).toBe(409);
    expect((await sec.post('/api/retention/holds/999/release', { reason: 'no such hold' })).statusCode).toBe(404);
    expect((await sec.post('/api/retention/holds/abc/release', { reason: 'no such hold' })).statusCode).toBe(400);
    const done = (await sec.post('/api/retention/purge', { confirm: 'purge' })).json() as PurgeReport;
    expect(done).toMatchObject({ dryRun: false, rowsRemoved: 2, purgeId: expect.any(Number) });

    const view = (await auditor.get('/api/retention')).json() as RetentionView;
    expect(view.policies[0]).toMatchObject({ category: 'trade', years: 20 });
    expect(view.holds).toMatchObject([{ id: h.id, releasedBy: sec.name, releaseReason: 'case closed' }]);
    expect(view.purges.map((p) => p.rowsRemoved)).toEqual([2, 0]);
    expect((await auditor.get('/api/register')).json().entries[0].records).toBe(1);
    expect((await auditor.get('/api/transparency')).json().totals).toMatchObject({ purges: 2, purgedRows: 2 });

    // The auditor reads but changes nothing.
    expect((await put(auditor, '/api/retention/policies/trade', { years: 1, reason: 'shorter' })).statusCode).toBe(403);
    expect((await auditor.post('/api/retention/purge', { confirm: 'purge' })).statusCode).toBe(403);

    const events = (await t.rt.audit.page({ principal: sec.name, limit: 100 })).rows.map((e) => `${e.event}:${e.outcome}`);
    for (const e of ['retention-set:allowed', 'retention-set:error', 'purge-preview:allowed', 'hold-place:allowed', 'purge:allowed', 'hold-release:allowed', 'hold-release:error']) expect(events).toContain(e);
    const details = (await t.rt.audit.page({ principal: sec.name, limit: 100 })).rows.map((e) => e.detail ?? '').join('\n');
    expect(details).not.toMatch(/records act|case 88|case closed/);
  });
});
