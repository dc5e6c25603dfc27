// circular-trade: finds the cycles the generator planted (and nothing else in its clean data), and on a
// hand-made ring checks the window, the hs4 rule, time order and the evidence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { DetectorParamError } from './detector.ts';
import { planRun, runAnalysis } from './run-analysis.ts';

const operator = localOperatorScope('tester');

async function flagged(t: TempRuntime, runId: string) {
  return (scopedDb(t.rt.store, operator).db as Kysely<any>)
    .selectFrom('anomalies as a')
    .where('a.run_id', '=', runId)
    .select(['a.declaration_id', 'a.line_no', 'a.score', 'a.reason', 'a.evidence', 'a.row_ids'])
    .orderBy('a.declaration_id')
    .execute();
}

describe('circular-trade on generated data (30,000 lines, seed 7)', () => {
  let t: TempRuntime;
  let labels: string;
  beforeAll(async () => {
    t = await tempRuntime();
    const g = await generateDataset({ rows: 30000, seed: 7, outDir: join(t.dir, 'gen') });
    labels = g.files.labels;
    await ingestFile({ store: t.rt.store, registry: t.rt.registry }, g.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  }, 180_000);
  afterAll(async () => t?.cleanup());

  it('flags exactly the legs of the planted cycles', async () => {
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['circular-trade'] });
    const got = (await flagged(t, run.run_id)).map((r) => `${r['declaration_id']}#${r['line_no']}`).sort();
    // The generator's labels file names the planted legs; it writes one label row per leg.
    const want = readFileSync(labels, 'utf8')
      .split('\n')
      .filter((l) => l.includes(',circular-trade,'))
      .map((l) => l.split(','))
      .map((f) => `${f[1]}#${f[2]}`)
      .sort();
    expect(want.length).toBeGreaterThanOrEqual(3);
    expect(got).toEqual(want);
  }, 120_000);
});

describe('circular-trade on a hand-made ring', () => {
  let t: TempRuntime;
  // A exports to B; B ships to C; C ships back to A (hs4 7208), 40 and 70 days apart; plus lines that look like
  // a ring but are not one: the return leg in another heading, and a ring that closes after 14 months.
  const rows = [
    canonicalLine({ declaration_id: 'R1', flow: 'export', date: '2024-01-10', exporter_id: 'A', importer_id: 'B', hs_code: '720851', value: 50000 }),
    canonicalLine({ declaration_id: 'R2', date: '2024-02-19', exporter_id: 'B', importer_id: 'C', hs_code: '720852', value: 51000 }),
    canonicalLine({ declaration_id: 'R3', date: '2024-04-29', exporter_id: 'C', importer_id: 'A', hs_code: '720851', value: 52000 }),
    canonicalLine({ declaration_id: 'H1', flow: 'export', date: '2024-01-10', exporter_id: 'P', importer_id: 'Q', hs_code: '720851' }),
    canonicalLine({ declaration_id: 'H2', date: '2024-02-10', exporter_id: 'Q', importer_id: 'P', hs_code: '730890' }),
    canonicalLine({ declaration_id: 'W1', flow: 'export', date: '2023-01-05', exporter_id: 'X', importer_id: 'Y', hs_code: '850440' }),
    canonicalLine({ declaration_id: 'W2', date: '2024-03-05', exporter_id: 'Y', importer_id: 'X', hs_code: '850440' }),
    // M -> N -> K -> M in one heading, but K shipped to M before N shipped to K: no order of legs in time
    // carries the goods round, so it is not a ring.
    canonicalLine({ declaration_id: 'O1', date: '2024-05-01', exporter_id: 'M', importer_id: 'N', hs_code: '940360' }),
    canonicalLine({ declaration_id: 'O2', date: '2024-07-01', exporter_id: 'N', importer_id: 'K', hs_code: '940360' }),
    canonicalLine({ declaration_id: 'O3', date: '2024-06-01', exporter_id: 'K', importer_id: 'M', hs_code: '940360' }),
  ];
  beforeAll(async () => {
    t = await tempRuntime();
    await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('ring.csv', [CANONICAL_HEADER, ...rows].join('\n')), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  }, 60_000);
  afterAll(async () => t?.cleanup());

  it('flags the three legs of the ring with the cycle as evidence, and nothing else', async () => {
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['circular-trade'] });
    const got = await flagged(t, run.run_id);
    expect(got.map((r) => r['declaration_id'])).toEqual(['R1', 'R2', 'R3']);
    const ev = JSON.parse(String(got[1]!['evidence']));
    expect(ev).toMatchObject({ hs4: '7208', parties: ['A', 'B', 'C'], cycle_length: 3, leg: 2, span_days: 110, window_months: 12 });
    expect(ev.legs.map((l: { date: string; value: number }) => [l.date, l.value])).toEqual([
      ['2024-01-10', 50000],
      ['2024-02-19', 51000],
      ['2024-04-29', 52000],
    ]);
    const score = 100 - (40 * 110) / (12 * 30.4375);
    expect(Number(got[0]!['score'])).toBeCloseTo(score, 2);
    expect(String(got[0]!['reason'])).toBe('Goods of hs4 7208 went round 3 parties in 110 days: A -> B -> C -> A; this line is leg 1 (A -> B)');
    expect(JSON.parse(JSON.stringify(got[0]!['row_ids'])).length).toBe(3);
  });

  it('respects window_months and max_length', async () => {
    const wide = await runAnalysis(t.rt.store, operator, { detectors: ['circular-trade'], params: { 'circular-trade': { window_months: 15 } } });
    expect((await flagged(t, wide.run_id)).map((r) => r['declaration_id'])).toEqual(['R1', 'R2', 'R3', 'W1', 'W2']);
    const short = await runAnalysis(t.rt.store, operator, { detectors: ['circular-trade'], params: { 'circular-trade': { max_length: 2 } } });
    expect(await flagged(t, short.run_id)).toEqual([]);
  });

  it('refuses bad parameters, naming them', () => {
    expect(() => planRun({ detectors: ['circular-trade'], params: { 'circular-trade': { max_length: 5 } } })).toThrow(DetectorParamError);
    expect(() => planRun({ detectors: ['circular-trade'], params: { 'circular-trade': { max_length: 5 } } })).toThrow(/circular-trade\.max_length/);
    expect(() => planRun({ detectors: ['circular-trade'], params: { 'circular-trade': { window_months: 0 } } })).toThrow(/circular-trade\.window_months/);
    expect(() => planRun({ detectors: ['circular-trade'], params: { 'circular-trade': { hops: 3 } } })).toThrow(/circular-trade/);
  });
});
