/**
 * Training of the learned-risk model, entirely in DuckDB: smoothed risk rates per feature level, combined by
 * a logistic regression fitted with Newton's method (IRLS), stored as a model the learned-risk detector scores.
 *
 * Model: for a line with feature levels v_f, P(label) = σ(β0 + Σ_f β_f · lift_f(v_f)), where
 * lift_f(v) = logit((pos_v + m·p0) / (n_v + m)) − logit(p0) is the level's risk rate shrunk towards the base
 * rate p0 with m pseudo-lines (`smoothing`), as log-odds above the base rate; a level never seen has lift 0.
 *
 * Invariants:
 * - No leakage: the lifts a line is fitted on are out-of-fold. Training lines are split into `folds` folds by
 *   a hash of the row id; a line's lift for a level is computed from the lines of the OTHER folds only, so a
 *   feature that identifies the line (an id unique per line) has lift 0 for every line and gets no weight.
 *   The stored per-level lifts, used for scoring, come from all training lines; the model then never scores
 *   a line of its training batches (learned-risk.ts excludes them).
 * - Training reads lines through the caller's scoped query layer; the model is of exactly one provider (its
 *   rates are facts about that provider's lines), stored with that provider so the scope layer keeps it there.
 * - Rows never pass through JavaScript: each Newton step is one aggregate query returning the gradient and the
 *   Hessian (features x features); only that small system is solved here (linear-solve.ts).
 * - Deterministic: fold assignment is a hash of the row id, aggregates are over fixed sets, the iteration
 *   count is bounded; the same lines and parameters give the same model.
 * - Temporary tables live on the serialised write connection and are dropped whatever happens; the model is
 *   stored in one transaction.
 * - Errors name parameters and counts, never row values.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Scope, ScopedDb } from '../query/index.ts';
import { scopedDb } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { LABEL_COLUMNS, type LabelledLine } from './evaluate.ts';
import { fitLogistic, linearPredictorSql } from './logistic-fit.ts';
import { BIN_QUANTILES, boundsColumn, FEATURE_NAMES, MODEL_FORMAT, NUMBER_FEATURES, rawColumn, rawColumns, resolveFeatures, unnestFeaturesSql } from './risk-features.ts';
import { assertRowAccess } from './run-analysis.ts';

export const trainParams = z
  .object({
    label: z.enum(LABEL_COLUMNS).optional().describe('label column the model predicts (or give labelled lines)'),
    batches: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'batch ids are letters, digits, _ . -')).min(1).max(1000).describe('batches whose labelled lines train the model'),
    features: z.array(z.string().max(64)).max(100).optional().describe(`features (default all): ${FEATURE_NAMES.join(', ')}`),
    folds: z.number().int().min(2).max(20).default(5).describe('folds of the out-of-fold rate encoding'),
    smoothing: z.number().min(0.01).max(100_000).default(20).describe('pseudo-lines at the base rate added to every level (shrinks rare levels)'),
    ridge: z.number().min(0).max(1_000_000).default(1).describe('L2 penalty on the feature coefficients'),
    iterations: z.number().int().min(1).max(100).default(25).describe('most Newton steps'),
  })
  .strict();
export type TrainParams = z.infer<typeof trainParams>;

export class RiskModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RiskModelError';
  }
}

export interface FitMetrics {
  lines: number;
  positives: number;
  base_rate: number;
  /** Out-of-fold scores of the training lines: an honest estimate of the rates' value, not of the coefficients. */
  oof_precision_at_1pct: number;
  oof_precision_at_5pct: number;
  oof_precision_at_10pct: number;
  oof_average_precision: number;
  oof_log_loss: number;
  iterations: number;
  converged: boolean;
  levels: number;
  /** Lines named by analysts' decisions given to the training (they override the label where they apply). */
  decided_lines?: number;
}

export interface RiskModel {
  model_id: string;
  provider: string;
  label: string;
  trained_at: string;
  principal: string;
  batches: string[];
  features: string[];
  params: Omit<TrainParams, 'label' | 'batches' | 'features'>;
  intercept: number;
  coefficients: Record<string, number>;
  base_rate: number;
  metrics: FitMetrics;
}

