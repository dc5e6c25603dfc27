/**
 * Per-detector anomaly counts of stored runs, as the caller sees them, for the anomalies page's detector
 * list: a detector is listed only when the caller may read the category its anomalies disclose, so a customs
 * officer (no financial grant) is not offered payment-mismatch, and a detector that flagged nothing shows 0.
 *
 * Invariants: one grouped count over `anomalies` through the caller's scoped handle (the scope layer already
 * hides anomalies of categories and providers outside it); the category test uses the detector's own
 * declaration (detector.ts), not a list kept here.
 */
import { sql, type Kysely } from 'kysely';
import { grantFor, type ScopedDb } from '../query/index.ts';
import { detectorById } from '../detect/index.ts';
import type { RunRecord, RunSummary } from '../api-contract/index.ts';

export async function withDetectorCounts(db: ScopedDb, runs: readonly RunRecord[]): Promise<RunSummary[]> {
  if (!runs.length) return [];
  const rows = (await (db.db as Kysely<any>)
    .selectFrom('anomalies as a')
    .select(['a.run_id', 'a.detector', sql<number>`count(*)::INTEGER`.as('n')])
    .where(
      'a.run_id',
      'in',
      runs.map((r) => r.run_id),
    )
    .groupBy(['a.run_id', 'a.detector'])
    .execute()) as { run_id: string; detector: string; n: number }[];
  const counts = new Map(rows.map((r) => [`${r.run_id}\u0000${r.detector}`, Number(r.n)]));
  const readable = (id: string) => !!grantFor(db.scope, detectorById(id)?.category ?? 'trade');
  return runs.map((r) => ({
    ...r,
    detector_counts: Object.fromEntries(r.detectors.filter(readable).map((d) => [d, counts.get(`${r.run_id}\u0000${d}`) ?? 0])),
  }));
}
