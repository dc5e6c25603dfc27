// Runs on generated data with injected, labelled anomalies: recall per detector, the share of clean lines
// flagged, determinism across runs, scope isolation of runs and stored anomalies, and parameter errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, ScopeDeniedError, scopedDb, type Scope } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { getAnomaly, listAnomalies, listRuns } from './anomaly-queries.ts';
import { DetectorParamError } from './detector.ts';
import { runAnalysis, type RunResult } from './run-analysis.ts';

let t: TempRuntime;
let labels: string;
let first: RunResult;
const operator = localOperatorScope('tester');
const usOnly: Scope = { principal: 'us', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] };
const mxOnly: Scope = { principal: 'mx', grants: [{ category: 'trade', providers: ['MX'], level: 'row' }] };
import { DETECTORS } from './detector-registry.ts';

const DETECTOR_IDS = ['price-iqr', 'price-robust-z', 'value-per-kg', 'phantom-shipment'];
/**
 * Which generator labels a detector should find: the generator files phantom shipments (net mass 0) under
 * value-per-kg, the phantom-shipment detector's since value-per-kg judges only lines with a mass.
 */
const LABELS_OF: Record<string, string> = {
  'value-per-kg': "anomaly = 'value-per-kg' AND detail NOT LIKE 'phantom%'",
  'phantom-shipment': "anomaly = 'value-per-kg' AND detail LIKE 'phantom%'",
};

beforeAll(async () => {
  t = await tempRuntime();
  const g = await generateDataset({ rows: 30000, seed: 7, outDir: join(t.dir, 'gen') });
  labels = g.files.labels;
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, g.files.declarations, {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
  first = await runAnalysis(t.rt.store, operator, {});
}, 120_000);
afterAll(async () => t.cleanup());

/** Test-only measurement: joins stored anomalies with the generator's labels inside DuckDB. */
async function measure(runId: string, detector: string) {
  return t.rt.store.withWriteConnection(async (c) => {
    const r = await c.runAndReadAll(
      `WITH l AS (SELECT declaration_id, line_no::INTEGER AS line_no, anomaly, (${LABELS_OF[detector] ?? 'anomaly = $3'}) AS mine
                  FROM read_csv($1, header = true, all_varchar = true) WHERE subject_kind = 'line'),
            a AS (SELECT DISTINCT declaration_id, line_no FROM anomalies WHERE run_id = $2 AND detector = $3)
       SELECT
         (SELECT count(*) FROM l WHERE mine)::INTEGER AS injected,
         (SELECT count(*) FROM l JOIN a USING (declaration_id, line_no) WHERE l.mine)::INTEGER AS found,
         (SELECT count(*) FROM a WHERE (declaration_id, line_no) NOT IN (SELECT (declaration_id, line_no) FROM l))::INTEGER AS clean_flagged,
         (SELECT count(*) FROM a)::INTEGER AS flagged,
         (SELECT count(*) FROM trade_lines t WHERE (t.declaration_id, t.line_no) NOT IN (SELECT (declaration_id, line_no) FROM l))::INTEGER AS clean`,
      [labels, runId, detector],
    );
    const [injected, found, cleanFlagged, flagged, clean] = r.getRows()[0]!.map(Number) as [number, number, number, number, number];
    return { injected, found, recall: found / injected, flagged, cleanFlagged, falseFlagShare: cleanFlagged / clean };
  });
}

describe('analysis runs on generated data (30,000 lines, seed 7)', () => {
  it('finds the injected anomalies of each detector and flags few clean lines', async () => {
    for (const id of DETECTOR_IDS) {
      const m = await measure(first.run_id, id);
      console.log(`${id}: ${JSON.stringify(m)}`);
      expect(m.injected).toBeGreaterThan(10);
      expect(m.recall).toBeGreaterThanOrEqual(0.9);
      expect(m.falseFlagShare).toBeLessThan(0.02);
    }
    // Every registered detector runs; the line-level ones are checked against line labels above.
    expect(first.detectors.map((d) => d.id)).toEqual(DETECTORS.map((d) => d.id));
    expect(first.data_version['US']?.length).toBe(1);
  });

  it('is deterministic: a second run stores the same anomalies', async () => {
    const second = await runAnalysis(t.rt.store, operator, {});
    expect(second.run_id).not.toBe(first.run_id);
    const strip = async (run: string) => {
      const page = await listAnomalies(scopedDb(t.rt.store, operator), { run, limit: 10_000 });
      return page.rows.map(({ anomaly_id, run_id, ...rest }) => ({ ...rest, id: anomaly_id.slice(run_id.length) }));
    };
    const [a, b] = [await strip(first.run_id), await strip(second.run_id)];
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    // Everything but the wall-clock time each detector took.
    const untimed = (ds: typeof first.detectors) => ds.map(({ seconds, ...d }) => (expect(seconds).toBeGreaterThanOrEqual(0), d));
    expect(untimed(second.detectors)).toEqual(untimed(first.detectors));
  });

  it('pages stored anomalies by score with totals, and opens one by id', async () => {
    const db = scopedDb(t.rt.store, operator);
    const page = await listAnomalies(db, { run: first.run_id, detector: 'price-iqr', minScore: 60, limit: 5 });
    expect(page.rows).toHaveLength(5);
    expect(page.total).toBeGreaterThan(5);
    expect(page.next_offset).toBe(5);
    const scores = page.rows.map((r) => r.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    const one = await getAnomaly(db, page.rows[0]!.anomaly_id);
    expect(one).toEqual(page.rows[0]);
    expect(one!.subject.kind).toBe('line');
    expect(one!.row_ids).toEqual([one!.subject.row_id]);
    expect(one!.evidence).toHaveProperty('value_at_risk');
  });

  it('a scope limited to another provider sees no anomalies and no runs', async () => {
    const mx = scopedDb(t.rt.store, mxOnly);
    const run = await runAnalysis(t.rt.store, mxOnly, {});
    expect(run.detectors.map((d) => d.anomalies)).toEqual(DETECTORS.map(() => 0));
    expect((await listAnomalies(mx, { run: first.run_id })).total).toBe(0);
    expect(await getAnomaly(mx, (await listAnomalies(scopedDb(t.rt.store, usOnly), { run: first.run_id, limit: 1 })).rows[0]!.anomaly_id)).toBeNull();
    // The MX principal's own (empty) run is stored with provider '' and is visible to all-provider grants only.
    expect(await listRuns(mx)).toEqual([]);
    expect((await listRuns(scopedDb(t.rt.store, usOnly))).some((r) => r.run_id === first.run_id)).toBe(true);
    const agg: Scope = { principal: 'a', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };
    await expect(runAnalysis(t.rt.store, agg, {})).rejects.toThrow(ScopeDeniedError);
  });

  it('refuses bad parameters before running, naming the parameter and not the value', async () => {
    const before = (await listRuns(scopedDb(t.rt.store, operator))).length;
    await expect(runAnalysis(t.rt.store, operator, { params: { 'price-iqr': { k: -7 } } })).rejects.toThrow(DetectorParamError);
    await expect(runAnalysis(t.rt.store, operator, { params: { 'price-iqr': { k: -7 } } })).rejects.toThrow(/^parameter price-iqr\.k: /);
    await expect(runAnalysis(t.rt.store, operator, { detectors: ['nope'] })).rejects.toThrow(/unknown detector nope/);
    expect((await listRuns(scopedDb(t.rt.store, operator))).length).toBe(before);
  });
});
