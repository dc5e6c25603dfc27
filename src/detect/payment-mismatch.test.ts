// Hand-computed payment-mismatch cases: invoice_ref link summing a declaration's lines, the ratio band,
// third-country payer/payee, cash, combined reasons and scores; a trade-only scope sees nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb, type Scope } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { paymentMismatch } from './payment-mismatch.ts';

let t: TempRuntime;
const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';
const pay = (id: string, amount: number, payer: string, payee: string, instrument: string, ref: string) =>
  [id, '2024-03-20', amount, 'USD', 'Acme Steel LLC', 'IMP1', payer, 'Hebei Iron Co Ltd', 'EXP1', payee, instrument, ref].join(',');

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    canonicalLine({ declaration_id: 'D1', line_no: 1, value: 600, invoice_ref: 'INV-1' }),
    canonicalLine({ declaration_id: 'D1', line_no: 2, value: 400, invoice_ref: 'INV-1' }),
  ];
  const deps = { store: t.rt.store, registry: t.rt.registry };
  await ingestFile(deps, t.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const pays = [
    pay('P1', 1500, 'US', 'CN', 'wire', 'INV-1'), // ratio 1.5
    pay('P2', 1000, 'US', 'CN', 'wire', 'INV-1'), // clean
    pay('P3', 990, 'US', 'SG', 'wire', 'INV-1'), // payee in a third country
    pay('P4', 1000, 'US', 'AE', 'cash', 'INV-1'), // cash and third-country payee
    pay('P5', 50, 'US', 'CN', 'cash', 'INV-9'), // no visible declaration: not judged
  ];
  await ingestFile(deps, t.file('p.csv', `${PAY_HEADER}\n${pays.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t.cleanup());

async function run(scope: Scope = localOperatorScope(), params: Record<string, unknown> = {}) {
  const rows = (await paymentMismatch.build(scopedDb(t.rt.store, scope), parseParams(paymentMismatch, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('payment-mismatch', () => {
  it('flags the over-payment, the third-country payee and cash, with combined reasons and scores', async () => {
    const rows = await run();
    const by = Object.fromEntries(rows.map((r) => [r.evidence.payment_id, r]));
    expect(Object.keys(by).sort()).toEqual(['P1', 'P3', 'P4']);
    const p1 = by['P1']!;
    expect(p1.evidence).toMatchObject({ paid: 1500, invoiced: 1000, ratio: 1.5, currency: 'USD', payer_country: 'US', payee_country: 'CN', instrument: 'wire', declaration_ids: ['D1'], declaration_countries: ['CN', 'US'], amount_mismatch: true, cash: false });
    expect(p1['score']).toBe(55.26); // 50 + 40 * ln(1.5 / 1.25) / ln 4
    expect(p1['subject_kind']).toBe('payment');
    expect(p1['declaration_id']).toBe('D1');
    expect(p1['reason']).toBe('Payment P1: paid 1500.00 USD against 1000.00 invoiced on D1 (ratio 1.50, outside [0.80, 1.25])');
    expect(p1['row_ids']).toHaveLength(3); // the payment and both lines
    expect(by['P3']!['score']).toBe(70);
    expect(by['P3']!['reason']).toBe('Payment P3: payee in SG, a country not on the declaration (CN, US)');
    expect(by['P4']!['score']).toBe(80); // 70 + 10 for the second failed test
    expect(by['P4']!['reason']).toBe('Payment P4: payee in AE, a country not on the declaration (CN, US); settled in cash (1000.00 USD) for traded goods');
  });

  it('returns nothing (no error) for a scope without financial data', async () => {
    const tradeOnly: Scope = { principal: 't', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    expect(await run(tradeOnly)).toEqual([]);
  });

  it('tests can be switched off; bad parameters are named', async () => {
    const rows = await run(localOperatorScope(), { cash: false, third_country: false });
    expect(rows.map((r) => r.evidence.payment_id)).toEqual(['P1']);
    expect(() => parseParams(paymentMismatch, { min_ratio: 1.5 })).toThrow(/parameter payment-mismatch\.min_ratio:/);
  });
});
