// learned-risk: trained on labelled lines of one batch, scored on another. On generated data it must rank
// the injected (labelled) anomalies of unseen lines far above their base rate; on a hand-made set it must
// show no leakage (a feature unique per line gets no weight out-of-fold), store the hand-computable rates,
// never score its own training lines, and refuse bad parameters with errors that name the parameter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { DetectorParamError } from './detector.ts';
import { evaluate, readLabelsFile } from './evaluate.ts';
import { planRun, runAnalysis } from './run-analysis.ts';
import { listRiskModels, RiskModelError, trainRiskModel } from './train-risk-model.ts';

const operator = localOperatorScope('tester');

async function load(t: TempRuntime, file: string): Promise<string> {
  return (await ingestFile({ store: t.rt.store, registry: t.rt.registry }, file, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' })).batch_id;
}

async function anomalyRows(t: TempRuntime, runId: string) {
  return (scopedDb(t.rt.store, operator).db as Kysely<any>)
    .selectFrom('anomalies as a')
    .innerJoin('trade_lines as t', 't.row_id', 'a.row_id')
    .where('a.run_id', '=', runId)
    .select(['t.batch_id', 'a.score', 'a.evidence'])
    .execute();
}

describe('learned-risk on generated data (30,000 lines, seed 7; labels.csv; first half trains, second half is scored)', () => {
  let t: TempRuntime;
  let train: string;
  let valid: string;
  let labels: string;
  beforeAll(async () => {
    t = await tempRuntime();
    const g = await generateDataset({ rows: 30000, seed: 7, outDir: join(t.dir, 'gen') });
    labels = g.files.labels;
    const [header, ...lines] = readFileSync(g.files.declarations, 'utf8').trimEnd().split('\n');
    const half = Math.floor(lines.length / 2);
    train = await load(t, t.file('train.csv', [header, ...lines.slice(0, half)].join('\n')));
    valid = await load(t, t.file('valid.csv', [header, ...lines.slice(half)].join('\n')));
  }, 180_000);
  afterAll(async () => t?.cleanup());

  it('ranks the labelled anomalies of the unseen half far above their base rate, and never scores its training lines', async () => {
    const model = await trainRiskModel(t.rt.store, operator, { batches: [train] }, readLabelsFile(labels));
    expect(model.label).toBe('labels-file');
    expect(model.metrics.positives).toBeGreaterThan(20);
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { min_lift: 0 } } });
    const rows = await anomalyRows(t, run.run_id);
    expect(rows.length).toBe(15000);
    expect(rows.every((r) => r['batch_id'] === valid)).toBe(true);

    const e = await evaluate(scopedDb(t.rt.store, operator), { run: run.run_id, labels: { lines: readLabelsFile(labels) }, batches: [valid] });
    const m = e.methods.find((x) => x.detector === 'learned-risk')!;
    const base = m.positives / m.lines;
    console.log(`generated learned-risk: base ${base.toFixed(4)} P@1% ${m.precision_at_1pct} P@5% ${m.precision_at_5pct} AP ${m.average_precision}`);
    expect(m.precision_at_1pct!).toBeGreaterThan(10 * base);
    expect(m.average_precision!).toBeGreaterThan(10 * base);
  }, 180_000);
});

