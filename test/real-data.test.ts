/**
 * The real public files in ../shared/data load with the built-in profiles. Skips (and says so) when the
 * shared folder is absent; the files are never copied into the repository (licences, see shared/data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ingestFile, type BatchResult } from '../src/ingest/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { explore } from '../src/explore/index.ts';
import { tempRuntime, type TempRuntime } from './temp-runtime.ts';

const SHARED = resolve('../shared/data');
const present = existsSync(SHARED);
let t: TempRuntime;
const results = new Map<string, BatchResult>();

describe.skipIf(!present)(`real data in ${SHARED}${present ? '' : ' (absent: skipped)'}`, () => {
  beforeAll(async () => {
    t = await tempRuntime();
  });
  afterAll(async () => t?.cleanup());

  const load = async (rel: string, profile: string, provider: string, overrides: Record<string, string> = {}) => {
    const r = await ingestFile({ store: t.rt.store, registry: t.rt.registry }, resolve(SHARED, rel), { profile, category: 'trade', provider, overrides, loadedBy: 'test' });
    results.set(rel, r);
    return r;
  };

  it('Korea Customs synthetic declarations: train and valid', async () => {
    const train = await load('customs/kcs-synthetic/train.csv', 'kcs', 'KR');
    const valid = await load('customs/kcs-synthetic/valid.csv', 'kcs', 'KR');
    // Every line loads: a declared value of 0 (358 train and 79 valid lines: samples, free of charge) is data,
    // flagged zero_value, no longer quarantined.
    expect(train).toMatchObject({ rows_read: 37385, rows_accepted: 37385, rows_rejected: 0, rows_without_usd: 0 });
    expect(valid).toMatchObject({ rows_read: 8134, rows_accepted: 8134, rows_rejected: 0, rows_without_usd: 0 });
    const db = scopedDb(t.rt.store, localOperatorScope());
    const zeros = await explore(db, { by: ['batch', 'zero_value'], measures: ['lines'], where: 'provider = KR and zero_value = true', sort: [{ key: 'batch', dir: 'asc' }] });
    expect(zeros.rows.map((r) => [r['batch'], r['lines']])).toEqual([
      [train.batch_id, 358],
      [valid.batch_id, 79],
    ]);
    const byOffice = await explore(db, { by: ['port'], measures: ['lines', 'inspected', 'fraud'], where: 'provider = KR', limit: 100 });
    expect(byOffice.totals['lines']).toBe(37385 + 8134);
    expect(byOffice.totals['inspected']).toBe(37385 + 8134);
  });

  it('EU fishery declarations: every file', async () => {
    const withDates = ['Fishery2002.txt', 'Fishery2003.txt', 'Fishery2004.txt'];
    for (const f of withDates) {
      const r = await load(`customs/eu-fishery/${f}`, 'fishery', 'EU', { hs_code: '030389' });
      expect(r.rows_rejected).toBe(0);
      expect(r.rows_read).toBeGreaterThan(150);
    }
    const plain = await load('customs/eu-fishery/fishery.txt', 'fishery', 'EU', { hs_code: '030389', date: '2002-01-01' });
    expect(plain).toMatchObject({ rows_read: 677, rows_accepted: 677 });
    const trade1 = await load('customs/eu-fishery/inttrade1.txt', 'fishery', 'EU', { hs_code: '030389', date: '2002-01-01' });
    expect(trade1).toMatchObject({ rows_read: 3867, rows_accepted: 3867 });
  });

  it('GFI mirror statistics: both sides of every pair-year (the CIF record of each import side; FOB duplicates filtered by the profile)', async () => {
    const r = await load('mirror/gfi-dots/dots-trade-misinvoicing-2015-2018.csv.gz', 'gfi-dots', 'GFI');
    expect(r).toMatchObject({ rows_read: 92100, rows_accepted: 86480, rows_rejected: 0, rows_filtered: 5620 });
    const check = await t.rt.store.withWriteConnection(async (c) =>
      (
        await c.runAndReadAll(`SELECT count(*)::INTEGER n,
            count(*) FILTER (WHERE flow = 'import' AND abs(value / 1.06 - (attrs->>'value_m')::DOUBLE) > 0.005)::INTEGER bad_m,
            count(*) FILTER (WHERE reporter = 'US')::INTEGER us
          FROM mirror_stats`)
      ).getRowObjectsJson()[0],
    );
    expect(check).toMatchObject({ n: 172960, bad_m: 0 });
    expect(Number(check!['us'])).toBeGreaterThan(0);
  });
});
