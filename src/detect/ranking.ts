/**
 * Combined risk ranking: one score per declaration line from the scores the detectors of a run gave it.
 *
 * Formula (noisy-OR): for each line and each detector d that fired on it, take the detector's highest score
 * on that line (score_d in 0..100) and its weight w_d (0..1), and read p_d = w_d · score_d / 100 as the
 * probability that d alone is right about the line. The line's combined score is
 *
 *     score = 100 · (1 − Π_d (1 − p_d))
 *
 * Why noisy-OR: it is monotone in every signal, so several weak independent signals outrank any one of them
 * (two detectors at p = 0.5 give 75), while one very strong signal stays high on its own (p = 0.95 gives 95);
 * a plain mean would punish a line for a detector that did not fire, a max would ignore corroboration.
 *
 * Weights: DEFAULT_WEIGHT (0.8) for every detector unless overridden per detector id (`weights`), so that one
 * detector at score 100 gives 80 and corroboration is always needed to reach the very top. Correlated
 * detectors (the price detectors all look at unit price) can be damped by giving them smaller weights.
 *
 * Invariants:
 * - Computed inside DuckDB over the stored `anomalies` of one run (subject_kind 'line'), through the scoped
 *   query layer: a caller ranks only the lines of providers they may read; no rows pass through JavaScript
 *   except the page asked for.
 * - Total, deterministic order: combined score descending, then row id ascending.
 * - Weights are bound parameters (ids and numbers are validated, never interpolated into SQL text).
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { ScopedDb } from '../query/index.ts';
import { latestRunId } from './anomaly-queries.ts';
import { assertRowAccess } from './run-analysis.ts';

export const DEFAULT_WEIGHT = 0.8;
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

/** The weight of a detector as SQL over column `col`: a CASE on bound parameters. */
function weightSql(col: string, weights: Weights) {
  const entries = Object.entries(weightsSchema.parse(weights));
  if (!entries.length) return sql<number>`${DEFAULT_WEIGHT}::DOUBLE`;
  return sql<number>`CASE ${sql.ref(col)} ${sql.join(entries.map(([id, w]) => sql`WHEN ${id} THEN ${w}::DOUBLE`), sql` `)} ELSE ${DEFAULT_WEIGHT}::DOUBLE END`;
}

/**
 * Per-detector line scores of a run: one row per (line, detector), the detector's highest score on it.
 * Columns: provider, declaration_id, line_no, row_id, detector, score.
 */
export function detectorLineScores(db: ScopedDb, runId: string): SelectQueryBuilder<any, any, any> {
  return (db.db as Kysely<any>)
    .selectFrom('anomalies as a')
    .where('a.run_id', '=', runId)
    .where('a.subject_kind', '=', 'line')
    .where('a.row_id', 'is not', null)
    .select(['a.provider', 'a.row_id', 'a.detector', sql<string>`any_value(a.declaration_id)`.as('declaration_id'), sql<number>`any_value(a.line_no)`.as('line_no'), sql<number>`max(a.score)`.as('score')])
    .groupBy(['a.provider', 'a.row_id', 'a.detector']);
}

/**
 * The combined ranking of a run as a query (unordered): provider, declaration_id, line_no, row_id,
 * score (unrounded, 0..100), detectors (sorted ids).
 */
export function rankingQuery(db: ScopedDb, runId: string, weights: Weights = {}): SelectQueryBuilder<any, any, any> {
  const per = detectorLineScores(db, runId);
  const p = sql<number>`least(1.0, greatest(0.0, ${weightSql('s.detector', weights)} * s.score / 100.0))`;
  return (db.db as Kysely<any>)
    .selectFrom(per.as('s'))
    .select([
      's.provider',
      's.row_id',
      sql<string>`any_value(s.declaration_id)`.as('declaration_id'),
      sql<number>`any_value(s.line_no)`.as('line_no'),
      sql<number>`100.0 * (1.0 - product(1.0 - ${p}))`.as('score'),
      sql<string[]>`list_sort(list(s.detector))`.as('detectors'),
    ])
    .groupBy(['s.provider', 's.row_id']);
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
  rows: RankedLine[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface RankingFilter {
  run?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  weights?: Weights | undefined;
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** A page of the combined ranking of a run (default: the latest run the caller can see), with the total. */
export async function listRanking(db: ScopedDb, f: RankingFilter = {}): Promise<RankingPage> {
  assertRowAccess(db.scope);
  const limit = f.limit ?? 100;
  const offset = f.offset ?? 0;
  const runId = f.run ?? (await latestRunId(db));
  if (!runId) return { run_id: null, rows: [], total: 0, offset, limit, truncated: false, next_offset: null };
  const weights = f.weights ?? {};
  const k = db.db as Kysely<any>;
  const [rows, count] = await Promise.all([
    k
      .selectFrom(rankingQuery(db, runId, weights).as('r'))
      .select(['r.declaration_id', 'r.line_no', sql<string>`r.row_id::VARCHAR`.as('row_id'), sql<number>`round(r.score, 2)`.as('score'), 'r.detectors'])
      .orderBy('r.score', 'desc')
      .orderBy('r.row_id')
      .limit(limit)
      .offset(offset)
      .execute(),
    k.selectFrom(detectorLineScores(db, runId).as('s')).select(sql<number>`count(DISTINCT (s.provider, s.row_id))::INTEGER`.as('n')).executeTakeFirst(),
  ]);
  const total = Number(count?.['n'] ?? 0);
  const end = offset + rows.length;
  return {
    run_id: runId,
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
