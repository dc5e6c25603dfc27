/**
 * Training of the ranking combination (`analyze --train`): the weights of the evidence families in the
 * combined ranking (ranking.ts), stacked on the learned-risk model's out-of-fold predictions and the
 * unsupervised detectors' calibrated evidence, fitted on labelled lines.
 *
 * Procedure:
 * 1. A run of every detector except learned-risk over the data the caller sees (stored: the record of the
 *    evidence the weights were fitted on, `run_id`).
 * 2. The learned-risk model is trained (train-risk-model.ts); on the same connection, while its out-of-fold
 *    predictions of the training lines exist, the features of each training line are taken: x_f per family
 *    exactly as the ranking computes them (`familyEvidence`), and for learned-risk the log-odds lift of its
 *    out-of-fold probability over the base rate, where it is at least `min_lift` x the base rate (what the
 *    detector stores), else 0.
 * 3. Candidates: the stacked logistic regression on every feature, and each feature alone. Each is judged out
 *    of fold (FOLDS folds by a hash of the row id; the stacked weights of a fold are fitted on the others) by
 *    the mean of its precision at the top 1, 5 and 10 % of the training lines. The best candidate is kept, so
 *    the combination is never worse than its best part on held-out training folds; it is refitted on all
 *    training lines and stored.
 * 4. Weights are non-negative (a detector firing never lowers a line): a feature whose fitted weight is
 *    negative is dropped and the rest refitted.
 *
 * Invariants:
 * - No leakage: the learned-risk feature of a training line is out of fold (its model never saw the line's
 *   own label through the rates), the other detectors never read labels; the out-of-fold predictions live in
 *   temporary tables only and are never stored.
 * - Everything runs inside DuckDB on the serialised write connection; only the small normal equations and the
 *   per-candidate metrics come back to JavaScript. Family names travel as bound parameters.
 * - One combination per provider per training, stored in `ranking_models` (scoped like the lines); the ranking
 *   uses each provider's latest.
 * - Deterministic: folds by hash, fixed candidate order, bounded iterations.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sql, type Kysely } from 'kysely';
import type { Scope, ScopedDb } from '../query/index.ts';
import { scopedDb } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { DETECTORS } from './detector-registry.ts';
import { LEARNED_RISK } from './evidence-families.ts';
import type { LabelledLine } from './evaluate.ts';
import { learnedRiskParams } from './learned-risk.ts';
import { fitLogistic, linearPredictorSql } from './logistic-fit.ts';
import { familyEvidence } from './ranking.ts';
import { assertRowAccess, runAnalysis, type RunResult } from './run-analysis.ts';
import { parseTrainParams, RiskModelError, trainRiskModel, type RiskModel, type TrainingLabels } from './train-risk-model.ts';

export const RANKING_FOLDS = 5;
export const RANKING_RIDGE = 1;
const ITERATIONS = 30;
const CUTS = [1, 5, 10] as const;
export const STACKED = 'stacked';

export interface CandidateMetrics {
  precision_at_1pct: number;
  precision_at_5pct: number;
  precision_at_10pct: number;
  average_precision: number;
}

export interface RankingFitMetrics {
  lines: number;
  positives: number;
  base_rate: number;
  /** Out-of-fold quality of each candidate on the training lines: 'stacked' and one per feature. */
  oof: Record<string, CandidateMetrics>;
  /** Lines with a non-zero value of each feature. */
  fired: Record<string, number>;
}

export interface RankingModel {
  model_id: string;
  provider: string;
  label: string;
  trained_at: string;
  principal: string;
  batches: string[];
  /** The run whose evidence the weights were fitted on. */
  run_id: string;
  risk_model_id: string;
  intercept: number;
  /** β per family (≥ 0); a family not named weighs 0. */
  weights: Record<string, number>;
  /** 'stacked', or the one feature that beat the stacked combination out of fold. */
  chosen: string;
  params: { folds: number; ridge: number; min_lift: number; decisions?: DecisionProvenance | undefined };
  metrics: RankingFitMetrics;
}

