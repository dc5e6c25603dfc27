// Incremental runs: after a new batch, the partitioned price detectors recompute only the (provider, hs6,
// flow) partitions the batch touched and keep the earlier run's anomalies elsewhere. The stored result must
// equal a full run on the same data, also when the batch re-sends (supersedes) earlier lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { DetectorParamError } from './detector.ts';
import { runAnalysis } from './run-analysis.ts';

const operator = localOperatorScope('tester');
const DETECTORS = ['price-iqr', 'value-per-kg', 'price-robust-z', 'phantom-shipment'];

describe('incremental analysis runs (generated, 30,000 lines in three batches)', () => {
  let t: TempRuntime;
  let header: string;
  let lines: string[];
  const load = (name: string, body: string[]) =>
    ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, [header, ...body].join('\n')), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const stored = async (runId: string) =>
    (
      await (scopedDb(t.rt.store, operator).db as Kysely<any>)
        .selectFrom('anomalies as a')
        .where('a.run_id', '=', runId)
        .select(['a.detector', 'a.row_id', 'a.score', 'a.reason', 'a.evidence', 'a.row_ids'])
        .orderBy('a.detector')
        .orderBy('a.row_id')
        .execute()
    ).map((r) => JSON.stringify(r));

  beforeAll(async () => {
    t = await tempRuntime();
    const g = await generateDataset({ rows: 30000, seed: 7, outDir: join(t.dir, 'gen') });
    [header, ...lines] = readFileSync(g.files.declarations, 'utf8').trimEnd().split('\n') as [string, ...string[]];
    await load('a.csv', lines.slice(0, 27000));
  }, 180_000);
  afterAll(async () => t?.cleanup());

  it('after a new batch equals a full run, recomputing only the touched partitions', async () => {
    const first = await runAnalysis(t.rt.store, operator, { detectors: DETECTORS });
    await load('b.csv', lines.slice(27000));
    const inc = await runAnalysis(t.rt.store, operator, { detectors: DETECTORS, since: first.run_id });
    const full = await runAnalysis(t.rt.store, operator, { detectors: DETECTORS });
    expect(inc.detectors.map((d) => d.mode)).toEqual(DETECTORS.map(() => 'incremental'));
    expect(full.detectors.map((d) => d.mode)).toEqual(DETECTORS.map(() => 'full'));
    // The few phantom shipments may all fall in touched partitions; the price detectors reuse some of theirs.
    for (const d of inc.detectors.filter((x) => x.id !== 'phantom-shipment')) {
      expect(d.reused).toBeGreaterThan(0);
      expect(d.reused).toBeLessThan(d.anomalies);
    }
    expect(await stored(inc.run_id)).toEqual(await stored(full.run_id));
    expect((await stored(full.run_id)).length).toBeGreaterThan(100);

    // A batch that re-sends earlier lines supersedes them: their old anomalies must not be kept.
    await load('c.csv', lines.slice(100, 400));
    const inc2 = await runAnalysis(t.rt.store, operator, { detectors: DETECTORS, since: inc.run_id });
    const full2 = await runAnalysis(t.rt.store, operator, { detectors: DETECTORS });
    expect(inc2.detectors.every((d) => d.mode === 'incremental')).toBe(true);
    expect(await stored(inc2.run_id)).toEqual(await stored(full2.run_id));
  }, 180_000);

  it('runs in full when the parameters differ, and refuses an unknown earlier run', async () => {
    const first = await runAnalysis(t.rt.store, operator, { detectors: ['price-iqr'] });
    const other = await runAnalysis(t.rt.store, operator, { detectors: ['price-iqr'], params: { 'price-iqr': { k: 3 } }, since: first.run_id });
    expect(other.detectors[0]!.mode).toBe('full');
    const nothingNew = await runAnalysis(t.rt.store, operator, { detectors: ['price-iqr', 'routing'], since: first.run_id });
    expect(nothingNew.detectors.map((d) => [d.id, d.mode, d.reused === d.anomalies])).toEqual([
      ['price-iqr', 'incremental', true],
      ['routing', 'full', false],
    ]);
    await expect(runAnalysis(t.rt.store, operator, { detectors: ['price-iqr'], since: 'R999999' })).rejects.toThrow(DetectorParamError);
  }, 120_000);
});
