// The drill-down routes the web's explanations and lines panel read: the comparison group of a price anomaly
// (exactly the lines its statistic used: same window, flow, partner and unit), what lines link to (their
// anomalies and parties), reference names, and per-detector counts of runs as each role may read them.
// Real stores, real sign-in, real resolution and analysis.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { resolveParties } from '../parties/index.ts';
import { runAnalysis } from '../detect/index.ts';
import { buildApp } from './index.ts';
import { anomalyParties, evidenceRefs } from './anomaly-parties.ts';
import { signIn } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';

/**
 * One good imported from CN: 12 lines in March 2024 priced 10..21 per kg and one at 100 (the outlier, G12);
 * three lines of the same good two years earlier (outside the 12-month window) priced 60, three priced per
 * piece (another unit) and three from VN: none of those nine is in the outlier's comparison group.
 */
async function load(t: TempRuntime): Promise<void> {
  const deps = { store: t.rt.store, registry: t.rt.registry };
  const lines = [
    ...Array.from({ length: 12 }, (_, i) => canonicalLine({ declaration_id: `G${i}`, value: (10 + i) * 10, quantity: 10, net_mass_kg: 10, invoice_ref: `INV-G${i}` })),
    canonicalLine({ declaration_id: 'G12', value: 1000, quantity: 10, net_mass_kg: 10, importer_id: 'IMP9', importer_name: 'Outlier Imports Inc', exporter_id: 'EXP9', exporter_name: 'Faraway Exports Ltd', invoice_ref: 'INV-9' }),
    ...Array.from({ length: 3 }, (_, i) => canonicalLine({ declaration_id: `OLD${i}`, date: '2022-03-05', value: 600, quantity: 10, net_mass_kg: 10 })),
    ...Array.from({ length: 3 }, (_, i) => canonicalLine({ declaration_id: `NO${i}`, value: 5000, quantity: 5, quantity_unit: 'NO', net_mass_kg: 10 })),
    ...Array.from({ length: 3 }, (_, i) => canonicalLine({ declaration_id: `VN${i}`, origin_country: 'VN', departure_country: 'VN', value: 300, quantity: 10, net_mass_kg: 10 })),
  ];
  await ingestFile(deps, t.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const pay = ['P1', '2024-03-20', 5000, 'USD', 'Shell Payer Ltd', 'PAY1', 'US', 'Island Payee Corp', 'PAYEE1', 'CN', 'wire', 'INV-9'].join(',');
  await ingestFile(deps, t.file('p.csv', `${PAY_HEADER}\n${pay}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  await resolveParties(t.rt.store, localOperatorScope(), []);
  await runAnalysis(t.rt.store, localOperatorScope(), {});
}

let t: TempRuntime;
let app: FastifyInstance;

beforeAll(async () => {
  t = await tempRuntime();
  await load(t);
  app = buildApp(t.rt);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

interface AnomalyRow {
  anomaly_id: string;
  detector: string;
  row_ids: string[];
  subject: { declaration_id: string | null };
  evidence: Record<string, unknown>;
}

async function anomalyOn(api: Awaited<ReturnType<typeof signIn>>, detector: string, declaration: string): Promise<AnomalyRow> {
  const rows = ((await api.get(`/api/anomalies?detector=${detector}&limit=100`)).json() as { rows: AnomalyRow[] }).rows;
  const a = rows.find((r) => r.subject.declaration_id === declaration);
  expect(a, `${detector} on ${declaration}`).toBeDefined();
  return a!;
}

describe('comparison group of a price anomaly', () => {
  it("returns exactly the lines the detector's statistic used, and an explore filter selecting the same lines", async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOn(api, 'price-iqr', 'G12');
    const res = await api.get(`/api/anomalies/${a.anomaly_id}/group`);
    expect(res.statusCode).toBe(200);
    const g = res.json() as { n: number; n_at_run: number; values: number[]; median: number; q1: number; q3: number; where: string; sampled: boolean; definition: Record<string, unknown> };
    // 13 lines of March 2024 from CN per kg: not the old ones, not the ones per piece, not the ones from VN.
    expect(g.n).toBe(13);
    expect(g.n_at_run).toBe(a.evidence['n']);
    expect(g.definition).toMatchObject({ hs6: '720851', flow: 'import', unit: 'KG', partner: 'CN', from: '2023-04-01', to: '2024-03-31', window_months: 12 });
    expect(g.values).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 100]);
    expect(g.sampled).toBe(false);
    // The same quartiles as the evidence the detector stored.
    expect(g.median).toBeCloseTo(a.evidence['median'] as number, 9);
    expect(g.q1).toBeCloseTo(a.evidence['q1'] as number, 9);
    expect(g.q3).toBeCloseTo(a.evidence['q3'] as number, 9);
    const ex = (await api.get(`/api/explore?by=flow&measure=lines,value&where=${encodeURIComponent(g.where)}`)).json() as { rows: { lines: number; value: number }[] };
    expect(ex.rows).toEqual([expect.objectContaining({ lines: 13, value: 10 * (10 + 11 + 12 + 13 + 14 + 15 + 16 + 17 + 18 + 19 + 20 + 21) + 1000 })]);
  });

  it('answers 404 for an anomaly that compares with no group, and refuses a scope without lines', async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const m = await anomalyOn(api, 'payment-mismatch', 'G12');
    expect((await api.get(`/api/anomalies/${m.anomaly_id}/group`)).statusCode).toBe(404);
    expect((await api.get('/api/anomalies/no-such-anomaly/group')).statusCode).toBe(404);
    const exec = await signIn(app, t.rt, 'executive');
    const a = await anomalyOn(api, 'price-iqr', 'G12');
    expect((await exec.get(`/api/anomalies/${a.anomaly_id}/group`)).statusCode).toBe(403);
  });
});

describe('line links', () => {
  it("lists the anomalies of the latest run and the parties of each line; a customs officer gets no payment anomaly", async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOn(api, 'price-iqr', 'G12');
    const row = a.row_ids[0]!;
    const links = (await api.get(`/api/lines/links?rows=${row}`)).json() as { run_id: string; anomalies: { row_id: string; detector: string; anomaly_id: string }[]; parties: { role: string; name: string }[] };
    expect(links.run_id).toBe('R000001');
    expect(links.anomalies.map((x) => x.detector)).toEqual(expect.arrayContaining(['price-iqr', 'payment-mismatch']));
    expect(links.anomalies.every((x) => x.row_id === row)).toBe(true);
    expect(links.parties.map((p) => [p.role, p.name]).sort()).toEqual([
      ['exporter', 'Faraway Exports Ltd'],
      ['importer', 'Outlier Imports Inc'],
    ]);
    const officer = await signIn(app, t.rt, 'customs-officer');
    const seen = (await officer.get(`/api/lines/links?rows=${row}`)).json() as { anomalies: { detector: string }[] };
    expect(seen.anomalies.map((x) => x.detector)).toContain('price-iqr');
    expect(seen.anomalies.map((x) => x.detector)).not.toContain('payment-mismatch');
    expect((await api.get('/api/lines/links?rows=12;DROP')).statusCode).toBe(400);
  });
});

describe('anomaly party references', () => {
  it('resolves the references an evidence names beyond the rows, and says which reference each party stands for', async () => {
    expect(evidenceRefs({ party: 'IMP9', legs: [{ exporter: 'EXP1', importer: 'IMP1' }, { exporter: 'IMP1', importer: 'IMP9' }], parties: ['IMP9', 'EXP9'] }).sort()).toEqual(['EXP1', 'EXP9', 'IMP1', 'IMP9']);
    const api = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOn(api, 'price-iqr', 'G12');
    const parties = await anomalyParties(scopedDb(t.rt.store, localOperatorScope()), a.anomaly_id, { provider: 'US', refs: ['EXP1'] });
    expect(parties.find((p) => p.name === 'Outlier Imports Inc')).toMatchObject({ refs: ['IMP9'], roles: ['importer'], rows: 1 });
    expect(parties.find((p) => p.name === 'Hebei Iron Co Ltd')).toMatchObject({ refs: ['EXP1'], roles: [], rows: 0 });
  });
});

describe('reference names and per-detector run counts', () => {
  it('names HS sections, ports and countries, and asks for codes of the large kinds', async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const sections = (await api.get('/api/reference/names?kind=hs_sections')).json() as { names: Record<string, string> };
    expect(Object.keys(sections.names)).toHaveLength(21);
    expect(sections.names['XVI']).toMatch(/machinery/i);
    expect(((await api.get('/api/reference/names?kind=ports&codes=USLAX')).json() as { names: Record<string, string> }).names).toEqual({ USLAX: expect.stringMatching(/Los Angeles/) });
    expect(((await api.get('/api/reference/names?kind=hs4&codes=7208,0000')).json() as { names: Record<string, string> }).names).toEqual({ '7208': expect.stringMatching(/iron|steel/i) });
    expect((await api.get('/api/reference/names?kind=hs6')).statusCode).toBe(400);
  });

  it("counts each detector's anomalies of a run, and leaves out detectors whose anomalies a role may not read", async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const [run] = (await api.get('/api/runs')).json() as { detector_counts: Record<string, number> }[];
    expect(run!.detector_counts['price-iqr']).toBeGreaterThan(0);
    expect(run!.detector_counts['payment-mismatch']).toBe(1);
    expect(run!.detector_counts['learned-risk']).toBe(0);
    const officer = await signIn(app, t.rt, 'customs-officer');
    const [seen] = (await officer.get('/api/runs')).json() as { detector_counts: Record<string, number> }[];
    expect(Object.keys(seen!.detector_counts)).not.toContain('payment-mismatch');
    expect(seen!.detector_counts['price-iqr']).toBe(run!.detector_counts['price-iqr']);
  });
});
