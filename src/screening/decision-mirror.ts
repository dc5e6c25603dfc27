/**
 * The decision mirror: the latest analyst decision on each screening hit, copied into
 * `watchlist_hits.decision` in the analytical store so measures (watchlist-exposure) can join confirmed
 * matches to trade lines in one DuckDB query.
 *
 * Invariants:
 * - The control store's decisions (src/decisions, append-only) stay the record. The mirror is derived: one
 *   hit is written when a decision is recorded, and `syncHitDecisions` rebuilds the whole column from the
 *   control store (every batch screen calls it), so a crash between the two writes, a restored analytical
 *   store, or hits re-created by a fresh load all heal on the next screen or an explicit sync.
 * - A full sync is one transaction: readers see the old mirror or the new one, never a half-written one.
 * - The latest decision is mirrored whatever the hit's status or fingerprint; what counts as exposure
 *   (not retired, confirmed) is the measure's business, not the mirror's.
 * - Hit ids and decisions are bound parameters; nothing here is logged.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { AnalyticalStore } from '../store/index.ts';
import type { HitDecisions } from './batch-screen.ts';

const INSERT_CHUNK = 500;

/** Mirrors one decision just recorded on `hitId`. */
export async function mirrorHitDecision(store: AnalyticalStore, hitId: string, decision: string): Promise<void> {
  await store.withWriteConnection((c) => c.run('UPDATE watchlist_hits SET decision = $2 WHERE hit_id = $1', [hitId, decision]));
}

export interface MirrorSyncResult {
  /** Decisions read from the control store (one per decided hit). */
  readonly decided: number;
  /** Hits whose mirrored decision changed. */
  readonly changed: number;
}

/** Rebuilds `watchlist_hits.decision` for every hit from the control store's latest decisions. */
export async function syncHitDecisions(store: AnalyticalStore, decisions: HitDecisions): Promise<MirrorSyncResult> {
  const latest = [...(await decisions.all())].map(([id, d]) => [id, d.decision] as const);
  return store.withWriteConnection(async (c) => {
    const count = async (text: string) => Number((await c.runAndReadAll(text)).getRows()[0]?.[0] ?? 0);
    await c.run('CREATE OR REPLACE TEMP TABLE dm_latest (hit_id VARCHAR PRIMARY KEY, decision VARCHAR NOT NULL)');
    try {
      for (let i = 0; i < latest.length; i += INSERT_CHUNK) {
        const part = latest.slice(i, i + INSERT_CHUNK);
        await c.run(`INSERT INTO dm_latest VALUES ${part.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(', ')}`, part.flat() as DuckDBValue[]);
      }
      await c.run('BEGIN TRANSACTION');
      try {
        const stale = `SELECT h.hit_id, d.decision FROM watchlist_hits h LEFT JOIN dm_latest d USING (hit_id) WHERE h.decision IS DISTINCT FROM d.decision`;
        const changed = await count(`SELECT count(*) FROM (${stale})`);
        if (changed) {
          await c.run(`CREATE OR REPLACE TEMP TABLE dm_stale AS ${stale}`);
          await c.run('UPDATE watchlist_hits SET decision = s.decision FROM dm_stale s WHERE watchlist_hits.hit_id = s.hit_id');
        }
        await c.run('COMMIT');
        return { decided: latest.length, changed };
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await c.run('DROP TABLE IF EXISTS dm_latest').catch(() => undefined);
      await c.run('DROP TABLE IF EXISTS dm_stale').catch(() => undefined);
    }
  });
}