/** Label source of a model trained on a labels file rather than a label column. */
export const LABELS_FILE = 'labels-file';
/** Label source of a model trained on analysts' decisions alone. */
export const DECISIONS = 'decisions';

/** A line an analyst decided on (through an anomaly of it): confirmed (positive) or false positive (negative). */
export interface DecidedLine extends LabelledLine {
  provider: string;
  positive: boolean;
}

/**
 * Labels beside (or instead of) a label column: the positives of a labels file (every other line of the
 * training batches is then a negative), and analysts' decisions, which override the column or the file on
 * the lines they name; with decisions alone only decided lines train.
 */
export interface TrainingLabels {
  file?: readonly LabelledLine[] | undefined;
  decided?: readonly DecidedLine[] | undefined;
}

/** What a training hands to a caller before its temporary tables go: the stored model and its out-of-fold predictions. */
export interface AfterFit {
  model: RiskModel;
  /** Temp table (row_id, y, p) of out-of-fold predicted probabilities of the training lines. */
  oofTable: string;
}

const asLabels = (x: readonly LabelledLine[] | TrainingLabels | undefined): TrainingLabels => (x === undefined ? {} : Array.isArray(x) ? { file: x as readonly LabelledLine[] } : (x as TrainingLabels));

/** Validates training parameters; the message names the parameter, never its value. */
export function parseTrainParams(raw: Record<string, unknown>, withLines: boolean | TrainingLabels = false): TrainParams {
  const r = trainParams.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RiskModelError(`training parameter ${issue.path.length ? issue.path.join('.') : '(parameters)'}: ${issue.message}`);
  }
  const l = typeof withLines === 'boolean' ? { file: withLines ? [] : undefined } : withLines;
  if (r.data.label !== undefined && l.file !== undefined) throw new RiskModelError('training takes one label source: a label column or a labels file, not both');
  if (r.data.label === undefined && l.file === undefined && !l.decided?.length) throw new RiskModelError('training needs a label source: a label column, a labels file or analysts\' decisions on anomalies');
  try {
    resolveFeatures(r.data.features);
  } catch (e) {
    throw new RiskModelError(`training parameter features: ${(e as Error).message}`);
  }
  return r.data;
}

