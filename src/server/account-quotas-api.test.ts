// GET /api/accounts/quotas through the real app (app.inject) on a real SQLite control store and DuckDB:
// what line pages and exports were charged shows up for the administrator, exactly as the user's own
// /api/me reports it; a quota lock is marked and an unlock empties the window; auditors read, data users
// are refused; every read is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AccountQuota } from '../api-contract/index.ts';
import { buildApp } from './index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn } from '../../test/signed-in.ts';

let t: TempRuntime;
let app: FastifyInstance;
let clock = Date.parse('2026-03-01T09:00:00Z');

beforeAll(async () => {
  t = await tempRuntime({
    access: {
      now: () => new Date(clock),
      settings: { quotas: { 'customs-officer': { rows: 25, bytes: 1_000_000 } } as never, signInRatePerMinute: 1000 },
    },
  });
  const body = [CANONICAL_HEADER, ...Array.from({ length: 20 }, (_, i) => canonicalLine({ declaration_id: `D${i}`, value: 100 + i }))].join('\n');
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${body}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  app = buildApp(t.rt);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('GET /api/accounts/quotas', () => {
  it('shows an administrator what line pages and exports were charged, as the user sees it in /api/me', async () => {
    const ivy = await signIn(app, t.rt, 'investigator', { name: 'ivy' });
    expect((await ivy.get('/api/lines?limit=7')).statusCode).toBe(200);
    expect((await ivy.get('/api/export/lines')).statusCode).toBe(200);
    const own = (await ivy.get('/api/me')).json().quota;
    expect(own.rows).toBe(27);
    expect(own.bytes).toBeGreaterThan(0);

    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    const r = await admin.get('/api/accounts/quotas');
    expect(r.statusCode).toBe(200);
    const rows = r.json() as AccountQuota[];
    const mine = rows.find((x) => x.name === 'ivy');
    expect(mine).toEqual({
      id: (await t.rt.access.accounts.get('ivy'))!.id, name: 'ivy', displayName: 'ivy', role: 'investigator', status: 'active', lockedByQuota: false,
      rows: 27, bytes: own.bytes, limitRows: own.limitRows, limitBytes: own.limitBytes, since: own.since,
    });
    expect(rows.find((x) => x.name === 'adam')).toMatchObject({ rows: 0, bytes: 0, role: 'administrator' });
    const ev = (await t.rt.audit.recent(10)).find((e) => e.event === 'view-accounts' && e.principal === 'adam');
    expect(ev).toMatchObject({ detail: 'download quotas', rowCount: rows.length, outcome: 'allowed' });
  });

  it('marks an account locked by its quota, and after the unlock its window is empty', async () => {
    const officer = await signIn(app, t.rt, 'customs-officer', { name: 'otto' });
    expect((await officer.get('/api/lines?limit=20')).statusCode).toBe(200);
    expect((await officer.get('/api/lines?limit=20')).statusCode).toBe(423);
    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    const locked = ((await admin.get('/api/accounts/quotas')).json() as AccountQuota[]).find((x) => x.name === 'otto');
    expect(locked).toMatchObject({ status: 'locked', lockedByQuota: true, rows: 20, limitRows: 25, limitBytes: 1_000_000 });

    clock += 1_000;
    expect((await admin.post(`/api/accounts/${locked!.id}/unlock`, { reason: 'quota use reviewed with the supervisor' })).statusCode).toBe(200);
    const after = ((await admin.get('/api/accounts/quotas')).json() as AccountQuota[]).find((x) => x.name === 'otto');
    expect(after).toMatchObject({ status: 'active', lockedByQuota: false, rows: 0, bytes: 0, since: new Date(clock).toISOString() });
  });

  it('lets an auditor read it and refuses an investigator', async () => {
    const auditor = await signIn(app, t.rt, 'auditor', { name: 'aude' });
    const r = await auditor.get('/api/accounts/quotas');
    expect(r.statusCode).toBe(200);
    expect((r.json() as AccountQuota[]).map((x) => x.name)).toEqual(expect.arrayContaining(['ivy', 'otto', 'aude']));
    const ivy = await signIn(app, t.rt, 'investigator', { name: 'ivy' });
    const denied = await ivy.get('/api/accounts/quotas');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe('forbidden');
    expect(denied.body).not.toContain('otto');
  });
});
