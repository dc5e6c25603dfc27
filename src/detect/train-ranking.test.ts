// The trained ranking combination on generated data (30,000 lines, seed 7): the first half with labels trains
// it, the second half is judged. It must keep the best candidate out of fold (never worse than its best part
// there), with non-negative weights; the default ranking must use it; analysts' decisions must become labels,
// traced by decision id, overriding a label column where they name a line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionLabels, decisionStore } from '../decisions/index.ts';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { COMBINED, COMBINED_UNSUPERVISED, evaluate, readLabelsFile } from './evaluate.ts';
import { listRanking } from './ranking.ts';
import { runAnalysis } from './run-analysis.ts';
import { listRankingModels, STACKED, trainRanking, type CandidateMetrics } from './train-ranking.ts';
import { trainRiskModel } from './train-risk-model.ts';

const operator = localOperatorScope('tester');
const criterion = (m: CandidateMetrics) => (m.precision_at_1pct + m.precision_at_5pct + m.precision_at_10pct) / 3;

let t: TempRuntime;
let train: string;
let valid: string;
let labels: string;
const db = () => scopedDb(t.rt.store, operator);

beforeAll(async () => {
  t = await tempRuntime();
  const g = await generateDataset({ rows: 30000, seed: 7, outDir: join(t.dir, 'gen') });
  labels = g.files.labels;
  const [header, ...lines] = readFileSync(g.files.declarations, 'utf8').trimEnd().split('\n');
  const half = Math.floor(lines.length / 2);
  const load = async (name: string, body: string[]) =>
    (await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, [header, ...body].join('\n')), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' })).batch_id;
  train = await load('train.csv', lines.slice(0, half));
  valid = await load('valid.csv', lines.slice(half));
}, 180_000);
afterAll(async () => t?.cleanup());

describe('analyze --train: the ranking combination', () => {
  it('keeps the best candidate out of fold, with non-negative weights, and the default ranking uses it', async () => {
    const before = await listRanking(db(), {});
    expect(before.run_id).toBeNull();
    const r = await trainRanking(t.rt.store, operator, { batches: [train] }, readLabelsFile(labels));
    const m = r.ranking;
    expect(m).toMatchObject({ model_id: 'C000001', provider: 'US', label: 'labels-file', run_id: r.run.run_id, risk_model_id: r.risk.model_id, batches: [train] });
    // The evidence run has every detector but learned-risk (whose training lines it must not score).
    expect(r.run.detectors.map((d) => d.id)).not.toContain('learned-risk');
    expect(Object.values(m.weights).every((w) => w >= 0)).toBe(true);
    expect(Object.keys(m.metrics.oof)).toContain(STACKED);
    expect(Object.keys(m.metrics.oof)).toContain('learned-risk');
    for (const c of Object.values(m.metrics.oof)) expect(criterion(m.metrics.oof[m.chosen]!)).toBeGreaterThanOrEqual(criterion(c) - 1e-9);
    if (m.chosen !== STACKED) expect(Object.keys(m.weights)).toEqual([m.chosen]);
    expect(await listRankingModels(db())).toEqual([m]);

    const run = await runAnalysis(t.rt.store, operator, {});
    const page = await listRanking(db(), { run: run.run_id, limit: 20 });
    expect(page.combination).toEqual({ method: 'trained', models: ['C000001'] });
    expect(page.rows.every((x) => x.score > 0 && x.score < 100)).toBe(true);
    expect((await listRanking(db(), { run: run.run_id, limit: 1, combination: 'unsupervised' })).combination.method).toBe('unsupervised');
    expect((await listRanking(db(), { run: run.run_id, limit: 1, weights: { 'price-iqr': 1 } })).combination.method).toBe('unsupervised');
    await expect(listRanking(db(), { combination: 'C999999' })).rejects.toThrow(/no such trained combination/);

    // Held out: the second half, judged against its labels.
    const e = await evaluate(db(), { run: run.run_id, labels: { lines: readLabelsFile(labels) }, batches: [valid] });
    expect(e.combination_models).toEqual(['C000001']);
    const by = (id: string) => e.methods.find((x) => x.detector === id)!;
    for (const x of e.methods) console.log(`held-out ${x.detector}: P@1% ${x.precision_at_1pct?.toFixed(3)} P@5% ${x.precision_at_5pct?.toFixed(3)} P@10% ${x.precision_at_10pct?.toFixed(3)} AP ${x.average_precision?.toFixed(3)}`);
    const base = by(COMBINED).positives / by(COMBINED).lines;
    expect(by(COMBINED).precision_at_5pct!).toBeGreaterThan(3 * base);
    expect(by(COMBINED).average_precision!).toBeGreaterThanOrEqual(by(COMBINED_UNSUPERVISED).average_precision!);
  }, 300_000);

  it("turns analysts' decisions into labels: latest per line, traced by id, overriding the label column", async () => {
    const ds = decisionStore(t.rt.control);
    const k = db().db as Kysely<any>;
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['price-iqr'] });
    // Lines of the training batch flagged by price-iqr: some with fraud = true, some false.
    const flagged = await k
      .selectFrom('anomalies as a')
      .innerJoin('trade_lines as l', 'l.row_id', 'a.row_id')
      .where('a.run_id', '=', run.run_id)
      .where('l.batch_id', '=', train)
      .where('l.fraud', 'is not', null)
      .select(['a.anomaly_id', 'l.fraud'])
      .orderBy('a.row_id')
      .execute();
    const fraud = flagged.filter((x) => x['fraud'] === true).slice(0, 6);
    const clean = flagged.filter((x) => x['fraud'] === false).slice(0, 6);
    expect(fraud.length).toBe(6);
    expect(clean.length).toBe(6);
    // Confirm six clean lines; call six fraud lines false positives, one of them first confirmed (superseded).
    await ds.record({ subject_kind: 'anomaly', subject_id: String(fraud[0]!['anomaly_id']), decision: 'confirmed', decided_by: 'ana' });
    for (const x of clean) await ds.record({ subject_kind: 'anomaly', subject_id: String(x['anomaly_id']), decision: 'confirmed', decided_by: 'ana' });
    for (const x of fraud) await ds.record({ subject_kind: 'anomaly', subject_id: String(x['anomaly_id']), decision: 'false_positive', decided_by: 'bo' });
    await ds.record({ subject_kind: 'anomaly', subject_id: String(clean[0]!['anomaly_id']), decision: 'escalate', decided_by: 'bo' });

    const d = await decisionLabels(ds, db());
    // The escalation supersedes clean[0]'s confirmation and labels nothing.
    expect(d.lines).toHaveLength(11);
    expect(d.lines.filter((l) => l.positive)).toHaveLength(5);
    expect(d.provenance).toMatchObject({ confirmed: 5, false_positive: 6 });
    expect(d.provenance!.decision_ids).toHaveLength(11);

    const column = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['hs6'] });
    const both = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['hs6'] }, { decided: d.lines });
    expect(both.metrics.lines).toBe(column.metrics.lines);
    expect(both.metrics.positives).toBe(column.metrics.positives + 5 - 6);
    expect(both.metrics.decided_lines).toBe(11);
    // Decisions alone: only the decided lines train (5 positive, 6 negative: enough of each).
    const alone = await trainRiskModel(t.rt.store, operator, { batches: [train], features: ['hs6'] }, { decided: d.lines });
    expect(alone).toMatchObject({ label: 'decisions', metrics: { lines: 11, positives: 5 } });
  }, 300_000);
});
