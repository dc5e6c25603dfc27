/**
 * Penalised logistic regression fitted inside DuckDB by Newton's method (IRLS), shared by the learned-risk
 * model (train-risk-model.ts) and the trained ranking combination (train-ranking.ts).
 *
 * Model: P(y = 1) = σ(β · x) over the columns `cols` of a table (the first is usually the constant '1'),
 * maximising log-likelihood − ridge/2 · Σ_{i ≥ 1} β_i² (the first column is not penalised).
 *
 * Invariants:
 * - Rows never pass through JavaScript: each step is one aggregate query returning the log-likelihood, the
 *   gradient and the Hessian (columns x columns); only that small system is solved here (linear-solve.ts).
 * - A step that lowers the penalised log-likelihood is halved until it does not (plain Newton can overshoot
 *   when positives are rare), so every accepted step improves the fit; the iteration count is bounded.
 * - `table`, `cols` and `where` are SQL text written by the callers from fixed names, never user values;
 *   β travels as bound parameters.
 * - Deterministic for the same rows: aggregates over a fixed set, a fixed start, a fixed step rule.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { solveLinear } from './linear-solve.ts';

export interface LogisticFitOptions {
  /** Table (or parenthesised query) with a 0/1 column `y` and the feature columns. */
  readonly table: string;
  /** Feature expressions over the table; the first is left out of the penalty. */
  readonly cols: readonly string[];
  /** Rows to fit on (SQL over the table), e.g. the other folds. */
  readonly where?: string;
  readonly ridge: number;
  readonly iterations: number;
  /** Starting β (default: zeros). */
  readonly start?: readonly number[];
}

export interface LogisticFit {
  beta: number[];
  iterations: number;
  converged: boolean;
}

/** SQL of the linear predictor σ⁻¹ over the columns, with β as parameters $1..$n (clamped to ±30). */
export function linearPredictorSql(cols: readonly string[]): string {
  return `greatest(-30, least(30, ${cols.map((col, i) => `$${i + 1}::DOUBLE * ${col}`).join(' + ')}))`;
}

export async function fitLogistic(c: DuckDBConnection, o: LogisticFitOptions): Promise<LogisticFit> {
  const cols = o.cols;
  const k = cols.length;
  const zSql = linearPredictorSql(cols);
  const hessCells: string[] = [];
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) hessCells.push(`sum(w * ${cols[i]} * ${cols[j]})::DOUBLE AS h_${i}_${j}`);
  const step = `SELECT sum(y * z - CASE WHEN z > 0 THEN z + ln(1 + exp(-z)) ELSE ln(1 + exp(z)) END)::DOUBLE AS ll,
      ${cols.map((col, i) => `sum((y - p) * ${col})::DOUBLE AS g_${i}`).join(', ')}, ${hessCells.join(', ')}
    FROM (SELECT *, p * (1 - p) AS w FROM (SELECT *, 1 / (1 + exp(-z)) AS p FROM (SELECT *, ${zSql} AS z FROM ${o.table}${o.where ? ` WHERE ${o.where}` : ''})))`;
  const at = async (b: number[]) => {
    const r = (await c.runAndReadAll(step, b as DuckDBValue[])).getRowObjectsJson()[0] as Record<string, unknown>;
    const penalty = (o.ridge / 2) * b.slice(1).reduce((s, v) => s + v * v, 0);
    return {
      objective: Number(r['ll']) - penalty,
      g: cols.map((_, i) => Number(r[`g_${i}`]) - (i > 0 ? o.ridge * b[i]! : 0)),
      h: cols.map((_, i) => cols.map((__, j) => Number(r[`h_${Math.min(i, j)}_${Math.max(i, j)}`]) + (i === j && i > 0 ? o.ridge : 0))),
    };
  };
  let beta = o.start ? [...o.start] : new Array<number>(k).fill(0);
  let cur = await at(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < o.iterations && !converged) {
    iterations++;
    const delta = solveLinear(cur.h, cur.g);
    let t = 1;
    for (;;) {
      const next = beta.map((b, i) => b + t * delta[i]!);
      const r = await at(next);
      if (r.objective >= cur.objective - 1e-9 * Math.abs(cur.objective) || t < 1e-3) {
        converged = Math.max(...delta.map((d) => Math.abs(t * d))) < 1e-7 || r.objective - cur.objective < 1e-10 * Math.abs(cur.objective);
        beta = next;
        cur = r;
        break;
      }
      t /= 2;
    }
  }
  return { beta, iterations, converged };
}
