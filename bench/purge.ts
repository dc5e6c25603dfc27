/**
 * The purge on a large store: copies a data directory (for example bench/out/data, 10M generated lines),
 * sets the trade retention to count from the record date with a cut-off inside the data's date range, and
 * measures on two copies, in the same run:
 *   - `purgeExpired` dry run, then the purge itself (rows, history, anomalies, party references, edges,
 *     hits, quarantine) — wall time and peak RSS;
 *   - the same row removal written by hand (one transaction deleting expired lines, their history and the
 *     anomalies that name them) — the floor the engine allows, so the ratio is the cost of doing it safely
 *     (holds, counts, derived records).
 * Prints one JSON object. The copies are removed at the end.
 *
 *   npx tsx bench/purge.ts [DATA_DIR] [CUTOFF_YYYY-MM-DD]
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '../src/runtime/index.ts';
import { purgeExpired } from '../src/privacy/index.ts';

const source = process.argv[2] ?? 'bench/out/data';
const work = mkdtempSync(join(tmpdir(), 'parallax-bench-purge-'));
const peak = { rss: 0 };
const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 50);
const secs = (ms: number) => +(ms / 1000).toFixed(2);

try {
  const a = join(work, 'a');
  const b = join(work, 'b');
  for (const d of [a, b]) cpSync(source, d, { recursive: true });

  // The cut-off: the median declaration date unless given, so about half the lines expire.
  const rtA = await openRuntime({ dataDir: a });
  let out: Record<string, unknown>;
  try {
    const cutoff =
      process.argv[3] ??
      (await rtA.store.withWriteConnection(async (c) => String((await c.runAndReadAll('SELECT quantile_disc(date, 0.5)::VARCHAR FROM trade_lines')).getRows()[0]![0])));
    const asOf = new Date(`${Number(cutoff.slice(0, 4)) + 1}${cutoff.slice(4)}T00:00:00Z`);
    await rtA.retention.setPolicy({ category: 'trade', years: 1, basis: 'record-date', by: 'bench', reason: 'benchmark' });
    const lines = await rtA.store.withWriteConnection(async (c) => Number((await c.runAndReadAll('SELECT count(*) FROM trade_lines')).getRows()[0]![0]));
    const deps = { store: rtA.store, control: rtA.control, retention: rtA.retention };
    let t = performance.now();
    const preview = await purgeExpired(deps, { asOf, dryRun: true, principal: 'bench' });
    const dryMs = performance.now() - t;
    t = performance.now();
    const done = await purgeExpired(deps, { asOf, principal: 'bench' });
    const purgeMs = performance.now() - t;
    out = { lines, cutoff, rows_removed: done.rowsRemoved, derived: done.derived, dry_run_s: secs(dryMs), purge_s: secs(purgeMs), same_as_preview: preview.rowsRemoved === done.rowsRemoved };
  } finally {
    await rtA.close();
  }

  const rtB = await openRuntime({ dataDir: b });
  try {
    const cutoff = String(out['cutoff']);
    const t = performance.now();
    const removed = await rtB.store.withWriteConnection(async (c) => {
      await c.run('BEGIN TRANSACTION');
      await c.run(`CREATE TEMP TABLE gone AS SELECT row_id FROM trade_lines WHERE date < $1::DATE UNION ALL SELECT row_id FROM trade_lines_history WHERE date < $1::DATE UNION ALL SELECT row_id FROM mirror_stats WHERE (CASE WHEN length(period) = 4 THEN (period || '-12-01') ELSE (period || '-01') END)::DATE + INTERVAL 1 MONTH - INTERVAL 1 DAY < $1::DATE`, [cutoff]);
      await c.run(`DELETE FROM anomalies WHERE anomaly_id IN (SELECT a.anomaly_id FROM (SELECT anomaly_id, unnest(row_ids) AS r FROM anomalies) a JOIN temp.gone g ON g.row_id = a.r)`);
      // Mirror statistics are trade data too: a period expires when its last day is before the cut-off.
      const mirrorEnd = "(CASE WHEN length(period) = 4 THEN (period || '-12-01') ELSE (period || '-01') END)::DATE + INTERVAL 1 MONTH - INTERVAL 1 DAY";
      let n = 0;
      for (const q of [`DELETE FROM trade_lines WHERE date < $1::DATE`, `DELETE FROM trade_lines_history WHERE date < $1::DATE`, `DELETE FROM mirror_stats WHERE ${mirrorEnd} < $1::DATE`]) n += Number((await c.run(q, [cutoff])).rowsChanged ?? 0);
      await c.run('COMMIT');
      return n;
    });
    const handMs = performance.now() - t;
    out = { ...out, hand_rows_removed: removed, hand_s: secs(handMs), ratio: +((out['purge_s'] as number) / secs(handMs)).toFixed(2) };
  } finally {
    await rtB.close();
  }
  clearInterval(sampler);
  process.stdout.write(`${JSON.stringify({ ...out, peak_rss_gb: +(peak.rss / 2 ** 30).toFixed(2) })}\n`);
} finally {
  clearInterval(sampler);
  rmSync(work, { recursive: true, force: true });
}
