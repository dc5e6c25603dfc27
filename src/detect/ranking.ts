/**
 * Combined risk ranking: one score per declaration line from the scores the detectors of a run gave it.
 *
 * 1. Calibration. Raw detector scores are not comparable (one detector gives 90 to one line in ten thousand,
 *    another to one in ten), so each detector's score is replaced by its empirical tail probability in the run:
 *    for a line with score s from detector d, among the N current lines of its provider that the run read
 *    (`analysis_runs.lines`),
 *
 *        r_d = number of lines d scored at s or higher,      e_d = w_d · ln(N / r_d)      (≥ 0)
 *
 *    e_d is the line's evidence from d in nats: −ln of the share of lines that d finds at least as unusual. A
 *    line d did not flag has e_d = 0 (tail 1). w_d scales a detector: its family's prior weight (1 for direct
 *    evidence, a quarter for party and route indicators: evidence-families.ts) unless `--weight d=w` (0..1)
 *    sets it; 0 removes it.
 * 2. Correlated detectors count once. Detectors reading the same signal form a family (evidence-families.ts:
 *    price-iqr, price-robust-z, value-per-kg and phantom-shipment are the 'unit-price' family); the family's
 *    evidence is its strongest member's, x_f = max_{d ∈ f} e_d, never a sum of near-duplicate votes. The three
 *    price-versus-group detectors are ranked jointly for step 1, as one, by the price factor they found,
 *    |ln(price / median)| (the largest over them for a line), not by their separate scores: a line they flag
 *    is anomalous by their statistical rules, and its strength is the misinvoicing factor (x8 and /8 alike).
 * 3. Combination.
 *    - Unsupervised (no trained combination for the line's provider): S = Σ_f x_f and
 *
 *          score = 100 · (1 − e^{−S}) = 100 · (1 − Π_f t_f^{w})
 *
 *      the product of the families' tail probabilities t_f (Fisher's combination without its correction):
 *      a line at the top 1 % of one family scores 99, corroboration by an independent family multiplies
 *      the tails. Monotone in every detector's score.
 *    - Trained (`analyze --train`, train-ranking.ts): weights fitted on labelled lines out of fold,
 *
 *          score = 100 · σ(β_0 + Σ_f β_f · x_f),     β_f ≥ 0
 *
 *      a predicted probability of the label. For learned-risk x is its own calibrated log-odds lift
 *      (logit p − logit base rate, from its evidence) rather than its tail: it is a probability already, and its
 *      out-of-fold predictions on the training lines are what the weights were fitted on. The latest trained
 *      combination of each provider is used by default (`combination: 'auto'`); 'unsupervised' or explicit
 *      weights ask for the formula above.
 *
 * Invariants:
 * - Computed inside DuckDB over the stored `anomalies` of one run (subject_kind 'line'), through the scoped
 *   query layer: a caller ranks only the lines of providers they may read, and calibration is per provider, so
 *   the score of a line does not depend on who else's lines the caller can see. No rows pass through
 *   JavaScript except the page asked for.
 * - Total, deterministic order: combined score descending, then row id ascending.
 * - Weights, family names and model coefficients are bound parameters (ids and numbers are validated, never
 *   interpolated into SQL text).
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { ScopedDb } from '../query/index.ts';
import { latestRunId } from './anomaly-queries.ts';
import { FAMILY_PAIRS, familyOf, LEARNED_RISK, PRICE_FACTOR, PRICE_FACTOR_MEMBERS, PRIOR_WEIGHT } from './evidence-families.ts';
import { assertRowAccess } from './run-analysis.ts';

export const DEFAULT_WEIGHT = 1;
export const MAX_RANKING_PAGE = 10_000;

export const weightsSchema = z.record(z.string().regex(/^[a-z0-9-]{1,64}$/), z.number().min(0).max(1));
export type Weights = Readonly<Record<string, number>>;

export class RankingParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RankingParamError';
  }
}

/** `ID=W` pairs to weights; the message names the detector id, never an unparsable value. */
export function parseWeightFlags(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-z0-9-]{1,64})=(.*)$/.exec(v);
    if (!m) throw new RankingParamError('--weight takes DETECTOR=W with W between 0 and 1, e.g. --weight price-iqr=0.5');
    const w = Number(m[2]);
    if (m[2]!.trim() === '' || !Number.isFinite(w) || w < 0 || w > 1) throw new RankingParamError(`weight of ${m[1]} must be a number between 0 and 1`);
    out[m[1]!] = w;
  }
  return out;
}

