/**
 * The comparison group of a price anomaly, read back with the detector's own definition: the lines its
 * statistic was computed from, priced the way the detector priced them, so a chart of the group draws
 * exactly what the reason sentence's "median of N" describes.
 *
 * Invariants:
 * - The group is the one named in the anomaly's evidence: hs6, flow and unit always; the partner only when
 *   the detector compared at the hs6 x partner x flow level; the rolling window's first and last day when
 *   the run used one (tukey-fences.ts). Lines are priced with the detector's PriceBasis (priced-lines.ts),
 *   so the partner rule (origin for imports, falling back to partner) and the unit rule are the same code.
 * - Read through the caller's ScopedDb: a caller who sees fewer providers than the run did sees fewer lines;
 *   the result says how many it found next to the evidence's n, so a difference is explained, not hidden.
 * - At most MAX_GROUP_VALUES prices are returned, a deterministic sample (by a hash of the row id) when the
 *   group is larger; n and the quartiles are always over the whole group.
 * - Every value is a bound parameter; the only text spliced is the PriceBasis, fixed SQL written by us.
 */
import { sql, type Kysely } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { UNIT_PRICE, VALUE_PER_KG, withPricedLines, type PriceBasis } from './priced-lines.ts';

export const MAX_GROUP_VALUES = 5_000;

/** Detectors whose anomalies compare one line's price with a group, and how each prices a line. */
const BASIS: Readonly<Record<string, PriceBasis>> = {
  'price-iqr': UNIT_PRICE,
  'price-robust-z': UNIT_PRICE,
  'value-per-kg': VALUE_PER_KG,
};

export interface GroupDefinition {
  hs6: string;
  flow: string;
  unit: string;
  /** Null when the detector compared with all partners (hs6 x flow). */
  partner: string | null;
  level: string;
  /** The rolling window's first and last day, or null when the detector compared with the whole period. */
  from: string | null;
  to: string | null;
  window_months: number | null;
}

export interface ComparisonGroup {
  anomaly_id: string;
  detector: string;
  definition: GroupDefinition;
  /** Lines of the group the caller can see now. */
  n: number;
  /** The group size the detector recorded when it ran. */
  n_at_run: number | null;
  /** Quartiles of the group's prices as the caller sees them now. */
  q1: number | null;
  median: number | null;
  q3: number | null;
  /** Prices of the group's lines (all of them, or a sample of MAX_GROUP_VALUES when `sampled`). */
  values: number[];
  sampled: boolean;
  /** An explore filter for the same lines (hs6, flow, partner, window and unit). */
  where: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The group named by a price anomaly's evidence, or null when the anomaly is not a group comparison. */
export function groupDefinition(detector: string, evidence: Record<string, unknown>): GroupDefinition | null {
  if (!BASIS[detector]) return null;
  const g = evidence['group'] as Record<string, unknown> | undefined;
  if (!g || typeof g !== 'object') return null;
  const hs6 = str(g['hs6']);
  const flow = str(g['flow']);
  const unit = str(g['unit']) ?? str(evidence['unit']);
  const level = str(g['level']) ?? 'hs6 x flow';
  // The phantom-shipment branch of value-per-kg compares with nothing.
  if (!hs6 || !flow || !unit || level === 'phantom') return null;
  const w = evidence['window'] as Record<string, unknown> | undefined;
  const from = w ? str(w['from']) : null;
  const to = w ? str(w['to']) : null;
  const ok = (d: string | null) => d === null || /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (!ok(from) || !ok(to)) return null;
  return {
    hs6,
    flow,
    unit,
    partner: level === 'hs6 x partner x flow' ? str(g['partner']) : null,
    level,
    from,
    to,
    window_months: w && typeof w['months'] === 'number' ? w['months'] : null,
  };
}

/** The same lines as an explore filter, so "explore the group" opens exactly them. */
export function groupWhere(detector: string, d: GroupDefinition): string {
  const parts = [`hs6 = ${quote(d.hs6)}`, `flow = ${quote(d.flow)}`];
  if (d.partner) parts.push(d.flow === 'import' ? `(origin = ${quote(d.partner)} or origin is null and partner = ${quote(d.partner)})` : `partner = ${quote(d.partner)}`);
  if (d.from) parts.push(`date >= ${quote(d.from)}`);
  if (d.to) parts.push(`date <= ${quote(d.to)}`);
  if (detector === 'value-per-kg') parts.push('net_mass_kg > 0');
  else if (d.unit === 'KG') parts.push("(quantity > 0 and quantity_unit = 'KG' or (quantity is null or quantity <= 0) and net_mass_kg > 0)");
  else parts.push(`quantity > 0 and quantity_unit = ${quote(d.unit)}`);
  return parts.join(' and ');
}

export async function comparisonGroup(db: ScopedDb, a: { anomaly_id: string; detector: string; evidence: Record<string, unknown> }): Promise<ComparisonGroup | null> {
  const d = groupDefinition(a.detector, a.evidence);
  if (!d) return null;
  const k = db.db as Kysely<any>;
  const lines = () => {
    let q = withPricedLines(k, BASIS[a.detector]!)
      .selectFrom('p')
      .where('p.hs6', '=', d.hs6)
      .where('p.flow', '=', d.flow)
      .where('p.unit', '=', d.unit)
      .where(sql<boolean>`p.price > 0`);
    if (d.partner) q = q.where('p.partner', '=', d.partner);
    if (d.from) q = q.where(sql<boolean>`p.date >= CAST(${d.from} AS DATE)`);
    if (d.to) q = q.where(sql<boolean>`p.date <= CAST(${d.to} AS DATE)`);
    return q;
  };
  const stats = (await lines()
    .select([sql<number>`count(*)::INTEGER`.as('n'), sql.raw<number[] | null>(db.dialect.quantiles('p.price', [0.25, 0.5, 0.75])).as('qs')])
    .executeTakeFirst()) as { n: number; qs: unknown } | undefined;
  const n = Number(stats?.n ?? 0);
  const qs = (typeof stats?.qs === 'string' ? JSON.parse(stats.qs) : stats?.qs) as number[] | null | undefined;
  const values = (await lines()
    .select(sql<number>`p.price`.as('price'))
    .orderBy(sql`hash(p.row_id)`)
    .limit(MAX_GROUP_VALUES)
    .execute()) as { price: number }[];
  const q = (i: number) => (n > 0 && Array.isArray(qs) && typeof qs[i] === 'number' ? qs[i]! : null);
  return {
    anomaly_id: a.anomaly_id,
    detector: a.detector,
    definition: d,
    n,
    n_at_run: typeof a.evidence['n'] === 'number' ? a.evidence['n'] : null,
    q1: q(0),
    median: q(1),
    q3: q(2),
    values: values.map((v) => Number(v.price)).sort((x, y) => x - y),
    sampled: n > values.length,
    where: groupWhere(a.detector, d),
  };
}