describe('learned-risk on a hand-made set', () => {
  let t: TempRuntime;
  let train: string;
  let fresh: string;
  // 600 training lines: every importer appears once; hs 610910 lines are fraud 3 times in 4, hs 720851 never.
  const line = (i: number, batch: string) =>
    canonicalLine({
      declaration_id: `${batch}${i}`,
      importer_id: `${batch}-IMP${i}`,
      hs_code: i % 2 === 0 ? '610910' : '720851',
      fraud: i % 2 === 0 && i % 8 !== 0 ? 1 : 0,
      value: 1000 + i,
    });
  beforeAll(async () => {
    t = await tempRuntime();
    train = await load(t, t.file('train.csv', [CANONICAL_HEADER, ...Array.from({ length: 600 }, (_, i) => line(i, 'T'))].join('\n')));
    fresh = await load(t, t.file('fresh.csv', [CANONICAL_HEADER, ...Array.from({ length: 100 }, (_, i) => line(i, 'F'))].join('\n')));
  }, 60_000);
  afterAll(async () => t?.cleanup());

  it('is quiet without a model', async () => {
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { min_lift: 0 } } });
    expect(run.detectors[0]!.anomalies).toBe(0);
  });

  it('no leakage: a feature that identifies the line gets no lift out-of-fold, hence no weight and no ranking power', async () => {
    const m = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['importer'] });
    expect(m.metrics.lines).toBe(600);
    expect(m.metrics.positives).toBe(225);
    expect(Math.abs(m.coefficients['importer']!)).toBeLessThan(1e-9);
    // All lines get the same out-of-fold score, so the top 5 % are the first lines by row id: 2 lines in 8 positive.
    expect(m.metrics.oof_precision_at_5pct).toBeCloseTo(m.metrics.base_rate, 1);
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { model: m.model_id, min_lift: 0 } } });
    const rows = await anomalyRows(t, run.run_id);
    expect(rows.length).toBe(100);
    expect(new Set(rows.map((r) => Number(r['score']))).size).toBe(1);
    // An in-sample rate would have made the same feature a perfect predictor: the contrast that shows the guard works.
    const real = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['hs6'] });
    expect(real.coefficients['hs6']!).toBeGreaterThan(0.5);
    expect(real.metrics.oof_precision_at_5pct).toBeGreaterThan(0.5);
  }, 60_000);

  it('stores the smoothed rates an investigator can recompute, and explains scores with them', async () => {
    const m = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['hs6', 'importer'], smoothing: 10 });
    const terms = await (scopedDb(t.rt.store, operator).db as Kysely<any>)
      .selectFrom('risk_model_terms as r')
      .where('r.model_id', '=', m.model_id)
      .where('r.feature', '=', 'hs6')
      .select(['r.level', 'r.n', 'r.positives', 'r.lift', 'r.weight'])
      .orderBy('r.level')
      .execute();
    const p0 = 225 / 600;
    const lift = (pos: number, n: number) => Math.log((pos + 10 * p0) / (n - pos + 10 * (1 - p0))) - Math.log(p0 / (1 - p0));
    expect(terms.map((r) => [r['level'], Number(r['n']), Number(r['positives'])])).toEqual([
      ['610910', 300, 225],
      ['720851', 300, 0],
    ]);
    expect(Number(terms[0]!['lift'])).toBeCloseTo(lift(225, 300), 10);
    expect(Number(terms[1]!['lift'])).toBeCloseTo(lift(0, 300), 10);
    expect(Number(terms[0]!['weight'])).toBeCloseTo(m.coefficients['hs6']! * lift(225, 300), 10);

    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { model: m.model_id } } });
    const rows = await anomalyRows(t, run.run_id);
    // Default min_lift 1.5: only the high-risk product's lines (p ≈ 0.75 against a base rate of 0.375) are flagged.
    expect(rows.length).toBe(50);
    const ev = JSON.parse(String(rows[0]!['evidence']));
    expect(ev.model).toBe(m.model_id);
    expect(ev.training_batches).toEqual([train]);
    expect(ev.factors[0]).toMatchObject({ feature: 'hs6', level: '610910', n: 300, positives: 225 });
    expect(ev.probability).toBeCloseTo(1 / (1 + Math.exp(-(m.intercept + Number(terms[0]!['weight'])))), 10);
    expect((await listRiskModels(scopedDb(t.rt.store, operator))).map((x) => x.model_id)).toContain(m.model_id);
  }, 60_000);

  it('refuses bad parameters with errors that name the parameter', async () => {
    const bad = async (raw: Record<string, unknown>, re: RegExp) => {
      const e = await trainRiskModel(t.rt.store, operator, raw).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RiskModelError);
      expect(String((e as Error).message)).toMatch(re);
    };
    await bad({ label: 'fraud', batches: [] }, /batches/);
    await bad({ label: 'price', batches: [train] }, /label/);
    await bad({ label: 'fraud', batches: [train], folds: 1 }, /folds/);
    await bad({ label: 'fraud', batches: [train], features: ['hs6', 'secret-feature'] }, /features: feature 2 /);
    await bad({ label: 'fraud', batches: [train], smoothing: -1 }, /smoothing/);
    await bad({ label: 'fraud', batches: [train], colour: 'red' }, /\(parameters\)|colour/);
    await bad({ batches: [train] }, /label source/);
    await bad({ label: 'fraud', batches: ['B999999'] }, /no labelled/);
    expect(() => planRun({ detectors: ['learned-risk'], params: { 'learned-risk': { min_lift: -1 } } })).toThrow(DetectorParamError);
    expect(() => planRun({ detectors: ['learned-risk'], params: { 'learned-risk': { min_lift: -1 } } })).toThrow(/learned-risk\.min_lift/);
    expect(() => planRun({ detectors: ['learned-risk'], params: { 'learned-risk': { model: 'latest' } } })).toThrow(/learned-risk\.model/);
  }, 60_000);

  it('does not score a training line re-sent in a later batch', async () => {
    const m = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [train], features: ['hs6'] });
    await load(t, t.file('resend.csv', [CANONICAL_HEADER, line(6, 'T'), line(7, 'N')].join('\n')));
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { model: m.model_id, min_lift: 0 } } });
    const ids = (await (scopedDb(t.rt.store, operator).db as Kysely<any>).selectFrom('anomalies as a').where('a.run_id', '=', run.run_id).select('a.declaration_id').execute()).map((r) => r['declaration_id']);
    expect(ids).toContain('N7');
    expect(ids).not.toContain('T6');
    expect(ids.length).toBe(101);
  }, 60_000);
});