/** A trained combination as the ranking applies it (train-ranking.ts stores them). */
export interface TrainedCombination {
  model_id: string;
  provider: string;
  intercept: number;
  /** β_f per family (≥ 0); a family not named has weight 0. */
  weights: Readonly<Record<string, number>>;
}

export interface Combination {
  /** Unsupervised per-detector weights (0..1, default 1). */
  weights?: Weights | undefined;
  /** Trained combinations; lines of a provider without one use the unsupervised formula. */
  models?: readonly TrainedCombination[] | undefined;
}

/** A CASE over bound parameters: `whens` as [condition, value] pairs, else `otherwise`. */
function caseOf(whens: readonly [RawBuilder<unknown>, number | string][], otherwise: RawBuilder<unknown>) {
  if (!whens.length) return otherwise;
  return sql`CASE ${sql.join(whens.map(([c, v]) => sql`WHEN ${c} THEN ${v}`), sql` `)} ELSE ${otherwise} END`;
}

/**
 * Per-detector line scores of a run: one row per (line, detector), the detector's highest score on it, for
 * learned-risk its log-odds lift over the model's base rate, and for the price-versus-group detectors the price
 * factor |ln(price / median)|. Columns: provider, declaration_id, line_no, row_id, detector, score, lift, factor.
 */
export function detectorLineScores(db: ScopedDb, runId: string): SelectQueryBuilder<any, any, any> {
  const base = sql<number>`json_extract(a.evidence, '$.base_rate')::DOUBLE`;
  const lift = sql<number>`json_extract(a.evidence, '$.logit')::DOUBLE - ln(greatest(1e-9, ${base}) / greatest(1e-9, 1 - ${base}))`;
  return (db.db as Kysely<any>)
    .selectFrom('anomalies as a')
    .where('a.run_id', '=', runId)
    .where('a.subject_kind', '=', 'line')
    .where('a.row_id', 'is not', null)
    .select([
      'a.provider',
      'a.row_id',
      'a.detector',
      sql<string>`any_value(a.declaration_id)`.as('declaration_id'),
      sql<number>`any_value(a.line_no)`.as('line_no'),
      sql<number>`max(a.score)`.as('score'),
      sql<number>`max(CASE WHEN a.detector = ${LEARNED_RISK} THEN ${lift} END)`.as('lift'),
      sql<number>`max(abs(ln(greatest(1e-300, json_extract(a.evidence, '$.ratio_to_median')::DOUBLE))))`.as('factor'),
    ])
    .groupBy(['a.provider', 'a.row_id', 'a.detector']);
}

/**
 * Calibrated evidence of a run per (line, family): provider, row_id, declaration_id, line_no, family,
 * x (the family's strongest tail evidence, nats), lift (learned-risk's log-odds lift, else NULL) and the
 * detectors that fired. The same query feeds the ranking and the training of its weights.
 */
