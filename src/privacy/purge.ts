/**
 * The purge job (access.md, privacy by design): removes the rows whose retention period has passed, with
 * everything derived from them that would still disclose them, and reports what it removed in counts.
 *
 * Invariants:
 * - Legal holds win: a row of a held batch, provider or category is never removed, and the report counts
 *   what the holds kept.
 * - One DuckDB transaction removes the rows (current and history tables) and the derived records that point
 *   at them: anomalies naming a removed row, resolved party references no remaining row uses, graph edges
 *   and watch-list hits of parties left without a reference. Either all of that happens or none of it.
 *   The quarantined raw input lines of fully expired batches go from the control store after the commit.
 * - A dry run computes exactly the same sets and removes nothing, so the preview is the purge.
 * - The report holds counts and ids (datasets, batch ids), never row values; it is what the audit trail and
 *   the purge record keep. The disclosure ledger is not touched: its own retention outlives the data.
 * - Batch records stay in the registry (what was loaded, when, by whom is accountability, not data).
 * - A system job like ingest: it works on the store's write connection, not through a user's scope, and
 *   is reached only by the custodian's CLI, the server's daily schedule and `retention:manage`. Its writes
 *   bump the store's data version, so no cached result computed from purged rows is served again.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { AnalyticalStore } from '../store/index.ts';
import type { ControlStore } from '../control/index.ts';
import { DATASETS, type DatasetId } from '../schema/index.ts';
import { cutoffDate, isHeld, recordDateSql, type LegalHold, type RetentionPolicy } from './retention-policy.ts';
import type { RetentionStore } from './retention-store.ts';

export interface PurgeDatasetReport {
  dataset: DatasetId;
  category: string;
  years: number;
  basis: RetentionPolicy['basis'];
  /** Rows dated (or, for basis 'loaded', loaded) before this day have expired. */
  cutoff: string;
  rowsRemoved: number;
  /** Expired rows kept because a legal hold covers their batch, provider or category. */
  rowsHeld: number;
  /** Batch id -> rows removed from it (current and history). */
  batches: Record<string, number>;
  /** Batches every row of which is gone after this purge. */
  batchesEmptied: string[];
}

export interface PurgeReport {
  asOf: string;
  dryRun: boolean;
  rowsRemoved: number;
  datasets: PurgeDatasetReport[];
  derived: { anomalies: number; partyReferences: number; partyEdges: number; watchlistHits: number; quarantinedLines: number };
  activeHolds: number;
  purgeId: number | null;
}

export interface PurgeDeps {
  store: AnalyticalStore;
  control: ControlStore;
  retention: RetentionStore;
}

type Batch = { batch_id: string; dataset: string; category: string; provider: string; started_at: string; rows_accepted: number };

async function rows(c: DuckDBConnection, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJson() as Record<string, unknown>[];
}
const count = async (c: DuckDBConnection, text: string, params: unknown[] = []) => Number((await rows(c, text, params))[0]?.['n'] ?? 0);

/** Which batches a policy expires outright (basis 'loaded') and which are held, per dataset. */
function classify(batches: readonly Batch[], policies: readonly RetentionPolicy[], holds: readonly LegalHold[], asOf: Date) {
  return batches.map((b) => {
    const p = policies.find((x) => x.category === b.category);
    const cutoff = p ? cutoffDate(asOf, p.years) : null;
    // ISO timestamps compare as text: a batch loaded on the cut-off day is not before it.
    const loadedBefore = cutoff !== null && b.started_at < cutoff;
    return { ...b, loadedBefore, held: isHeld(holds, { batchId: b.batch_id, category: b.category, provider: b.provider }) };
  });
}

