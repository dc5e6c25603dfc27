// Comparing two stored runs: a hand-made price group where a correcting batch removes one outlier and adds
// another (exactly one new, one gone, and the outlier kept either changed or same by its own two scores);
// listing each class with the other filters; refusing runs the caller cannot see. Then, on generated data
// with every detector that has data, subject keys are unique per detector within a run and a rerun on the
// same data compares as all same (the keys are stable, not row-order accidents), also for an incremental run.
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb, type Scope } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { AnomalyFilterError } from './anomaly-queries.ts';
import { compareRuns, listAnomalyChanges, previousRunId } from './compare-runs.ts';
import { DETECTORS } from './detector-registry.ts';
import { runAnalysis } from './run-analysis.ts';

const operator = localOperatorScope('tester');
const IQR = { detectors: ['price-iqr'], params: { 'price-iqr': { window_months: 0 } } };

describe('compare runs: a correcting batch on a hand-made price group', () => {
  let t: TempRuntime;
  const line = (id: string, price: number) => canonicalLine({ declaration_id: id, value: price, quantity: 1, net_mass_kg: 1, invoice_ref: `INV-${id}` });
  const load = (name: string, body: string[]) =>
    ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, `${CANONICAL_HEADER}\n${body.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  let r1: string;
  let r2: string;

  beforeAll(async () => {
    t = await tempRuntime();
    // Ten ordinary prices 10..19, DK at 60 and DX at 100: both far above the upper fence.
    await load('a.csv', [...Array.from({ length: 10 }, (_, i) => line(`D${i}`, 10 + i)), line('DK', 60), line('DX', 100)]);
    r1 = (await runAnalysis(t.rt.store, operator, IQR)).run_id;
    // The correction re-sends DX at an ordinary 15 (superseding the old row) and adds DN at 200.
    await load('b.csv', [line('DX', 15), line('DN', 200)]);
    r2 = (await runAnalysis(t.rt.store, operator, IQR)).run_id;
  });
  afterAll(async () => t?.cleanup());

  const flagged = async (run: string) => {
    const k = scopedDb(t.rt.store, operator).db as Kysely<any>;
    const rows = await k.selectFrom('anomalies as a').select(['a.declaration_id', 'a.score']).where('a.run_id', '=', run).orderBy('a.declaration_id').execute();
    return Object.fromEntries(rows.map((r) => [String(r['declaration_id']), Number(r['score'])]));
  };

  it('counts new, gone and changed per detector, matching lines by declaration and line number', async () => {
    const [s1, s2] = [await flagged(r1), await flagged(r2)];
    expect(Object.keys(s1)).toEqual(['DK', 'DX']);
    expect(Object.keys(s2)).toEqual(['DK', 'DN']);
    const dkMoved = Math.abs(s1['DK']! - s2['DK']!) >= 0.01;

    const c = await compareRuns(scopedDb(t.rt.store, operator), r1, r2);
    expect(c).toMatchObject({ base: r1, run: r2, batches_added: { US: ['B000002'] }, batches_dropped: {} });
    expect(c.detectors).toEqual([
      { detector: 'price-iqr', in_base: true, in_run: true, settings_changed: false, base: 2, run: 2, new: 1, gone: 1, changed: dkMoved ? 1 : 0, same: dkMoved ? 0 : 1 },
    ]);
    expect(c.totals).toEqual({ base: 2, run: 2, new: 1, gone: 1, changed: dkMoved ? 1 : 0, same: dkMoved ? 0 : 1 });
    // The same runs the other way round: what was new is gone.
    const back = await compareRuns(scopedDb(t.rt.store, operator), r2, r1);
    expect(back.totals).toMatchObject({ new: 1, gone: 1 });
  });

  it('lists each class of change with the other filters of the anomaly list', async () => {
    const db = scopedDb(t.rt.store, operator);
    const ids = async (change: 'new' | 'gone' | 'changed' | 'same', more: Record<string, unknown> = {}) => {
      const p = await listAnomalyChanges(db, { run: r2, against: r1, change, ...more });
      return { run: p.run_id, ids: p.rows.map((a) => a.subject.declaration_id), total: p.total };
    };
    expect(await ids('new')).toEqual({ run: r2, ids: ['DN'], total: 1 });
    // Gone lists the compared run's anomaly: the old DX row, as it was flagged then.
    const gone = await listAnomalyChanges(db, { run: r2, against: r1, change: 'gone' });
    expect(gone.run_id).toBe(r1);
    expect(gone.rows.map((a) => [a.subject.declaration_id, a.run_id])).toEqual([['DX', r1]]);
    expect(gone.rows[0]!.reason).toMatch(/100/);
    const kept = [...(await ids('changed')).ids, ...(await ids('same')).ids];
    expect(kept).toEqual(['DK']);
    // Combined with a line filter and a detector filter.
    expect((await ids('new', { period: '2023' })).total).toBe(0);
    expect((await ids('new', { hs: '7208', detector: 'price-iqr' })).ids).toEqual(['DN']);
    // Default run: the latest.
    expect((await listAnomalyChanges(db, { against: r1, change: 'new' })).run_id).toBe(r2);
    expect(await previousRunId(db, r2)).toBe(r1);
    expect(await previousRunId(db, r1)).toBeNull();
  });

  it('marks a detector whose settings differ, or that only one run ran', async () => {
    const db = scopedDb(t.rt.store, operator);
    const strict = (await runAnalysis(t.rt.store, operator, { detectors: ['price-iqr', 'routing'], params: { 'price-iqr': { window_months: 0, k: 0 } } })).run_id;
    const c = await compareRuns(db, r2, strict);
    const by = Object.fromEntries(c.detectors.map((d) => [d.detector, d]));
    expect(by['price-iqr']).toMatchObject({ settings_changed: true, in_base: true, in_run: true });
    expect(by['routing']).toMatchObject({ settings_changed: false, in_base: false, in_run: true, gone: 0 });
  });

  it('refuses a run the caller cannot see, in the same words as one that does not exist', async () => {
    const db = scopedDb(t.rt.store, operator);
    await expect(compareRuns(db, 'R999999', r2)).rejects.toThrow(AnomalyFilterError);
    await expect(compareRuns(db, 'R999999', r2)).rejects.toThrow(/compared run R999999 is not a run you can see/);
    await expect(compareRuns(db, 'x; drop', r2)).rejects.toThrow(/compared run: use a run id like R000001/);
    // A partner analyst of another provider sees none of these runs.
    const mx: Scope = { ...operator, principal: 'mx', grants: operator.grants.map((g) => ({ ...g, providers: ['MX'] })) };
    await expect(compareRuns(scopedDb(t.rt.store, mx), r1, r2)).rejects.toThrow(/compared run R000001 is not a run you can see/);
    await expect(listAnomalyChanges(scopedDb(t.rt.store, mx), { run: r2, against: r1, change: 'new' })).rejects.toThrow(AnomalyFilterError);
  });
});

describe('compare runs: subject keys on generated data (5,000 lines, seed 7, declarations, payments and mirror statistics)', () => {
  let t: TempRuntime;
  // Every detector that needs no trained model or screening run: those have nothing to say here.
  const detectors = DETECTORS.map((d) => d.id).filter((id) => id !== 'learned-risk' && id !== 'watchlist-hit');

  beforeAll(async () => {
    t = await tempRuntime();
    const g = await generateDataset({ rows: 5000, seed: 7, outDir: join(t.dir, 'gen') });
    const deps = { store: t.rt.store, registry: t.rt.registry };
    await ingestFile(deps, g.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
    await ingestFile(deps, g.files.payments, { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
    await ingestFile(deps, g.files.mirror, { profile: 'canonical-mirror', category: 'trade', provider: 'US', loadedBy: 'test' });
  }, 180_000);
  afterAll(async () => t?.cleanup());

  it('keys are unique per detector, and a rerun on the same data (full or incremental) is all same', async () => {
    const a = await runAnalysis(t.rt.store, operator, { detectors });
    const fired = a.detectors.filter((d) => d.anomalies > 0).map((d) => d.id);
    // Line, party, party-month, pair and payment subjects all occur.
    expect(fired).toEqual(expect.arrayContaining(['price-iqr', 'party-surge', 'mirror-gap', 'payment-mismatch', 'benford']));
    const k = scopedDb(t.rt.store, operator).db as Kysely<any>;
    const dup = await k
      .selectFrom('anomalies as x')
      .select(['x.detector'])
      .where('x.run_id', '=', a.run_id)
      .groupBy(['x.detector', 'x.subject_key'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(dup).toEqual([]);
    const nullKeys = await k.selectFrom('anomalies as x').select((eb) => eb.fn.countAll().as('n')).where('x.run_id', '=', a.run_id).where('x.subject_key', 'is', null).executeTakeFirstOrThrow();
    expect(Number(nullKeys['n'])).toBe(0);

    const b = await runAnalysis(t.rt.store, operator, { detectors });
    const inc = await runAnalysis(t.rt.store, operator, { detectors, since: b.run_id });
    for (const other of [b.run_id, inc.run_id]) {
      const c = await compareRuns(scopedDb(t.rt.store, operator), a.run_id, other);
      const total = a.detectors.reduce((s, d) => s + d.anomalies, 0);
      expect(c.totals).toEqual({ base: total, run: total, new: 0, gone: 0, changed: 0, same: total });
      expect(c.detectors.every((d) => !d.settings_changed)).toBe(true);
    }
  }, 180_000);
});