/** Which analysts' decisions labelled training lines: ids (who and when are in the decision record), counts, period. */
export interface DecisionProvenance {
  decision_ids: number[];
  confirmed: number;
  false_positive: number;
  from: string | null;
  to: string | null;
}

async function rows(c: DuckDBConnection, text: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJson() as Record<string, unknown>[];
}

const TEMP = ['rk_ev', 'rk_wide', 'rk_oof'];

/** Precision at the top 1/5/10 % and average precision of `score` over `table` (row_id, y), ties by row id. */
async function candidateMetrics(c: DuckDBConnection, table: string, score: string, params: readonly unknown[] = []): Promise<CandidateMetrics> {
  const [r] = await rows(
    c,
    `WITH r AS (SELECT y, row_number() OVER (ORDER BY ${score} DESC, row_id) AS rk, count(*) OVER () AS n,
                  sum(y) OVER (ORDER BY ${score} DESC, row_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS tp FROM ${table})
     SELECT ${CUTS.map((n) => `(sum(y) FILTER (WHERE rk <= ceil(n * ${n} / 100.0)) / max(ceil(n * ${n} / 100.0)))::DOUBLE AS p${n}`).join(', ')},
       (sum(CASE WHEN y = 1 THEN tp / rk END ORDER BY rk) / nullif(sum(y), 0))::DOUBLE AS ap
     FROM r`,
    params,
  );
  return { precision_at_1pct: Number(r!['p1'] ?? 0), precision_at_5pct: Number(r!['p5'] ?? 0), precision_at_10pct: Number(r!['p10'] ?? 0), average_precision: Number(r!['ap'] ?? 0) };
}

const criterion = (m: CandidateMetrics) => (m.precision_at_1pct + m.precision_at_5pct + m.precision_at_10pct) / 3;

/**
 * Non-negative logistic fit on rows of rk_wide (`where`) over the feature columns `cols` (indices into
 * `names`): drop the most negative weight and refit until none is negative. Returns β0 and β per kept column.
 */
async function fitNonNegative(c: DuckDBConnection, cols: readonly string[], p0: number, where?: string): Promise<{ intercept: number; beta: Map<string, number> }> {
  let active = [...cols];
  for (;;) {
    const fit = await fitLogistic(c, { table: 'rk_wide', cols: ['1', ...active], where, ridge: RANKING_RIDGE, iterations: ITERATIONS, start: [Math.log(p0 / (1 - p0)), ...active.map(() => 0)] });
    if (fit.beta.some((b) => !Number.isFinite(b))) throw new RiskModelError('the ranking combination did not converge');
    const negative = active.map((col, i) => [col, fit.beta[i + 1]!] as const).filter(([, b]) => b < 0).sort((a, b) => a[1] - b[1]);
    if (!negative.length) return { intercept: fit.beta[0]!, beta: new Map(active.map((col, i) => [col, fit.beta[i + 1]!])) };
    active = active.filter((col) => col !== negative[0]![0]);
  }
}

export interface FitRankingOptions {
  runId: string;
  risk: RiskModel;
  /** Temp table (row_id, y, p): learned-risk's out-of-fold predictions of the training lines. */
  oofTable: string;
  principal: string;
  decisions?: DecisionProvenance | undefined;
}