export async function purgeExpired(deps: PurgeDeps, opts: { asOf?: Date; dryRun?: boolean; principal: string }): Promise<PurgeReport> {
  const asOf = opts.asOf ?? new Date();
  const dryRun = opts.dryRun ?? false;
  const policies = await deps.retention.policies();
  const holds = await deps.retention.holds({ active: true });
  const batches = (await deps.control.db
    .selectFrom('batches')
    .select(['batch_id', 'dataset', 'category', 'provider', 'started_at', 'rows_accepted'])
    .where('status', '=', 'committed')
    .orderBy('seq')
    .execute()) as Batch[];
  const classified = classify(batches, policies, holds, asOf);

  const report = await deps.store.withWriteConnection(async (c) => {
    await c.run('CREATE OR REPLACE TEMP TABLE purge_batches (batch_id VARCHAR, dataset VARCHAR, loaded_before BOOLEAN, held BOOLEAN)');
    for (let i = 0; i < classified.length; i += 200) {
      const chunk = classified.slice(i, i + 200);
      await c.run(
        `INSERT INTO temp.purge_batches VALUES ${chunk.map((_, j) => `($${4 * j + 1}, $${4 * j + 2}, $${4 * j + 3}, $${4 * j + 4})`).join(', ')}`,
        chunk.flatMap((b) => [b.batch_id, b.dataset, b.loadedBefore, b.held]),
      );
    }
    await c.run('CREATE OR REPLACE TEMP TABLE purge_rows (row_id BIGINT, batch_id VARCHAR, dataset VARCHAR, history BOOLEAN)');
    await c.run('CREATE OR REPLACE TEMP TABLE purge_held (batch_id VARCHAR, dataset VARCHAR, n BIGINT)');
    const datasets: PurgeDatasetReport[] = [];
    try {
      for (const ds of Object.values(DATASETS)) {
        const policy = policies.find((p) => p.category === ds.category);
        if (!policy) continue;
        const cutoff = cutoffDate(asOf, policy.years);
        // The expiry test alone; holds are applied after, so the rows they keep can be counted.
        const expired =
          policy.basis === 'loaded'
            ? `batch_id IN (SELECT batch_id FROM temp.purge_batches WHERE dataset = $1 AND loaded_before)`
            : `(${recordDateSql(ds.id)}) < $2::DATE`;
        const params = policy.basis === 'loaded' ? [ds.id] : [ds.id, cutoff];
        const heldBatches = `batch_id IN (SELECT batch_id FROM temp.purge_batches WHERE held)`;
        const tables = ds.key ? [ds.id, `${ds.id}_history`] : [ds.id];
        for (const table of tables) {
          const history = table !== ds.id;
          await c.run(`INSERT INTO temp.purge_rows SELECT row_id, batch_id, $1, ${history} FROM ${table} WHERE (${expired}) AND NOT ${heldBatches}`, params);
          await c.run(`INSERT INTO temp.purge_held SELECT batch_id, $1, count(*) FROM ${table} WHERE (${expired}) AND ${heldBatches} GROUP BY batch_id`, params);
        }
        const perBatch = await rows(c, `SELECT batch_id, count(*)::BIGINT AS n FROM temp.purge_rows WHERE dataset = $1 GROUP BY batch_id ORDER BY batch_id`, [ds.id]);
        const byBatch = Object.fromEntries(perBatch.map((r) => [String(r['batch_id']), Number(r['n'])]));
        const heldRows = await count(c, `SELECT coalesce(sum(n), 0)::BIGINT AS n FROM temp.purge_held WHERE dataset = $1`, [ds.id]);
        // A batch is emptied when every row it holds (current and history) is going: one grouped count
        // per table, compared with the rows going per batch.
        const present = new Map<string, number>();
        if (Object.keys(byBatch).length > 0) {
          for (const table of tables) {
            const r = await rows(c, `SELECT batch_id, count(*)::BIGINT AS n FROM ${table} WHERE batch_id IN (SELECT DISTINCT batch_id FROM temp.purge_rows WHERE dataset = $1) GROUP BY batch_id`, [ds.id]);
            for (const x of r) present.set(String(x['batch_id']), (present.get(String(x['batch_id'])) ?? 0) + Number(x['n']));
          }
        }
        const emptied = Object.keys(byBatch).filter((id) => present.get(id) === byBatch[id]);
        datasets.push({
          dataset: ds.id,
          category: ds.category,
          years: policy.years,
          basis: policy.basis,
          cutoff,
          rowsRemoved: Object.values(byBatch).reduce((a, b) => a + b, 0),
          rowsHeld: heldRows,
          batches: byBatch,
          batchesEmptied: emptied,
        });
      }
      const rowsRemoved = datasets.reduce((a, d) => a + d.rowsRemoved, 0);
      const derived = { anomalies: 0, partyReferences: 0, partyEdges: 0, watchlistHits: 0, quarantinedLines: 0 };
      // Anomalies that name a removed row, by their subject row or any row behind them.
      const doomedAnomalies = `SELECT DISTINCT a.anomaly_id FROM (SELECT anomaly_id, unnest(row_ids) AS r FROM anomalies) a JOIN temp.purge_rows p ON p.row_id = a.r
                               UNION SELECT anomaly_id FROM anomalies WHERE row_id IN (SELECT row_id FROM temp.purge_rows)`;
      if (rowsRemoved > 0) {
        derived.anomalies = await count(c, `SELECT count(*)::BIGINT AS n FROM (${doomedAnomalies})`);
        const parties = await planPartyPrune(c);
        Object.assign(derived, parties.counts);
        if (!dryRun) {
          await c.run('BEGIN TRANSACTION');
          try {
            await c.run(`DELETE FROM anomalies WHERE anomaly_id IN (${doomedAnomalies})`);
            for (const ds of Object.values(DATASETS)) {
              await c.run(`DELETE FROM ${ds.id} WHERE row_id IN (SELECT row_id FROM temp.purge_rows WHERE NOT history)`);
              if (ds.key) await c.run(`DELETE FROM ${ds.id}_history WHERE row_id IN (SELECT row_id FROM temp.purge_rows WHERE history)`);
            }
            await parties.apply();
            await c.run('COMMIT');
          } catch (e) {
            await c.run('ROLLBACK').catch(() => undefined);
            throw e;
          }
        }
      }
      return { datasets, rowsRemoved, derived };
    } finally {
      await c.run('DROP TABLE IF EXISTS temp.purge_batches; DROP TABLE IF EXISTS temp.purge_rows; DROP TABLE IF EXISTS temp.purge_held; DROP TABLE IF EXISTS temp.live_refs; DROP TABLE IF EXISTS temp.doomed_members; DROP TABLE IF EXISTS temp.live_parties');
    }
  });

  // Quarantined raw lines go with their batch once nothing of it is kept: expired by load date and not held.
  const emptied = new Set(report.datasets.flatMap((d) => d.batchesEmptied));
  const quarantineBatches = classified.filter((b) => !b.held && (emptied.has(b.batch_id) || (b.loadedBefore && b.rows_accepted === 0))).map((b) => b.batch_id);
  let quarantinedLines = 0;
  for (let i = 0; i < quarantineBatches.length; i += 500) {
    const ids = quarantineBatches.slice(i, i + 500);
    if (dryRun) {
      const r = await deps.control.db.selectFrom('quarantine').select((eb) => eb.fn.countAll().as('n')).where('batch_id', 'in', ids).executeTakeFirst();
      quarantinedLines += Number(r?.n ?? 0);
    } else {
      const r = await deps.control.db.deleteFrom('quarantine').where('batch_id', 'in', ids).executeTakeFirst();
      quarantinedLines += Number(r.numDeletedRows);
    }
  }
  const derived = { ...report.derived, quarantinedLines };
  const out: PurgeReport = { asOf: asOf.toISOString(), dryRun, rowsRemoved: report.rowsRemoved, datasets: report.datasets, derived, activeHolds: holds.length, purgeId: null };
  if (!dryRun) {
    const rec = await deps.retention.recordPurge({ principal: opts.principal, asOf: out.asOf, rowsRemoved: out.rowsRemoved, summary: { datasets: out.datasets, derived, activeHolds: out.activeHolds } });
    out.purgeId = rec.id;
  }
  return out;
}

