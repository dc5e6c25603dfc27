/**
 * Solves the small dense symmetric system of one Newton step of the learned-risk logistic regression.
 *
 * Invariants: the matrix is features x features (a few dozen), built by one SQL aggregate over all training
 * lines, so solving it in JavaScript never touches rows. Gaussian elimination with partial pivoting; a
 * singular system (a feature constant on every line, no ridge) is an error rather than a silent NaN.
 */

/** x with a·x = b; `a` is row-major n x n, neither input is modified. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) throw new RangeError('singular system: a feature is constant on every training line (use a ridge > 0)');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r]!;
      const f = row[col]! / p[col]!;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) row[c] = row[c]! - f * p[c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
