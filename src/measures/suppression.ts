/**
 * Small-cell suppression for aggregate-only scopes (spec/access.md), pure and IO-free.
 *
 * Primary rule: a cell describing fewer than MIN_PARTIES distinct parties (importers), or where one party
 * holds more than MAX_SHARE of the value, is suppressed.
 *
 * Complementary rule: the cells are a table whose coordinates are the cell key (dimensions and period). A
 * "line" is every set of cells that agree on all coordinates but one, and the whole table is one more line
 * (its grand total is shown). Whenever a line holds exactly one suppressed cell, the visible cell of that
 * line with the fewest lines (then the least value) is suppressed too, repeated until no line has exactly one.
 * A table of one cell that is suppressed has its grand total suppressed as well.
 *
 * What this guarantees: no suppressed cell equals a shown (grand) or derivable (line) total minus the
 * visible cells of that line, for the lines and value measures, which are never zero in a non-empty cell.
 * What it does NOT guarantee:
 * - protection intervals: the complement may be small, so a suppressed cell can be bounded tightly;
 * - additive measures that can be zero in the complement (seizures, duty): with a zero complement the
 *   subtraction still recovers them;
 * - linear-programming attacks that combine several lines, or differencing across queries with different
 *   filters or dimensions (a report system must keep that in mind; one query alone is what is protected).
 */

export const MIN_PARTIES = 3;
export const MAX_SHARE = 0.8;

export interface CellStats {
  /** Coordinates of the cell: dimension values and period, in a fixed order. */
  readonly key: readonly (string | number | null)[];
  readonly parties: number;
  /** Largest single party's share of the cell's value; null when the cell has no value. */
  readonly topShare: number | null;
  /** Ordering of complements: smaller first. */
  readonly lines: number;
  readonly value: number;
}

export type SuppressionReason = 'primary' | 'complementary';

export function failsPrimary(c: { parties: number; topShare: number | null }): boolean {
  return c.parties < MIN_PARTIES || (c.topShare !== null && c.topShare > MAX_SHARE);
}

export function suppressCells(cells: readonly CellStats[]): { reasons: (SuppressionReason | null)[]; totalSuppressed: boolean } {
  const reasons: (SuppressionReason | null)[] = cells.map((c) => (failsPrimary(c) ? 'primary' : null));
  const width = cells[0]?.key.length ?? 0;
  const lines: number[][] = [cells.map((_, i) => i)];
  for (let k = 0; k < width; k++) {
    const groups = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const g = JSON.stringify(c.key.filter((_, j) => j !== k));
      groups.set(g, [...(groups.get(g) ?? []), i]);
    });
    lines.push(...groups.values());
  }
  // Each pass adds at least one suppression or stops, so it ends within cells.length passes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const hidden = line.filter((i) => reasons[i] !== null);
      if (hidden.length !== 1 || line.length < 2) continue;
      const next = line
        .filter((i) => reasons[i] === null)
        .sort((a, b) => cells[a]!.lines - cells[b]!.lines || cells[a]!.value - cells[b]!.value)[0]!;
      reasons[next] = 'complementary';
      changed = true;
    }
  }
  return { reasons, totalSuppressed: cells.length === 1 && reasons[0] !== null };
}