/**
 * Derived party data no remaining row supports: references (members) whose (provider, ref) no surviving
 * current row uses, then edges and watch-list hits of parties left with no reference at all. Computed from
 * the rows that survive the purge (not from the tables after it), so a dry run counts exactly what the
 * purge removes. Party totals of the parties that remain are refreshed by the next `parties resolve`.
 */
async function planPartyPrune(c: DuckDBConnection) {
  const survives = 'row_id NOT IN (SELECT row_id FROM temp.purge_rows)';
  await c.run(`CREATE OR REPLACE TEMP TABLE live_refs AS
    SELECT DISTINCT provider, importer_key AS ref, 'trade' AS source FROM trade_lines WHERE importer_key IS NOT NULL AND ${survives}
    UNION SELECT DISTINCT provider, exporter_key, 'trade' FROM trade_lines WHERE exporter_key IS NOT NULL AND ${survives}
    UNION SELECT DISTINCT provider, coalesce(payer_id, upper(payer_name)), 'payment' FROM payments WHERE coalesce(payer_id, payer_name) IS NOT NULL AND ${survives}
    UNION SELECT DISTINCT provider, coalesce(payee_id, upper(payee_name)), 'payment' FROM payments WHERE coalesce(payee_id, payee_name) IS NOT NULL AND ${survives}`);
  await c.run(`CREATE OR REPLACE TEMP TABLE doomed_members AS
    SELECT 'trade' AS source, provider, ref FROM party_members m WHERE NOT EXISTS (SELECT 1 FROM temp.live_refs l WHERE l.source = 'trade' AND l.provider = m.provider AND l.ref = m.ref)
    UNION ALL SELECT 'payment', provider, ref FROM party_payment_members m WHERE NOT EXISTS (SELECT 1 FROM temp.live_refs l WHERE l.source = 'payment' AND l.provider = m.provider AND l.ref = m.ref)`);
  await c.run(`CREATE OR REPLACE TEMP TABLE live_parties AS
    SELECT party_id FROM party_members m WHERE NOT EXISTS (SELECT 1 FROM temp.doomed_members d WHERE d.source = 'trade' AND d.provider = m.provider AND d.ref = m.ref)
    UNION SELECT party_id FROM party_payment_members m WHERE NOT EXISTS (SELECT 1 FROM temp.doomed_members d WHERE d.source = 'payment' AND d.provider = m.provider AND d.ref = m.ref)`);
  const gone = (col: string) => `${col} NOT IN (SELECT party_id FROM temp.live_parties)`;
  return {
    counts: {
      partyReferences: await count(c, 'SELECT count(*)::BIGINT AS n FROM temp.doomed_members'),
      partyEdges: await count(c, `SELECT (SELECT count(*) FROM party_edges WHERE ${gone('src')} OR ${gone('dst')}) + (SELECT count(*) FROM party_payment_edges WHERE ${gone('src')} OR ${gone('dst')}) AS n`),
      watchlistHits: await count(c, `SELECT count(*)::BIGINT AS n FROM watchlist_hits WHERE ${gone('party_id')}`),
    },
    async apply() {
      await c.run(`DELETE FROM party_members m WHERE EXISTS (SELECT 1 FROM temp.doomed_members d WHERE d.source = 'trade' AND d.provider = m.provider AND d.ref = m.ref)`);
      await c.run(`DELETE FROM party_payment_members m WHERE EXISTS (SELECT 1 FROM temp.doomed_members d WHERE d.source = 'payment' AND d.provider = m.provider AND d.ref = m.ref)`);
      await c.run(`DELETE FROM party_edges WHERE ${gone('src')} OR ${gone('dst')}`);
      await c.run(`DELETE FROM party_payment_edges WHERE ${gone('src')} OR ${gone('dst')}`);
      await c.run(`DELETE FROM watchlist_hits WHERE ${gone('party_id')}`);
      await c.run(`DELETE FROM screening_subjects WHERE ${gone('party_id')}`);
    },
  };
}
