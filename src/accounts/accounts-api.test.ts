// The account workflow, sign-in, sessions, CSRF and download quotas through the real app (app.inject, no
// socket), on a real SQLite control store. A settable clock drives timeouts and recertification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn } from '../../test/signed-in.ts';

let t: TempRuntime;
let app: FastifyInstance;
let clock = Date.parse('2026-03-01T09:00:00Z');
const PW = 'a long enough passphrase';

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

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload: payload as never, headers });

describe('sign-in and sessions', () => {
  it('refuses every API route without a session (401), and sets a hardened cookie on sign-in', async () => {
    expect((await app.inject({ url: '/api/explore?by=origin' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me' })).statusCode).toBe(401);
    await t.rt.access.accounts.add({ name: 'ivan', role: 'investigator', password: PW, by: 'test' });
    const r = await post('/api/session', { name: 'ivan', password: PW });
    expect(r.statusCode).toBe(200);
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/parallax_session=[A-Za-z0-9_-]{43}/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const me = r.json();
    expect(me.user).toMatchObject({ name: 'ivan', role: 'investigator' });
    expect(me.permissions).toContain('data:lines');
    expect(me.scope.grants.map((g: { category: string }) => g.category)).toEqual(expect.arrayContaining(['trade', 'financial', 'watchlist']));
    expect(JSON.stringify(me)).not.toContain(PW);
    // The stored password is an argon2id PHC string, never the password.
    const row = await t.rt.control.db.selectFrom('users').select('password_hash').where('name', '=', 'ivan').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('requires the CSRF token on writes and ends the session on sign-out', async () => {
    const c = await signIn(app, t.rt, 'investigator', { name: 'ivan2' });
    const noToken = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: c.cookie } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error).toBe('csrf');
    const crossOrigin = await c.inject({ method: 'DELETE', url: '/api/session', headers: { origin: 'https://evil.example' } });
    expect(crossOrigin.statusCode).toBe(403);
    expect((await c.del('/api/session')).statusCode).toBe(204);
    expect((await c.get('/api/me')).statusCode).toBe(401);
    const events = await t.rt.audit.recent(20);
    expect(events.some((e) => e.event === 'sign-out' && e.principal === 'ivan2')).toBe(true);
    expect(events.some((e) => e.event === 'denied' && e.outcome === 'denied' && e.detail?.includes('csrf'))).toBe(true);
  });

  it('ends idle sessions after 15 minutes and any session after 8 hours', async () => {
    const c = await signIn(app, t.rt, 'investigator', { name: 'ivan3' });
    clock += 14 * 60_000;
    expect((await c.get('/api/me')).statusCode).toBe(200);
    clock += 14 * 60_000;
    expect((await c.get('/api/me')).statusCode).toBe(200);
    clock += 16 * 60_000;
    expect((await c.get('/api/me')).statusCode).toBe(401);
    const d = await signIn(app, t.rt, 'investigator', { name: 'ivan3' });
    for (let i = 0; i < 45; i++) {
      clock += 12 * 60_000;
      if ((await d.get('/api/me')).statusCode !== 200) break;
    }
    const s = await t.rt.control.db.selectFrom('sessions').select(['end_reason']).where('user_name', '=', 'ivan3').orderBy('created_at').execute();
    expect(s.map((x) => x.end_reason)).toEqual(['idle timeout', 'absolute timeout']);
  });

  it('locks after 5 failed sign-ins; while locked the right password gets the same 401 as a wrong one, until an administrator unlocks with a reason', async () => {
    await t.rt.access.accounts.add({ name: 'olga', role: 'customs-officer', password: PW, by: 'test' });
    for (let i = 0; i < 4; i++) expect((await post('/api/session', { name: 'olga', password: 'wrong password!!' })).statusCode).toBe(401);
    const fifth = await post('/api/session', { name: 'olga', password: 'wrong password!!' });
    expect(fifth.statusCode).toBe(401);
    expect((await t.rt.access.accounts.get('olga'))!.status).toBe('locked');
    const right = await post('/api/session', { name: 'olga', password: PW });
    expect(right.statusCode).toBe(401);
    expect(right.json().message).toBe(fifth.json().message);
    // Unknown names get the same answer as wrong passwords.
    const unknown = await post('/api/session', { name: 'nobody-here', password: PW });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().message).toBe((await post('/api/session', { name: 'ivan', password: 'not his password' })).json().message);
    expect(unknown.json().message).toBe(right.json().message);

    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    const olga = (await t.rt.access.accounts.get('olga'))!;
    expect((await admin.post(`/api/accounts/${olga.id}/unlock`, { reason: 'short' })).statusCode).toBe(400);
    expect((await admin.post(`/api/accounts/${olga.id}/unlock`, { reason: 'verified by phone with the officer' })).statusCode).toBe(200);
    expect((await post('/api/session', { name: 'olga', password: PW })).statusCode).toBe(200);
    const events = await t.rt.audit.recent(40);
    expect(events.find((e) => e.event === 'unlock' && e.principal === 'adam')).toMatchObject({ outcome: 'allowed', objectIds: ['olga'] });
    expect(events.some((e) => e.event === 'lock' && e.principal === 'olga')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('wrong password');
  });
});

describe('account workflow', () => {
  it('request → supervisor approval → administrator activation, each audited; no self-service', async () => {
    await t.rt.access.accounts.add({ name: 'sam', role: 'investigator', password: PW, by: 'test' });
    const req = await post('/api/accounts/requests', { name: 'nina', displayName: 'Nina K', agency: 'FIU', supervisor: 'sam', role: 'investigator', justification: 'case work on steel', password: PW });
    expect(req.statusCode).toBe(202);
    const id = (await t.rt.access.accounts.get('nina'))!.id;
    // A requested account cannot sign in, and is not told apart from a wrong password.
    expect((await post('/api/session', { name: 'nina', password: PW })).statusCode).toBe(401);

    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    expect((await admin.post(`/api/accounts/${id}/activate`, {})).statusCode).toBe(409); // not approved yet
    expect((await admin.post(`/api/accounts/${id}/approve`)).statusCode).toBe(403); // not the supervisor
    const sam = await signIn(app, t.rt, 'investigator', { name: 'sam', password: PW });
    expect((await sam.get('/api/accounts/approvals')).json().map((a: { name: string }) => a.name)).toEqual(['nina']);
    expect((await sam.post(`/api/accounts/${id}/approve`)).statusCode).toBe(200);
    // Another signed-in user cannot reject a request that waits for activation.
    const bystander = await signIn(app, t.rt, 'investigator', { name: 'bystander' });
    expect((await bystander.post(`/api/accounts/${id}/reject`, { reason: 'not mine to reject' })).statusCode).toBe(403);
    expect((await sam.post(`/api/accounts/${id}/activate`, {})).statusCode).toBe(403); // an investigator cannot activate
    expect((await admin.post(`/api/accounts/${id}/activate`, {})).json()).toMatchObject({ status: 'active', approvedBy: 'sam', activatedBy: 'adam' });
    expect((await post('/api/session', { name: 'nina', password: PW })).statusCode).toBe(200);
    const events = (await t.rt.audit.recent(60)).filter((e) => e.objectIds?.includes('nina'));
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['account-request', 'account-approve', 'account-activate']));
  });

  it('administrators cannot act on their own account nor activate another administrator', async () => {
    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    const me = (await t.rt.access.accounts.get('adam'))!;
    expect((await admin.post(`/api/accounts/${me.id}/renew`, { trainingAttestedAt: '2026-02-01' })).statusCode).toBe(403);
    expect((await post('/api/accounts/requests', { name: 'second-admin', displayName: 'B', agency: 'IT', supervisor: 'adam', role: 'administrator', justification: 'cover', password: PW })).statusCode).toBe(202);
    const id = (await t.rt.access.accounts.get('second-admin'))!.id;
    expect((await admin.post(`/api/accounts/${id}/approve`)).statusCode).toBe(200);
    const act = await admin.post(`/api/accounts/${id}/activate`, {});
    expect(act.statusCode).toBe(403);
    expect(act.json().message).toMatch(/master administrator/);
    await t.rt.access.accounts.createMaster({ name: 'root-admin', displayName: 'Root', password: PW });
    const master = await signIn(app, t.rt, 'master-administrator', { name: 'root-admin', password: PW });
    expect((await master.post(`/api/accounts/${id}/activate`, {})).statusCode).toBe(200);
  });

  it('suspends an account whose review date has passed until an administrator renews it', async () => {
    const c = await signIn(app, t.rt, 'investigator', { name: 'rita' });
    const rita = (await t.rt.access.accounts.get('rita'))!;
    await t.rt.control.db.updateTable('users').set({ review_due_at: new Date(clock - 1000).toISOString() }).where('name', '=', 'rita').execute();
    expect((await c.get('/api/me')).statusCode).toBe(401);
    // Suspended (by the session check above): the right password is answered like a wrong one.
    const again = await post('/api/session', { name: 'rita', password: 'correct horse battery staple' });
    expect(again.statusCode).toBe(401);
    expect((await t.rt.access.accounts.get('rita'))!).toMatchObject({ status: 'suspended', lockReason: 'access review date passed' });
    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    expect((await admin.post(`/api/accounts/${rita.id}/renew`, { trainingAttestedAt: new Date(clock).toISOString().slice(0, 10) })).json()).toMatchObject({ status: 'active' });
    expect((await post('/api/session', { name: 'rita', password: 'correct horse battery staple' })).statusCode).toBe(200);
  });

  it('rejects malformed requests naming the field, never echoing the password', async () => {
    const r = await post('/api/accounts/requests', { name: 'X!', displayName: 'x', agency: 'y', supervisor: 'sam', role: 'investigator', justification: 'z', password: 'short' });
    expect(r.statusCode).toBe(400);
    expect(r.body).not.toContain('short"');
    const weak = await post('/api/accounts/requests', { name: 'weakling', displayName: 'x', agency: 'y', supervisor: 'sam', role: 'investigator', justification: 'z', password: 'aaaaaaaaaaaaaaa' });
    expect(weak.json().message).toMatch(/^password:/);
    const role = await post('/api/accounts/requests', { name: 'wannabe', displayName: 'x', agency: 'y', supervisor: 'sam', role: 'god', justification: 'z', password: PW });
    expect(role.json().message).toMatch(/^role:/);
    // An unknown supervisor is not revealed to an anonymous caller: the request is answered as received,
    // and nothing is recorded (the audit trail says why).
    const sup = await post('/api/accounts/requests', { name: 'orphan', displayName: 'x', agency: 'y', supervisor: 'ghost', role: 'investigator', justification: 'z', password: PW });
    expect(sup.statusCode).toBe(202);
    expect(await t.rt.access.accounts.get('orphan')).toBeNull();
  });
});

describe('download quota', () => {
  it('the page that would cross the limit is refused, the account locks and its sessions end; the unlock is audited', async () => {
    const officer = await signIn(app, t.rt, 'customs-officer', { name: 'quota-officer' });
    const page = (n: number) => officer.get(`/api/lines?limit=${n}`);
    expect((await page(10)).statusCode).toBe(200);
    expect((await page(10)).statusCode).toBe(200);
    const crossing = await page(10);
    expect(crossing.statusCode).toBe(423);
    expect(crossing.json().message).toMatch(/download quota reached/);
    expect(crossing.body).not.toContain('D1');
    expect((await officer.get('/api/me')).statusCode).toBe(401);
    expect((await t.rt.access.accounts.get('quota-officer'))!.status).toBe('locked');
    const admin = await signIn(app, t.rt, 'administrator', { name: 'adam' });
    const id = (await t.rt.access.accounts.get('quota-officer'))!.id;
    clock += 1000;
    expect((await admin.post(`/api/accounts/${id}/unlock`, { reason: 'quota raised after supervisor review' })).statusCode).toBe(200);
    const again = await signIn(app, t.rt, 'customs-officer', { name: 'quota-officer' });
    expect((await again.get('/api/lines?limit=20')).statusCode).toBe(200);
    const events = await t.rt.audit.recent(40);
    expect(events.find((e) => e.event === 'lock' && e.principal === 'quota-officer')).toMatchObject({ detail: 'download quota reached' });
    expect(events.find((e) => e.event === 'unlock' && e.objectIds?.includes('quota-officer'))).toMatchObject({ principal: 'adam', outcome: 'allowed' });
    expect(events.find((e) => e.event === 'view-lines' && e.principal === 'quota-officer' && e.outcome === 'error')).toBeTruthy();
  });
});

describe('purpose per session', () => {
  it('when the deployment requires it, sign-in needs a purpose and every audit event of the session carries it', async () => {
    const u = await tempRuntime({ access: { settings: { requirePurpose: true } } });
    const a = buildApp(u.rt);
    try {
      await a.ready();
      await u.rt.access.accounts.add({ name: 'petra', role: 'investigator', password: PW, by: 'test' });
      const none = await a.inject({ method: 'POST', url: '/api/session', payload: { name: 'petra', password: PW } });
      expect(none.statusCode).toBe(400);
      expect(none.json().message).toMatch(/^purpose:/);
      const ok = await a.inject({ method: 'POST', url: '/api/session', payload: { name: 'petra', password: PW, purpose: 'case FIU-2026-0042' } });
      expect(ok.json()).toMatchObject({ requiresPurpose: true, purpose: 'case FIU-2026-0042' });
      const cookie = `parallax_session=${ok.cookies.find((c) => c.name === 'parallax_session')!.value}`;
      expect((await a.inject({ url: '/api/explore?by=origin', headers: { cookie } })).statusCode).toBe(200);
      const ev = (await u.rt.audit.recent(5)).find((e) => e.event === 'query');
      expect(ev).toMatchObject({ principal: 'petra', purpose: 'case FIU-2026-0042' });
    } finally {
      await a.close();
      await u.cleanup();
    }
  });
});

describe('rate limits', () => {
  it('limit sign-in attempts per address, whatever cookie is sent; signed-in sessions have their own allowance', async () => {
    const u = await tempRuntime({ access: { settings: { signInRatePerMinute: 3, requestRatePerMinute: 8 } } });
    const a = buildApp(u.rt);
    try {
      await a.ready();
      await u.rt.access.accounts.add({ name: 'rosa', role: 'investigator', password: PW, by: 'test' });
      const attempt = (i: number) => a.inject({ method: 'POST', url: '/api/session', payload: { name: 'rosa', password: 'not the password' }, headers: { cookie: `parallax_session=${'x'.repeat(42)}${i}` } });
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await attempt(i)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const limited = await attempt(9);
      expect(limited.json()).toMatchObject({ error: 'rate_limited' });
      // Anonymous requests with invented cookies share the address's allowance...
      const anon = [];
      for (let i = 0; i < 10; i++) anon.push((await a.inject({ url: '/api/me', headers: { cookie: `parallax_session=${'y'.repeat(42)}${i}` } })).statusCode);
      expect(anon.filter((c) => c === 429).length).toBeGreaterThan(0);
    } finally {
      await a.close();
      await u.cleanup();
    }
  });
});
