/**
 * Retention rules (access.md, privacy by design): each dataset category has a retention period, a purge
 * removes what has passed it, and legal holds block purges.
 *
 * Invariants:
 * - Pure and IO-free: periods, cut-offs and hold matching are decided here, so the purge job, its dry run,
 *   the API preview and the data register agree by construction.
 * - A category nobody has configured keeps the default: 10 years counted from loading ("10 years in the
 *   system"). A deployment may count from the row's own date instead (`record-date`: a declaration's
 *   acceptance date, a payment's value date, the end of a mirror statistic's period), which is the stricter
 *   rule when old records are loaded late.
 * - Cut-offs are whole UTC days: a row expires when its date is before the cut-off day, never on it.
 */
import { DATASETS, type DatasetCategory, type DatasetId } from '../schema/index.ts';

export type RetentionBasis = 'loaded' | 'record-date';
export const RETENTION_BASES: readonly RetentionBasis[] = ['loaded', 'record-date'];

export const DEFAULT_RETENTION_YEARS = 10;
/** Longer than any retention a record-keeping law asks of trade data, short enough to catch a typo. */
export const MAX_RETENTION_YEARS = 100;

/** Categories whose rows a purge removes: those of the loaded datasets (watch lists are replaced by versions). */
export const RETAINED_CATEGORIES: readonly DatasetCategory[] = [...new Set(Object.values(DATASETS).map((d) => d.category))];

export interface RetentionPolicy {
  category: DatasetCategory;
  years: number;
  basis: RetentionBasis;
  /** Null for the default. */
  setBy: string | null;
  setAt: string | null;
  reason: string | null;
}

export type HoldKind = 'category' | 'provider' | 'batch';
export const HOLD_KINDS: readonly HoldKind[] = ['category', 'provider', 'batch'];

export interface LegalHold {
  id: number;
  kind: HoldKind;
  target: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

export class RetentionError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'RetentionError';
  }
}

export function defaultPolicy(category: DatasetCategory): RetentionPolicy {
  return { category, years: DEFAULT_RETENTION_YEARS, basis: 'loaded', setBy: null, setAt: null, reason: null };
}

export function checkPolicyInput(category: string, years: number, basis: string): void {
  if (!(RETAINED_CATEGORIES as readonly string[]).includes(category))
    throw new RetentionError('invalid', `category ${JSON.stringify(category)} has no retention period; use one of ${RETAINED_CATEGORIES.join(', ')}`);
  if (!Number.isInteger(years) || years < 1 || years > MAX_RETENTION_YEARS) throw new RetentionError('invalid', `years must be a whole number from 1 to ${MAX_RETENTION_YEARS}`);
  if (!(RETENTION_BASES as readonly string[]).includes(basis)) throw new RetentionError('invalid', `basis must be one of ${RETENTION_BASES.join(', ')}`);
}

/**
 * The first day a row may still be kept: `asOf` minus `years`, as YYYY-MM-DD. 29 February minus a year
 * that has none becomes 1 March, as the calendar arithmetic of both engines does.
 */
export function cutoffDate(asOf: Date, years: number): string {
  const d = new Date(Date.UTC(asOf.getUTCFullYear() - years, asOf.getUTCMonth(), asOf.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

/** Is a batch (with its category and provider) under any active hold? */
export function isHeld(holds: readonly LegalHold[], b: { batchId: string; category: string; provider: string }): boolean {
  return holds.some(
    (h) => h.releasedAt === null && ((h.kind === 'batch' && h.target === b.batchId) || (h.kind === 'provider' && h.target === b.provider) || (h.kind === 'category' && h.target === b.category)),
  );
}

/** The row-date expression a record-date policy compares with the cut-off, per dataset (DuckDB SQL). */
export function recordDateSql(dataset: DatasetId): string {
  switch (dataset) {
    case 'mirror_stats':
      // A period ends with its last month; a yearly period with December. The row expires when that month
      // ended before the cut-off, i.e. the month's last day is before the cut-off day.
      return "(CASE WHEN length(period) = 4 THEN (period || '-12-01') ELSE (period || '-01') END)::DATE + INTERVAL 1 MONTH - INTERVAL 1 DAY";
    default:
      return 'date';
  }
}
