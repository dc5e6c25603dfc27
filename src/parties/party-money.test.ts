// Party totals in US dollars, goods and payments apart: a party trading in KRW and USD and paying in EUR has a
// goods value and a paid amount, each the hand-computed USD sum, never one number adding goods to money or
// won to dollars; lines without a rate are counted. Real DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { exactSum, h10Rate, toUsd } from '../../test/fx-rates.ts';
import { resolveParties, searchParties, showParty } from './index.ts';

let t: TempRuntime;
const krw = h10Rate('South Korea', '2024-03')!;
const eur = h10Rate('Euro', '2024-03')!;
const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';

beforeAll(async () => {
  t = await tempRuntime();
  const deps = { store: t.rt.store, registry: t.rt.registry };
  const lines = [
    canonicalLine({ declaration_id: 'L1', value: 1000.25, currency: 'USD', date: '2024-03-05' }),
    canonicalLine({ declaration_id: 'L2', value: 2_000_000, currency: 'KRW', date: '2024-03-06' }),
    canonicalLine({ declaration_id: 'L3', value: 99, currency: 'ZZZ', date: '2024-03-07' }),
  ];
  await ingestFile(deps, t.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const pays = [['P1', '2024-03-20', 500, 'EUR', 'Acme Steel LLC', 'IMP1', 'US', 'Hebei Iron Co Ltd', 'EXP1', 'CN', 'wire', 'INV-1'].join(',')];
  await ingestFile(deps, t.file('p.csv', `${PAY_HEADER}\n${pays.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  await resolveParties(t.rt.store, localOperatorScope(), []);
});
afterAll(async () => t.cleanup());

describe('party totals', () => {
  it('search gives goods and payments apart, in USD, with the rows left out for want of a rate', async () => {
    const [acme] = await searchParties(scopedDb(t.rt.store, localOperatorScope()), 'Acme Steel');
    expect(acme).toMatchObject({ lines: 3, payments: 1, without_usd: 1 });
    expect(acme!.value_usd).toBe(exactSum([1000.25, toUsd(2_000_000, krw)]));
    expect(acme!.payments_usd).toBe(toUsd(500, eur));
  });

  it('the party page agrees: importer totals and paid amount in USD, counterparties apart', async () => {
    const db = scopedDb(t.rt.store, localOperatorScope());
    const [acme] = await searchParties(db, 'Acme Steel');
    const p = (await showParty(db, acme!.party_id))!;
    expect(p).toMatchObject({ lines: 3, value_usd: acme!.value_usd, payments: 1, payments_usd: acme!.payments_usd, without_usd: 1 });
    expect(p.totals.trade.as_importer).toMatchObject({ lines: 3, value_usd: acme!.value_usd, lines_without_usd: 1, declarations: 3 });
    expect(p.totals.payments!.as_payer).toMatchObject({ payments: 1, amount_usd: toUsd(500, eur), payments_without_usd: 0 });
    const hebei = p.counterparties[0]!;
    expect(hebei).toMatchObject({ lines: 3, value_usd: acme!.value_usd, payments: 1, payments_usd: toUsd(500, eur) });
    expect(hebei['relations']).toEqual(['payment:to', 'trade:from']);
  });
});
