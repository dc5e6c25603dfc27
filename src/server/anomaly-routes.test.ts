// GET /api/anomalies/:id with the parties behind the anomaly's rows: an investigator gets links to the
// importer and exporter of a flagged line and to the payer and payee of a payment mismatch; a customs officer
// gets the trade parties but never a payment one; a deployment whose policy withholds parties:read, and an
// aggregate-only scope, get none. Real stores, real sign-in, real resolution and analysis.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb, type Scope } from '../query/index.ts';
import { resolveParties } from '../parties/index.ts';
import { runAnalysis } from '../detect/index.ts';
import { buildApp } from './index.ts';
import { anomalyParties } from './anomaly-parties.ts';
import { signIn } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

const REPO = join(import.meta.dirname, '..', '..');
const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';

/** Ten lines of one good, the last priced far above the others and traded by its own pair of parties; a payment that overpays it. */
async function load(t: TempRuntime): Promise<void> {
  const deps = { store: t.rt.store, registry: t.rt.registry };
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) =>
    canonicalLine({
      declaration_id: `IM${i}`,
      value: p * 10,
      quantity: 10,
      net_mass_kg: 10,
      invoice_ref: `INV-${i}`,
      ...(i === 9 ? { importer_id: 'IMP9', importer_name: 'Outlier Imports Inc', exporter_id: 'EXP9', exporter_name: 'Faraway Exports Ltd' } : {}),
    }),
  );
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

interface AnomalyBody {
  anomaly_id: string;
  detector: string;
  subject: { declaration_id: string | null };
  parties: { party_id: string; name: string | null; roles: string[]; rows: number }[];
}

async function anomalyOf(api: Awaited<ReturnType<typeof signIn>>, detector: string, declaration: string): Promise<AnomalyBody> {
  const list = (await api.get(`/api/anomalies?detector=${detector}&limit=100`)).json() as { rows: AnomalyBody[] };
  const a = list.rows.find((r) => r.subject.declaration_id === declaration);
  expect(a, `${detector} anomaly on ${declaration}`).toBeDefined();
  const res = await api.get(`/api/anomalies/${a!.anomaly_id}`);
  expect(res.statusCode).toBe(200);
  return res.json() as AnomalyBody;
}

describe('anomaly party links', () => {
  it('gives an investigator the importer and exporter of a flagged line, each a party page it can open', async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOf(api, 'price-iqr', 'IM9');
    expect(a.parties.map((p) => [p.name, p.roles, p.rows])).toEqual(
      expect.arrayContaining([
        ['Outlier Imports Inc', ['importer'], 1],
        ['Faraway Exports Ltd', ['exporter'], 1],
      ]),
    );
    expect(a.parties).toHaveLength(2);
    for (const p of a.parties) {
      const page = await api.get(`/api/parties/${encodeURIComponent(p.party_id)}`);
      expect(page.statusCode).toBe(200);
      expect(JSON.stringify(page.json())).toContain(p.name!);
    }
    // The parties opened are recorded with the view.
    await t.rt.audit.flush();
    const last = await t.rt.control.db.selectFrom('audit_events').select('object_ids').where('event', '=', 'view-anomaly').where('principal', '=', api.name).orderBy('id', 'desc').executeTakeFirst();
    for (const id of [a.anomaly_id, ...a.parties.map((p) => p.party_id)]) expect(String(last?.object_ids)).toContain(id);
  });

  it('gives an investigator the payer and payee of a payment mismatch, and the lines\' parties', async () => {
    const api = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOf(api, 'payment-mismatch', 'IM9');
    const roles = Object.fromEntries(a.parties.map((p) => [p.name, p.roles]));
    expect(roles).toMatchObject({ 'Shell Payer Ltd': ['payer'], 'Island Payee Corp': ['payee'], 'Outlier Imports Inc': ['importer'], 'Faraway Exports Ltd': ['exporter'] });
  });

  it('gives a customs officer the trade parties and never a payment party', async () => {
    const officer = await signIn(app, t.rt, 'customs-officer');
    const a = await anomalyOf(officer, 'price-iqr', 'IM9');
    expect(a.parties.map((p) => p.name).sort()).toEqual(['Faraway Exports Ltd', 'Outlier Imports Inc']);
    const inv = await signIn(app, t.rt, 'investigator');
    const mismatch = ((await inv.get('/api/anomalies?detector=payment-mismatch')).json() as { rows: AnomalyBody[] }).rows[0]!;
    // The payment mismatch discloses payments: the officer cannot open it, so its parties cannot leak either.
    expect((await officer.get(`/api/anomalies/${mismatch.anomaly_id}`)).statusCode).toBe(404);
    // An executive reads no anomaly (and no named party) at all.
    const exec = await signIn(app, t.rt, 'executive');
    expect((await exec.get(`/api/anomalies/${mismatch.anomaly_id}`)).statusCode).toBe(403);
  });

  it('lists no party for an aggregate-only scope or a scope without the lines', async () => {
    const inv = await signIn(app, t.rt, 'investigator');
    const a = await anomalyOf(inv, 'price-iqr', 'IM9');
    const aggregate: Scope = { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };
    expect(await anomalyParties(scopedDb(t.rt.store, aggregate), a.anomaly_id)).toEqual([]);
    const otherProvider: Scope = { principal: 'y', grants: [{ category: 'trade', providers: ['MX'], level: 'row' }] };
    expect(await anomalyParties(scopedDb(t.rt.store, otherProvider), a.anomaly_id)).toEqual([]);
  });
});

describe('anomaly party links where the policy withholds parties:read', () => {
  let t2: TempRuntime;
  let app2: FastifyInstance;
  beforeAll(async () => {
    // The shipped policies, except that customs officers may not read named parties.
    const base = await tempRuntime();
    const policyDir = join(base.dir, 'policies');
    await base.cleanup();
    cpSync(join(REPO, 'policies'), policyDir, { recursive: true });
    const file = join(policyDir, 'customs-officer.cedar');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('Action::"parties:read", ');
    writeFileSync(file, text.replace('Action::"parties:read", ', ''));
    t2 = await tempRuntime({ access: { policyDir } });
    await load(t2);
    app2 = buildApp(t2.rt);
    await app2.ready();
  });
  afterAll(async () => {
    await app2?.close();
    await t2?.cleanup();
  });

  it('opens the anomaly with an empty party list', async () => {
    const officer = await signIn(app2, t2.rt, 'customs-officer');
    expect((await officer.get('/api/parties?q=Outlier')).statusCode).toBe(403);
    const a = await anomalyOf(officer, 'price-iqr', 'IM9');
    expect(a.parties).toEqual([]);
  });
});