async function rows(c: DuckDBConnection, text: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
  const r = await c.runAndReadAll(text, params as DuckDBValue[]);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

const TEMP = ['lr_lines', 'lr_bins', 'lr_long', 'lr_stats', 'lr_total', 'lr_wide', 'lr_pred'];

const lineKeys = (ls: readonly LabelledLine[]) => JSON.stringify([...new Set(ls.map((l) => `${l.declaration_id}\u0001${l.line_no}`))]);
const inKeys = (json: string) => sql<boolean>`coalesce((t.declaration_id || chr(1) || t.line_no::VARCHAR) IN (SELECT unnest(from_json(${json}::JSON, '["VARCHAR"]'))), false)`;
// Decisions name the provider too: declaration ids are unique within a provider only.
const decidedKeys = (ls: readonly DecidedLine[]) => JSON.stringify([...new Set(ls.map((l) => `${l.provider}\u0001${l.declaration_id}\u0001${l.line_no}`))]);
const inDecided = (json: string) =>
  sql<boolean>`coalesce((t.provider || chr(1) || t.declaration_id || chr(1) || t.line_no::VARCHAR) IN (SELECT unnest(from_json(${json}::JSON, '["VARCHAR"]'))), false)`;

/**
 * The label of a training line as SQL over `t` (NULL: unknown, the line does not train): the label column,
 * or membership in a labels file's positives, overridden by analysts' decisions where they name the line.
 * Keys travel as bound JSON parameters (as in evaluate.ts).
 */
export function labelSql(column: string | undefined, labels: TrainingLabels) {
  let base = column ? sql<number>`${sql.ref(`t.${column}`)}::INTEGER` : labels.file !== undefined ? sql<number>`${inKeys(lineKeys(labels.file))}::INTEGER` : sql<number>`NULL::INTEGER`;
  if (labels.decided?.length) {
    const pos = decidedKeys(labels.decided.filter((d) => d.positive));
    const neg = decidedKeys(labels.decided.filter((d) => !d.positive));
    base = sql<number>`CASE WHEN ${inDecided(neg)} THEN 0 WHEN ${inDecided(pos)} THEN 1 ELSE ${base} END`;
  }
  return base;
}

/**
 * The training lines as a scoped query: row id, provider, label 0/1 and every base feature's raw value. Lines
 * whose label is unknown are left out: with a label column, where it is null and no decision names the line;
 * with decisions alone, every undecided line. With a labels file every line of the batches is a negative
 * unless listed.
 */
function trainingLines(db: ScopedDb, p: TrainParams, labels: TrainingLabels) {
  const y = labelSql(p.label, labels);
  const q = (db.db as Kysely<any>)
    .selectFrom((db.db as Kysely<any>).selectFrom('trade_lines as t').where('t.batch_id', 'in', p.batches).select(['t.row_id', 't.provider', y.as('y'), ...rawColumns().map((r) => sql.raw(r.expr).as(r.alias))]).as('l'))
    .selectAll('l')
    .where('l.y', 'is not', null);
  return q.compile();
}

/**
 * Trains and stores a model; returns it. `raw` is validated first (RiskModelError). The label is the column
 * `raw.label`, or, when `lines` is given, membership in those labelled lines (a labels file); analysts'
 * decisions (`lines.decided`) override either on the lines they name. `afterFit` runs on the same connection
 * once the model is stored, while the out-of-fold predictions of the training lines are still at hand (the
 * trained ranking combination is stacked on them, train-ranking.ts); they are never stored.
 */
export async function trainRiskModel(
  store: AnalyticalStore,
  scope: Scope,
  raw: Record<string, unknown>,
  lines?: readonly LabelledLine[] | TrainingLabels,
  afterFit?: (c: DuckDBConnection, fit: AfterFit) => Promise<void>,
): Promise<RiskModel> {
  assertRowAccess(scope);
  const labels = asLabels(lines);
  const p = parseTrainParams(raw, labels);
  const features = resolveFeatures(p.features);
  const q = trainingLines(scopedDb(store, scope), p, labels);
  const labelName = p.label ?? (labels.file !== undefined ? LABELS_FILE : DECISIONS);
  const k = features.length;
  const x = (i: number) => `x${i + 1}`;
  const trainedAt = new Date().toISOString();

  return store.withWriteConnection(async (c) => {
    try {
      await c.run(`CREATE OR REPLACE TEMP TABLE lr_lines AS SELECT s.*, (hash(s.row_id) % ${p.folds})::INTEGER AS fold FROM (${q.sql}) AS s`, q.parameters as DuckDBValue[]);
      const [count] = await rows(c, 'SELECT count(*)::INTEGER AS n, coalesce(sum(y), 0)::INTEGER AS pos, count(DISTINCT provider)::INTEGER AS providers, any_value(provider) AS provider FROM lr_lines');
      const n = Number(count!['n']);
      const pos = Number(count!['pos']);
      if (n === 0) throw new RiskModelError(`no labelled (${labelName}) lines in the ${p.batches.length} training batch(es) you may see: check the batch ids and the label`);
      if (Number(count!['providers']) > 1) throw new RiskModelError(`the training batches hold lines of ${Number(count!['providers'])} providers: train one model per provider`);
      if (pos < 5 || n - pos < 5) throw new RiskModelError(`too few lines of one class to learn from: ${pos} positive and ${n - pos} negative labels (at least 5 of each)`);
      const provider = String(count!['provider']);
      const p0 = pos / n;
      const m = p.smoothing;

      // Decile bounds of each number, from the training lines only.
      const qs = `[${BIN_QUANTILES.join(', ')}]`;
      await c.run(`CREATE OR REPLACE TEMP TABLE lr_bins AS SELECT ${NUMBER_FEATURES.map((b) => `quantile_cont(${rawColumn(b.name)}, ${qs}) AS ${boundsColumn(b.name)}`).join(', ')} FROM lr_lines`);
      await c.run(`CREATE OR REPLACE TEMP TABLE lr_long AS SELECT l.row_id, l.fold, l.y, ${unnestFeaturesSql(features)} FROM lr_lines l CROSS JOIN lr_bins`);
      await c.run('CREATE OR REPLACE TEMP TABLE lr_stats AS SELECT feature, level, fold, count(*)::INTEGER AS n, sum(y)::INTEGER AS pos FROM lr_long GROUP BY ALL');
      await c.run('CREATE OR REPLACE TEMP TABLE lr_total AS SELECT feature, level, sum(n)::INTEGER AS n, sum(pos)::INTEGER AS pos FROM lr_stats GROUP BY ALL');

      // Smoothed log-odds lift over the base rate, from (positives, lines) of a level.
      const lift = (posE: string, nE: string) => `(ln((${posE} + $1 * $2) / (${nE} - ${posE} + $1 * (1 - $2))) - ln($2 / (1 - $2)))`;
      // Out-of-fold: a line's lift for a level counts the level's lines in the other folds only.
      await c.run(
        `CREATE OR REPLACE TEMP TABLE lr_wide AS
         SELECT l.row_id, any_value(l.y)::DOUBLE AS y,
           ${features.map((f, i) => `coalesce(max(${lift('(t.pos - s.pos)', '(t.n - s.n)')}) FILTER (WHERE l.feature = '${f.name}'), 0) AS ${x(i)}`).join(',\n')}
         FROM lr_long l
         JOIN lr_total t ON t.feature = l.feature AND t.level = l.level
         JOIN lr_stats s ON s.feature = l.feature AND s.level = l.level AND s.fold = l.fold
         GROUP BY l.row_id`,
        [m, p0],
      );

      // The logistic regression over the out-of-fold lifts (logistic-fit.ts), started at the base rate.
      const cols = ['1', ...features.map((_, i) => x(i))];
      const zSql = linearPredictorSql(cols);
      let fitted;
      try {
        fitted = await fitLogistic(c, { table: 'lr_wide', cols, ridge: p.ridge, iterations: p.iterations, start: [Math.log(p0 / (1 - p0)), ...features.map(() => 0)] });
      } catch (e) {
        throw new RiskModelError(`the fit failed: ${(e as Error).message}`);
      }
      const { beta, iterations, converged } = fitted;
      if (beta.some((b) => !Number.isFinite(b))) throw new RiskModelError('the fit diverged: raise the ridge or the smoothing');

      // Out-of-fold quality of the training lines.
      await c.run(`CREATE OR REPLACE TEMP TABLE lr_pred AS SELECT row_id, y, 1 / (1 + exp(-${zSql})) AS p FROM lr_wide`, beta);
      const [fit] = await rows(
        c,
        `WITH r AS (SELECT y, p, row_number() OVER (ORDER BY p DESC, row_id) AS rk,
                      sum(y) OVER (ORDER BY p DESC, row_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS tp FROM lr_pred)
         SELECT ${[1, 5, 10].map((pc) => `(sum(y) FILTER (WHERE rk <= ceil(${n} * ${pc} / 100.0)) / ceil(${n} * ${pc} / 100.0))::DOUBLE AS p${pc}`).join(', ')},
           (sum(CASE WHEN y = 1 THEN tp / rk END ORDER BY rk) / ${pos})::DOUBLE AS ap,
           (-avg(y * ln(greatest(p, 1e-15)) + (1 - y) * ln(greatest(1 - p, 1e-15))))::DOUBLE AS ll
         FROM r`,
      );
      const [lv] = await rows(c, 'SELECT count(*)::INTEGER AS n FROM lr_total');
      const metrics: FitMetrics = {
        lines: n,
        positives: pos,
        base_rate: p0,
        oof_precision_at_1pct: Number(fit!['p1']),
        oof_precision_at_5pct: Number(fit!['p5']),
        oof_precision_at_10pct: Number(fit!['p10']),
        oof_average_precision: Number(fit!['ap']),
        oof_log_loss: Number(fit!['ll']),
        iterations,
        converged,
        levels: Number(lv!['n']),
        decided_lines: labels.decided?.length ?? 0,
      };
      const coefficients = Object.fromEntries(features.map((f, i) => [f.name, beta[i + 1]!]));
      const params = { folds: p.folds, smoothing: p.smoothing, ridge: p.ridge, iterations: p.iterations };

      await c.run('BEGIN TRANSACTION');
      try {
        const [seqRow] = await rows(c, 'SELECT (coalesce(max(model_seq), 0) + 1)::INTEGER AS s FROM risk_models');
        const seq = Number(seqRow!['s']);
        const modelId = `M${String(seq).padStart(6, '0')}`;
        const batches = [...new Set(p.batches)].sort();
        await c.run(
          `INSERT INTO risk_models (model_id, model_seq, provider, label, trained_at, principal, batches, format, features, params, bins, intercept, coefficients, base_rate, metrics)
           SELECT $1, $2, $3, $4, $5::TIMESTAMP, $6, from_json($7::JSON, '["VARCHAR"]'), $8, from_json($9::JSON, '["VARCHAR"]'), $10::JSON,
             (SELECT json_object(${NUMBER_FEATURES.map((b) => `'${b.name}', ${boundsColumn(b.name)}`).join(', ')}) FROM lr_bins), $11, $12::JSON, $13, $14::JSON`,
          [
            modelId, seq, provider, labelName, trainedAt.replace('T', ' ').replace('Z', ''), scope.principal, JSON.stringify(batches), MODEL_FORMAT,
            JSON.stringify(features.map((f) => f.name)), JSON.stringify(params), beta[0]!, JSON.stringify(coefficients), p0, JSON.stringify(metrics),
          ],
        );
        // Per level: the all-lines lift and its weight in the score (coefficient x lift), so scoring is one join and a sum.
        await c.run(
          `INSERT INTO risk_model_terms (model_id, provider, feature, level, n, positives, lift, weight)
           WITH coef AS (SELECT u['feature'] AS feature, u['coef'] AS coef FROM (SELECT unnest(from_json($3::JSON, '[{"feature":"VARCHAR","coef":"DOUBLE"}]')) AS u))
           SELECT $4, $5, t.feature, t.level, t.n, t.pos, ${lift('t.pos', 't.n')}, coef.coef * ${lift('t.pos', 't.n')}
           FROM lr_total t JOIN coef ON coef.feature = t.feature`,
          [m, p0, JSON.stringify(features.map((f, i) => ({ feature: f.name, coef: beta[i + 1]! }))), modelId, provider],
        );
        await c.run('COMMIT');
        const model: RiskModel = { model_id: modelId, provider, label: labelName, trained_at: trainedAt, principal: scope.principal, batches, features: features.map((f) => f.name), params, intercept: beta[0]!, coefficients, base_rate: p0, metrics };
        if (afterFit) await afterFit(c, { model, oofTable: 'lr_pred' });
        return model;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      for (const t of TEMP) await c.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    }
  });
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** Stored models the caller may see, oldest first. */
export async function listRiskModels(db: ScopedDb): Promise<RiskModel[]> {
  assertRowAccess(db.scope);
  const r = await (db.db as Kysely<any>)
    .selectFrom('risk_models as m')
    .select(['m.model_id', 'm.provider', 'm.label', sql<string>`strftime(m.trained_at, '%Y-%m-%dT%H:%M:%S.%gZ')`.as('trained_at'), 'm.principal', 'm.batches', 'm.features', 'm.params', 'm.intercept', 'm.coefficients', 'm.base_rate', 'm.metrics'])
    .orderBy('m.model_seq')
    .execute();
  return r.map((m) => ({
    model_id: String(m['model_id']),
    provider: String(m['provider']),
    label: String(m['label']),
    trained_at: String(m['trained_at']),
    principal: String(m['principal']),
    batches: parse(m['batches']) as string[],
    features: parse(m['features']) as string[],
    params: parse(m['params']),
    intercept: Number(m['intercept']),
    coefficients: parse(m['coefficients']),
    base_rate: Number(m['base_rate']),
    metrics: parse(m['metrics']),
  }));
}
