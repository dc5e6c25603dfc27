/**
 * The audit routes through the real app and real sign-in: an investigator sees only their own events and
 * cannot verify or read disclosures; an auditor reads everyone's events, verifies the chain and reads the
 * disclosure ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { buildApp } from './index.ts';

let t: TempRuntime;
let app: FastifyInstance;
let investigator: TestClient;
let auditor: TestClient;

beforeAll(async () => {
  t = await tempRuntime();
  app = buildApp(t.rt);
  investigator = await signIn(app, t.rt, 'investigator');
  auditor = await signIn(app, t.rt, 'auditor');
  for (let i = 0; i < 3; i++) await t.rt.audit.append({ event: 'export', principal: 'someone-else', source: '10.0.0.9', outcome: 'allowed', rowCount: 10 });
  await t.rt.auditTrail.disclosures.record({ principal: 'someone-else', nature: 'export lines csv', purpose: 'case 7', recipient: 'partner agency', rowCount: 10, bytes: 900 });
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

interface Page {
  total: number;
  rows: { principal: string; event: string; hash: string }[];
}

describe('GET /api/audit', () => {
  it("an investigator sees only their own events, and asking for another's is denied", async () => {
    expect((await investigator.get('/api/audit')).statusCode).toBe(200);
    const r = await investigator.get('/api/audit?limit=50');
    expect(r.statusCode).toBe(200);
    const body = r.json() as Page;
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.rows.every((x) => x.principal === investigator.name)).toBe(true);
    expect(body.rows.some((x) => x.event === 'audit-read')).toBe(true);
    expect((await investigator.get('/api/audit?principal=someone-else')).statusCode).toBe(403);
    const denied = await t.rt.audit.page({ principal: investigator.name, outcome: 'denied', limit: 5 });
    expect(denied.rows[0]).toMatchObject({ event: 'audit-read', outcome: 'denied' });
  });

  it("an auditor reads anyone's events with filters and paging", async () => {
    const r = await auditor.get('/api/audit?principal=someone-else&event=export&limit=2&offset=1');
    expect(r.statusCode).toBe(200);
    const body = r.json() as Page;
    expect(body.total).toBe(3);
    expect(body.rows).toHaveLength(2);
    expect(body.rows.every((x) => x.principal === 'someone-else' && /^[0-9a-f]{64}$/.test(x.hash))).toBe(true);
    expect((await auditor.get('/api/audit?limit=0')).statusCode).toBe(400);
    expect((await auditor.get('/api/audit?from=not-a-date')).statusCode).toBe(400);
  });
});

describe('GET /api/audit/verify and /api/disclosures', () => {
  it('need audit:verify and audit:read-all', async () => {
    expect((await investigator.get('/api/audit/verify')).statusCode).toBe(403);
    expect((await investigator.get('/api/disclosures')).statusCode).toBe(403);
  });

  it('an auditor verifies the chain and reads the disclosure ledger', async () => {
    const v = await auditor.get('/api/audit/verify');
    expect(v.statusCode).toBe(200);
    expect(v.json()).toMatchObject({ intact: true, firstBad: null });
    const d = await auditor.get('/api/disclosures?recipient=partner%20agency');
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ total: 1, rows: [{ principal: 'someone-else', nature: 'export lines csv', rowCount: 10, bytes: 900 }] });
  });
});
