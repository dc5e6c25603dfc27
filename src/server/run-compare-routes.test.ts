// Comparing runs over HTTP (app.inject, real stores, real sign-in): GET /api/runs/compare counts what is new,
// gone and changed per detector; GET /api/anomalies?against=&change= lists one class; both through the
// caller's scope (a customs officer's comparison never counts a payment mismatch) and audited; bad requests
// are 400 naming the parameter, never echoing a value.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope } from '../query/index.ts';
import { runAnalysis } from '../detect/index.ts';
import type { AnomalyPage, RunComparison } from '../api-contract/index.ts';
import { buildApp } from './index.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';
const DETECTORS = { detectors: ['price-iqr', 'payment-mismatch'], params: { 'price-iqr': { window_months: 0 } } };

let t: TempRuntime;
let app: FastifyInstance;
let investigator: TestClient;
let officer: TestClient;

beforeAll(async () => {
  t = await tempRuntime();
  const deps = { store: t.rt.store, registry: t.rt.registry };
  const line = (id: string, price: number) => canonicalLine({ declaration_id: id, value: price, quantity: 1, net_mass_kg: 1, invoice_ref: `INV-${id}` });
  const csv = (name: string, header: string, rows: string[]) => t.file(name, `${header}\n${rows.join('\n')}\n`);
  const trade = { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' } as const;
  await ingestFile(deps, csv('a.csv', CANONICAL_HEADER, [...Array.from({ length: 10 }, (_, i) => line(`D${i}`, 10 + i)), line('DX', 100)]), trade);
  await runAnalysis(t.rt.store, localOperatorScope(), DETECTORS);
  // A new batch: DX corrected, DN an outlier, and a payment that pays D1 (11) twice over in cash.
  await ingestFile(deps, csv('b.csv', CANONICAL_HEADER, [line('DX', 15), line('DN', 200)]), trade);
  await ingestFile(deps, csv('p.csv', PAY_HEADER, [['P1', '2024-03-20', 22, 'USD', 'Acme Steel LLC', 'IMP1', 'US', 'Hebei Iron Co Ltd', 'EXP1', 'CN', 'cash', 'INV-D1'].join(',')]), {
    ...trade,
    category: 'financial',
  });
  await runAnalysis(t.rt.store, localOperatorScope(), DETECTORS);
  app = buildApp(t.rt);
  await app.ready();
  investigator = await signIn(app, t.rt, 'investigator');
  officer = await signIn(app, t.rt, 'customs-officer');
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('GET /api/runs/compare and GET /api/anomalies?against=&change=', () => {
  it('counts per detector what is new, gone and changed; the latest run by default', async () => {
    const res = await investigator.get('/api/runs/compare?base=R000001');
    expect(res.statusCode).toBe(200);
    const c = res.json() as RunComparison;
    expect(c).toMatchObject({ base: 'R000001', run: 'R000002', batches_added: { US: ['B000002', 'B000003'] }, batches_dropped: {} });
    const by = Object.fromEntries(c.detectors.map((d) => [d.detector, d]));
    expect(by['price-iqr']).toEqual({ detector: 'price-iqr', in_base: true, in_run: true, settings_changed: false, base: 1, run: 1, new: 1, gone: 1, changed: 0, same: 0 });
    expect(by['payment-mismatch']).toMatchObject({ base: 0, run: 1, new: 1, gone: 0 });
    expect(c.totals).toEqual({ base: 1, run: 2, new: 2, gone: 1, changed: 0, same: 0 });
    const ev = (await t.rt.audit.recent(20)).find((e) => e.event === 'compare-runs' && e.principal === investigator.name);
    expect(ev).toMatchObject({ outcome: 'allowed', objectIds: ['R000001', 'R000002'] });
  });

  it('lists the new and the gone anomalies with the other filters', async () => {
    const page = async (q: string) => {
      const r = await investigator.get(`/api/anomalies?${q}`);
      expect(r.statusCode).toBe(200);
      return r.json() as AnomalyPage;
    };
    const fresh = await page('against=R000001&change=new&detector=price-iqr');
    expect(fresh).toMatchObject({ run_id: 'R000002', total: 1 });
    expect(fresh.rows[0]!.subject.declaration_id).toBe('DN');
    const gone = await page('against=R000001&change=gone');
    expect(gone).toMatchObject({ run_id: 'R000001', total: 1 });
    expect(gone.rows[0]!.subject.declaration_id).toBe('DX');
    expect((await page('against=R000001&change=new')).total).toBe(2);
    expect((await page('against=R000001&change=new&period=2023')).total).toBe(0);
  });

  it("applies the caller's scope: a customs officer's comparison has no payment mismatch", async () => {
    const c = (await officer.get('/api/runs/compare?base=R000001&run=R000002')).json() as RunComparison;
    expect(c.detectors.find((d) => d.detector === 'payment-mismatch')).toMatchObject({ base: 0, run: 0, new: 0 });
    expect(c.totals).toMatchObject({ new: 1, gone: 1 });
    // Nor does the run listing reveal the payment batch, or count the payment mismatch.
    expect(c.batches_added).toEqual({ US: ['B000002'] });
    const runs = (await officer.get('/api/runs')).json() as { run_id: string; anomalies: number; data_version: Record<string, string[]> }[];
    expect(runs[0]).toMatchObject({ run_id: 'R000002', anomalies: 1, data_version: { US: ['B000001', 'B000002'] } });
    const all = (await investigator.get('/api/runs')).json() as typeof runs;
    expect(all[0]).toMatchObject({ run_id: 'R000002', anomalies: 2, data_version: { US: ['B000001', 'B000002', 'B000003'] } });
    const fresh = (await officer.get('/api/anomalies?against=R000001&change=new')).json() as AnomalyPage;
    expect(fresh.rows.map((a) => a.detector)).toEqual(['price-iqr']);
  });

  it('answers 400 naming the parameter for bad or unknown runs and a change without against', async () => {
    for (const [url, text] of [
      ['/api/runs/compare', /base/],
      ['/api/runs/compare?base=R1%27--', /base/],
      ['/api/runs/compare?base=R000009', /compared run R000009 is not a run you can see/],
      ['/api/anomalies?change=new', /against and change go together/],
      ['/api/anomalies?against=R000001', /against and change go together/],
      ['/api/anomalies?against=R000001&change=vanished', /change/],
      ['/api/anomalies?against=R000042&change=new', /compared run R000042 is not a run you can see/],
    ] as const) {
      const r = await investigator.get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.body, url).toMatch(text);
      expect(r.body).not.toContain("'--");
    }
  });

  it('is refused to a role without anomalies:read', async () => {
    const exec = await signIn(app, t.rt, 'executive');
    expect((await exec.get('/api/runs/compare?base=R000001')).statusCode).toBe(403);
  });
});