/** Steps 2-4 on the write connection `c`, inside learned-risk's training (see the header). */
export async function fitRankingOn(c: DuckDBConnection, db: ScopedDb, o: FitRankingOptions): Promise<RankingModel> {
  const p0 = o.risk.base_rate;
  const minLift = learnedRiskParams.parse({}).min_lift;
  try {
    const ev = familyEvidence(db, o.runId).compile();
    const n0 = ev.parameters.length;
    await c.run(
      `CREATE OR REPLACE TEMP TABLE rk_ev AS SELECT e.row_id, e.family, e.x FROM (${ev.sql}) AS e
       WHERE e.provider = $${n0 + 1} AND e.row_id IN (SELECT row_id FROM ${o.oofTable})`,
      [...(ev.parameters as DuckDBValue[]), o.risk.provider],
    );
    const families = (await rows(c, `SELECT DISTINCT family FROM rk_ev WHERE family <> $1 ORDER BY family`, [LEARNED_RISK])).map((r) => String(r['family']));
    // Feature columns: f1..fk per family (bound names), then lr (learned-risk's out-of-fold lift).
    const names = [...families, LEARNED_RISK];
    const col = (i: number) => (i < families.length ? `f${i + 1}` : 'lr');
    const cols = names.map((_, i) => col(i));
    await c.run(
      `CREATE OR REPLACE TEMP TABLE rk_wide AS
       SELECT p.row_id, any_value(p.y)::DOUBLE AS y, (hash(p.row_id::VARCHAR || 'ranking') % ${RANKING_FOLDS})::INTEGER AS fold,
         ${families.map((_, i) => `coalesce(max(e.x) FILTER (WHERE e.family = $${i + 3}), 0.0)::DOUBLE AS ${col(i)}`).join(',\n')}${families.length ? ',' : ''}
         CASE WHEN any_value(p.p) >= $1 * $2 THEN greatest(0.0, ln(any_value(p.p) / (1 - any_value(p.p))) - ln($2 / (1 - $2))) ELSE 0.0 END::DOUBLE AS lr
       FROM ${o.oofTable} p LEFT JOIN rk_ev e ON e.row_id = p.row_id
       GROUP BY p.row_id`,
      [minLift, p0, ...families],
    );
    const [stats] = await rows(c, `SELECT count(*)::INTEGER AS n, sum(y)::INTEGER AS pos, ${cols.map((x) => `count(*) FILTER (WHERE ${x} > 0)::INTEGER AS n_${x}`).join(', ')} FROM rk_wide`);
    const n = Number(stats!['n']);
    const pos = Number(stats!['pos']);
    const fired = Object.fromEntries(names.map((name, i) => [name, Number(stats![`n_${col(i)}`])]));
    // A feature that never fires on a training line cannot be weighed.
    const usable = cols.filter((_, i) => fired[names[i]!]! > 0);
    if (!usable.length) throw new RiskModelError('no detector fired on the training lines: nothing to combine');

    // Out of fold: the stacked weights of each fold from the other folds.
    await c.run('CREATE OR REPLACE TEMP TABLE rk_oof (row_id BIGINT, y DOUBLE, s DOUBLE)');
    for (let f = 0; f < RANKING_FOLDS; f++) {
      const fit = await fitNonNegative(c, usable, p0, `fold <> ${f}`);
      const kept = [...fit.beta.keys()];
      await c.run(`INSERT INTO rk_oof SELECT row_id, y, ${linearPredictorSql(['1', ...kept])} FROM rk_wide WHERE fold = ${f}`, [fit.intercept, ...kept.map((k) => fit.beta.get(k)!)]);
    }
    const oof: Record<string, CandidateMetrics> = { [STACKED]: await candidateMetrics(c, 'rk_oof', 's') };
    for (const x of usable) oof[names[cols.indexOf(x)]!] = await candidateMetrics(c, 'rk_wide', x);

    // Keep the stacked combination unless one feature alone ranks better out of fold.
    let chosen = STACKED;
    for (const x of usable) {
      const name = names[cols.indexOf(x)]!;
      if (criterion(oof[name]!) > criterion(oof[chosen]!) + 1e-9) chosen = name;
    }
    const final = await fitNonNegative(c, chosen === STACKED ? usable : [cols[names.indexOf(chosen)]!], p0);
    const weights = Object.fromEntries([...final.beta].map(([x, b]) => [names[cols.indexOf(x)]!, b]));

    const trainedAt = new Date().toISOString();
    const metrics: RankingFitMetrics = { lines: n, positives: pos, base_rate: pos / n, oof, fired };
    const params = { folds: RANKING_FOLDS, ridge: RANKING_RIDGE, min_lift: minLift, ...(o.decisions ? { decisions: o.decisions } : {}) };
    await c.run('BEGIN TRANSACTION');
    try {
      const [seqRow] = await rows(c, 'SELECT (coalesce(max(model_seq), 0) + 1)::INTEGER AS s FROM ranking_models');
      const seq = Number(seqRow!['s']);
      const modelId = `C${String(seq).padStart(6, '0')}`;
      await c.run(
        `INSERT INTO ranking_models (model_id, model_seq, provider, label, trained_at, principal, batches, run_id, risk_model_id, intercept, weights, chosen, params, metrics)
         SELECT $1, $2, $3, $4, $5::TIMESTAMP, $6, from_json($7::JSON, '["VARCHAR"]'), $8, $9, $10, $11::JSON, $12, $13::JSON, $14::JSON`,
        [
          modelId, seq, o.risk.provider, o.risk.label, trainedAt.replace('T', ' ').replace('Z', ''), o.principal, JSON.stringify(o.risk.batches), o.runId, o.risk.model_id,
          final.intercept, JSON.stringify(weights), chosen, JSON.stringify(params), JSON.stringify(metrics),
        ],
      );
      await c.run('COMMIT');
      return {
        model_id: modelId, provider: o.risk.provider, label: o.risk.label, trained_at: trainedAt, principal: o.principal, batches: o.risk.batches,
        run_id: o.runId, risk_model_id: o.risk.model_id, intercept: final.intercept, weights, chosen, params, metrics,
      };
    } catch (e) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    for (const t of TEMP) await c.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

export interface TrainResult {
  risk: RiskModel;
  ranking: RankingModel;
  run: RunResult;
}

/**
 * `analyze --train`: the evidence run, the learned-risk model and the ranking combination stacked on it (see
 * the header). Parameters are validated before anything runs; errors are RiskModelError.
 */
export async function trainRanking(
  store: AnalyticalStore,
  scope: Scope,
  raw: Record<string, unknown>,
  labels?: readonly LabelledLine[] | TrainingLabels,
  decisions?: DecisionProvenance,
): Promise<TrainResult> {
  assertRowAccess(scope);
  parseTrainParams(raw, labels === undefined ? false : Array.isArray(labels) ? true : (labels as TrainingLabels));
  const run = await runAnalysis(store, scope, { detectors: DETECTORS.filter((d) => d.id !== LEARNED_RISK).map((d) => d.id) });
  const db = scopedDb(store, scope);
  let ranking: RankingModel | null = null;
  const risk = await trainRiskModel(store, scope, raw, labels, async (c, fit) => {
    ranking = await fitRankingOn(c, db, { runId: run.run_id, risk: fit.model, oofTable: fit.oofTable, principal: scope.principal, decisions });
  });
  return { risk, ranking: ranking!, run };
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** Stored ranking combinations the caller may see, oldest first. */
export async function listRankingModels(db: ScopedDb): Promise<RankingModel[]> {
  assertRowAccess(db.scope);
  const r = await (db.db as Kysely<any>)
    .selectFrom('ranking_models as m')
    .select([
      'm.model_id', 'm.provider', 'm.label', sql<string>`strftime(m.trained_at, '%Y-%m-%dT%H:%M:%S.%gZ')`.as('trained_at'), 'm.principal', 'm.batches', 'm.run_id',
      'm.risk_model_id', 'm.intercept', 'm.weights', 'm.chosen', 'm.params', 'm.metrics',
    ])
    .orderBy('m.model_seq')
    .execute();
  return r.map((m) => ({
    model_id: String(m['model_id']),
    provider: String(m['provider']),
    label: String(m['label']),
    trained_at: String(m['trained_at']),
    principal: String(m['principal']),
    batches: parse(m['batches']) as string[],
    run_id: String(m['run_id']),
    risk_model_id: String(m['risk_model_id']),
    intercept: Number(m['intercept']),
    weights: parse(m['weights']),
    chosen: String(m['chosen']),
    params: parse(m['params']),
    metrics: parse(m['metrics']),
  }));
}
