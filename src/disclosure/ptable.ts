/**
 * The perturbation table for counts (the cell-key method of ABS TableBuilder and Destatis' `ptable`), pure
 * and IO-free.
 *
 * For an original count i the table is a distribution over the noise v in [-D, D] with
 *   - i + v >= 0 (a count never becomes negative),
 *   - mean 0 (the perturbed count is unbiased),
 *   - variance V where the support allows it (it does for every i >= 1 when D >= 2 and V <= D),
 * and, among all such distributions, the one of maximum entropy (Destatis' construction): p(v) is
 * proportional to exp(a·v + b·v²), with a and b solved for by Newton's method on the two moment conditions.
 * Rows i >= D all have the full symmetric support, so the table has D + 1 rows; row 0 keeps a zero at zero
 * (mean 0 on a non-negative support leaves no other choice).
 *
 * A cell's noise is read from its row at a uniform u in [0, 1) derived from the cell key: the first v whose
 * cumulative probability exceeds u. The same u always gives the same v.
 */

export interface PTableParams {
  /** Largest absolute noise. */
  readonly maxNoise: number;
  /** Variance of the noise (of rows whose support allows it). */
  readonly variance: number;
}

export interface PTableRow {
  readonly values: readonly number[];
  readonly probs: readonly number[];
  /** Cumulative probabilities, the last exactly 1. */
  readonly cumulative: readonly number[];
}

export interface PTable {
  readonly params: PTableParams;
  readonly rows: readonly PTableRow[];
}

/** Maximum-entropy distribution on `values` with mean 0 and variance `v` (or as close as the support allows). */
function maxEntropyRow(values: readonly number[], variance: number): number[] {
  if (values.length === 1) return [1];
  // Newton on (a, b) for E[v] = 0, E[v²] = V; the Jacobian is the covariance of (v, v²) under p.
  let a = 0;
  let b = -1 / (2 * variance);
  const probs = (aa: number, bb: number) => {
    const w = values.map((v) => aa * v + bb * v * v);
    const top = Math.max(...w);
    const e = w.map((x) => Math.exp(x - top));
    const z = e.reduce((s, x) => s + x, 0);
    return e.map((x) => x / z);
  };
  for (let it = 0; it < 200; it++) {
    const p = probs(a, b);
    const m1 = p.reduce((s, x, k) => s + x * values[k]!, 0);
    const m2 = p.reduce((s, x, k) => s + x * values[k]! ** 2, 0);
    const m3 = p.reduce((s, x, k) => s + x * values[k]! ** 3, 0);
    const m4 = p.reduce((s, x, k) => s + x * values[k]! ** 4, 0);
    const f1 = m1;
    const f2 = m2 - variance;
    if (Math.abs(f1) < 1e-12 && Math.abs(f2) < 1e-12) break;
    // d/da E[v^k] = E[v^(k+1)] - E[v^k]E[v]; d/db E[v^k] = E[v^(k+2)] - E[v^k]E[v²].
    const j11 = m2 - m1 * m1;
    const j12 = m3 - m1 * m2;
    const j21 = m3 - m2 * m1;
    const j22 = m4 - m2 * m2;
    const det = j11 * j22 - j12 * j21;
    if (!Number.isFinite(det) || Math.abs(det) < 1e-15) break;
    let da = (f1 * j22 - f2 * j12) / det;
    let db = (j11 * f2 - j21 * f1) / det;
    // Damped steps keep the exponent finite when the support is lopsided (small counts).
    const step = Math.max(Math.abs(da), Math.abs(db));
    if (step > 2) {
      da *= 2 / step;
      db *= 2 / step;
    }
    a -= da;
    b -= db;
  }
  return probs(a, b);
}

export function buildPTable(params: PTableParams): PTable {
  const { maxNoise: d, variance } = params;
  if (!Number.isInteger(d) || d < 1 || !(variance > 0) || variance > d * d) throw new RangeError('ptable: maxNoise is a whole number >= 1 and 0 < variance <= maxNoise²');
  const rows: PTableRow[] = [];
  for (let i = 0; i <= d; i++) {
    const values: number[] = [];
    for (let v = -d; v <= d; v++) if (i + v >= 0) values.push(v);
    // A lopsided support cannot reach every variance with mean 0: aim at the largest it can, less a margin.
    const lo = values[0]!;
    const hi = values[values.length - 1]!;
    const reachable = -lo * hi;
    const target = Math.min(variance, reachable * 0.9);
    const probs = i === 0 ? values.map((v) => (v === 0 ? 1 : 0)) : maxEntropyRow(values, target);
    let acc = 0;
    const cumulative = probs.map((p) => (acc += p));
    cumulative[cumulative.length - 1] = 1;
    rows.push({ values, probs, cumulative });
  }
  return { params, rows };
}

/** The noise for count `count` at uniform `u` in [0, 1). */
export function countNoise(table: PTable, count: number, u: number): number {
  const row = table.rows[Math.min(Math.max(0, Math.round(count)), table.rows.length - 1)]!;
  for (let k = 0; k < row.cumulative.length; k++) if (u < row.cumulative[k]!) return row.values[k]!;
  return row.values[row.values.length - 1]!;
}