export function familyEvidence(db: ScopedDb, runId: string, weights: Weights = {}): SelectQueryBuilder<any, any, any> {
  const k = db.db as Kysely<any>;
  const w = weightsSchema.parse(weights);
  const population = k
    .selectFrom('analysis_runs as r')
    .where('r.run_id', '=', runId)
    .select((eb) => [
      'r.provider',
      eb.fn.coalesce('r.lines', eb.selectFrom('trade_lines as tl').select(sql<number>`count(*)`.as('c')).whereRef('tl.provider', '=', 'r.provider')).as('lines'),
    ]);
  // Explicit weights first, then the priors of families (every id a family is named by is its own detector's).
  const priors = Object.entries(PRIOR_WEIGHT).filter(([id]) => w[id] === undefined && familyOf(id) === id);
  const weight = caseOf(
    [...Object.entries(w), ...priors].map(([id, v]) => [sql`s.detector = ${id}`, v]),
    sql`${DEFAULT_WEIGHT}::DOUBLE`,
  );
  const family = caseOf(FAMILY_PAIRS.map(([d, f]) => [sql`s.detector = ${d}`, f]), sql`s.detector`);
  const byFactor = sql<boolean>`s.detector IN (${sql.join(PRICE_FACTOR_MEMBERS)})`;
  // One row per line and ranking key: the price-versus-group detectors share the key PRICE_FACTOR.
  const keyed = k
    .selectFrom(detectorLineScores(db, runId).as('s'))
    .where(sql<boolean>`(${weight}) > 0`)
    .select([
      's.provider',
      's.row_id',
      sql<string>`CASE WHEN ${byFactor} THEN ${PRICE_FACTOR} ELSE s.detector END`.as('rank_key'),
      sql<string>`${family}`.as('family'),
      sql<string>`any_value(s.declaration_id)`.as('declaration_id'),
      sql<number>`any_value(s.line_no)`.as('line_no'),
      sql<number>`max(CASE WHEN ${byFactor} THEN coalesce(s.factor, 0.0) ELSE s.score END)`.as('rank_score'),
      sql<number>`max((${weight})::DOUBLE)`.as('w'),
      sql<number>`max(s.lift)`.as('lift'),
      sql<string[]>`list(s.detector)`.as('detectors'),
    ])
    // By position: rank_key and family are CASE expressions over bound parameters.
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`]);
  // r: lines ranked at this strength or higher under the same key (the default RANGE frame counts ties alike).
  const ranked = k
    .selectFrom(keyed.as('s'))
    .selectAll('s')
    .select(sql<number>`count(*) OVER (PARTITION BY s.provider, s.rank_key ORDER BY s.rank_score DESC)`.as('rk'));
  return k
    .selectFrom(ranked.as('e'))
    .innerJoin(population.as('n'), 'n.provider', 'e.provider')
    .select([
      'e.provider',
      'e.row_id',
      'e.family',
      sql<string>`any_value(e.declaration_id)`.as('declaration_id'),
      sql<number>`any_value(e.line_no)`.as('line_no'),
      sql<number>`max(e.w * ln(greatest(n.lines, e.rk)::DOUBLE / e.rk))`.as('x'),
      sql<number>`max(e.lift)`.as('lift'),
      sql<string[]>`flatten(list(e.detectors))`.as('detectors'),
    ])
    .groupBy(['e.provider', 'e.row_id', 'e.family']);
}

/**
 * The combined ranking of a run as a query (unordered): provider, declaration_id, line_no, row_id,
 * score (unrounded, 0..100), detectors (sorted ids).
 */
export function rankingQuery(db: ScopedDb, runId: string, combination: Combination = {}): SelectQueryBuilder<any, any, any> {
  const models = combination.models ?? [];
  const trained = models.length ? sql<boolean>`f.provider IN (${sql.join(models.map((m) => m.provider))})` : sql<boolean>`false`;
  const intercept = caseOf(models.map((m) => [sql`f.provider = ${m.provider}`, m.intercept]), sql`0.0`);
  const beta = caseOf(
    models.flatMap((m) => Object.entries(m.weights).map(([fam, b]) => [sql`f.provider = ${m.provider} AND f.family = ${fam}`, b] as [RawBuilder<unknown>, number])),
    sql`0.0`,
  );
  const trainedX = sql<number>`CASE WHEN f.family = ${LEARNED_RISK} THEN greatest(0.0, coalesce(f.lift, 0.0)) ELSE f.x END`;
  const z = sql<number>`(${intercept})::DOUBLE + sum((${beta})::DOUBLE * ${trainedX})`;
  return (db.db as Kysely<any>)
    .selectFrom(familyEvidence(db, runId, combination.weights).as('f'))
    .select([
      'f.provider',
      'f.row_id',
      sql<string>`any_value(f.declaration_id)`.as('declaration_id'),
      sql<number>`any_value(f.line_no)`.as('line_no'),
      sql<number>`CASE WHEN ${trained} THEN 100.0 / (1.0 + exp(-greatest(-30.0, least(30.0, ${z})))) ELSE 100.0 * (1.0 - exp(-sum(f.x))) END`.as('score'),
      sql<string[]>`list_sort(flatten(list(f.detectors)))`.as('detectors'),
    ])
    .groupBy(['f.provider', 'f.row_id']);
}

export interface RankedLine {
  declaration_id: string | null;
  line_no: number | null;
  row_id: string;
  score: number;
  detectors: string[];
}

export interface RankingPage {
  run_id: string | null;
  /** How the scores were combined: the trained combinations used (by provider), else unsupervised. */
  combination: { method: 'trained' | 'unsupervised'; models: string[] };
  rows: RankedLine[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

/** 'auto' (default): each provider's latest trained combination where there is one; 'unsupervised'; or a model id. */
export type CombinationChoice = 'auto' | 'unsupervised' | string;

export interface RankingFilter {
  run?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Unsupervised weights; giving any asks for the unsupervised formula. */
  weights?: Weights | undefined;
  combination?: CombinationChoice | undefined;
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * The trained combinations a ranking uses: none for 'unsupervised' or explicit weights; the named model; else
 * the latest of each provider the caller may see.
 */
export async function resolveCombination(db: ScopedDb, choice: CombinationChoice = 'auto', weights: Weights = {}): Promise<Combination> {
  if (choice === 'unsupervised' || Object.keys(weights).length) return { weights };
  const k = db.db as Kysely<any>;
  let q = k.selectFrom('ranking_models as m').select(['m.model_id', 'm.provider', 'm.intercept', 'm.weights']);
  if (choice !== 'auto') {
    if (!/^C[0-9]{6,}$/.test(choice)) throw new RankingParamError('the combination is auto, unsupervised or a trained combination id like C000001');
    q = q.where('m.model_id', '=', choice);
  } else {
    q = q.where('m.model_seq', '=', k.selectFrom('ranking_models as m2').select(sql<number>`max(m2.model_seq)`.as('s')).whereRef('m2.provider', '=', 'm.provider'));
  }
  const rows = await q.orderBy('m.provider').execute();
  if (choice !== 'auto' && !rows.length) throw new RankingParamError('no such trained combination among those you can see (see parallax analyze --models)');
  return {
    models: rows.map((r) => ({ model_id: String(r['model_id']), provider: String(r['provider']), intercept: Number(r['intercept']), weights: parse(r['weights']) as Record<string, number> })),
  };
}

/** A page of the combined ranking of a run (default: the latest run the caller can see), with the total. */
export async function listRanking(db: ScopedDb, f: RankingFilter = {}): Promise<RankingPage> {
  assertRowAccess(db.scope);
  const limit = f.limit ?? 100;
  const offset = f.offset ?? 0;
  const runId = f.run ?? (await latestRunId(db));
  const combination = await resolveCombination(db, f.combination, f.weights ?? {});
  const used = { method: combination.models?.length ? ('trained' as const) : ('unsupervised' as const), models: (combination.models ?? []).map((m) => m.model_id) };
  if (!runId) return { run_id: null, combination: used, rows: [], total: 0, offset, limit, truncated: false, next_offset: null };
  const k = db.db as Kysely<any>;
  const [rows, count] = await Promise.all([
    k
      .selectFrom(rankingQuery(db, runId, combination).as('r'))
      .select(['r.declaration_id', 'r.line_no', sql<string>`r.row_id::VARCHAR`.as('row_id'), sql<number>`round(r.score, 4)`.as('score'), 'r.detectors'])
      .orderBy('r.score', 'desc')
      .orderBy('r.row_id')
      .limit(limit)
      .offset(offset)
      .execute(),
    k.selectFrom(rankingQuery(db, runId, combination).as('r')).select(sql<number>`count(*)::INTEGER`.as('n')).executeTakeFirst(),
  ]);
  const total = Number(count?.['n'] ?? 0);
  const end = offset + rows.length;
  return {
    run_id: runId,
    combination: used,
    rows: rows.map((r) => ({
      declaration_id: (r['declaration_id'] as string | null) ?? null,
      line_no: r['line_no'] === null || r['line_no'] === undefined ? null : Number(r['line_no']),
      row_id: String(r['row_id']),
      score: Number(r['score']),
      detectors: parse(r['detectors']) as string[],
    })),
    total,
    offset,
    limit,
    truncated: end < total,
    next_offset: end < total ? end : null,
  };
}
