/**
 * `npm run bench`: Parallax against the engine's own hand-written SQL, in one run, on the same machine.
 *
 *   ingest   parallax ingest of the generated canonical CSV   vs  CREATE TABLE AS SELECT * FROM read_csv(...)
 *   explore  explore(by origin, hs2; value_usd, lines) via the vs  the same GROUP BY written by hand on the
 *            scoped query layer                                   same store and connection pool
 *
 * Prints ratios (ours / engine), explore p50/p95, and peak RSS of this process (DuckDB runs in-process, so
 * RSS includes the engine). Options: --rows N (default 10,000,000), --runs N (default 30), --keep.
 * Results are also written to bench/out/results.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateDataset } from '../src/generate/index.ts';
import { openRuntime } from '../src/runtime/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { explore } from '../src/explore/index.ts';
import { terminalProgress } from '../src/progress/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const ROWS = arg('rows', 10_000_000);
const RUNS = arg('runs', 30);
const OUT = resolve('bench/out');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
};

async function main() {
  mkdirSync(OUT, { recursive: true });
  const genDir = join(OUT, `generated-${ROWS}`);
  const manifest = join(genDir, 'manifest.json');
  if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).rows !== ROWS) {
    process.stderr.write(`generating ${ROWS.toLocaleString('en-US')} lines...\n`);
    const [ms] = await time(() => generateDataset({ rows: ROWS, seed: 42, outDir: genDir }));
    process.stderr.write(`generated in ${(ms / 1000).toFixed(1)} s\n`);
  }
  const csv = join(genDir, 'declarations.csv');
  const sizeMiB = statSync(csv).size / (1 << 20);

  // Engine baseline: DuckDB's own CSV reader into a table, in a fresh file-backed database.
  const baseDir = join(OUT, 'baseline');
  rmSync(baseDir, { recursive: true, force: true });
  mkdirSync(baseDir, { recursive: true });
  const inst = await DuckDBInstance.create(join(baseDir, 'base.duckdb'));
  const bc = await inst.connect();
  const [baseIngestMs] = await time(() => bc.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv.replaceAll("'", "''")}')`));
  bc.closeSync();
  inst.closeSync();

  const dataDir = join(OUT, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const rt = await openRuntime({ dataDir });
  try {
    const [ingestMs, batch] = await time(() =>
      ingestFile({ store: rt.store, registry: rt.registry }, csv, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench', progress: terminalProgress() }),
    );

    const db = scopedDb(rt.store, localOperatorScope('bench'));
    // The default money measure: USD, with the count of lines it left out (explore adds it to every USD result).
    const spec = { by: ['origin', 'hs2'], measures: ['value_usd', 'lines'], limit: 50 };
    const hand = `SELECT origin_country AS origin, hs2, sum(value_usd)::DOUBLE AS value_usd, count(*)::INTEGER AS lines,
                    count(*) FILTER (WHERE value_usd IS NULL)::INTEGER AS lines_without_usd
                  FROM trade_lines GROUP BY ALL ORDER BY value_usd DESC NULLS LAST, origin, hs2 LIMIT 50`;
    const ours: number[] = [];
    const theirs: number[] = [];
    // Warm both, then alternate so caches and background work hit both sides equally.
    await explore(db, spec);
    await rt.store.withWriteConnection((c) => c.runAndReadAll(hand));
    for (let i = 0; i < RUNS; i++) {
      ours.push((await time(() => explore(db, spec)))[0]);
      theirs.push((await time(() => rt.store.withWriteConnection((c) => c.runAndReadAll(hand))))[0]);
    }
    const results = {
      rows: ROWS,
      csv_mib: Math.round(sizeMiB),
      ingest: {
        parallax_s: +(ingestMs / 1000).toFixed(2),
        duckdb_read_csv_s: +(baseIngestMs / 1000).toFixed(2),
        ratio: +(ingestMs / baseIngestMs).toFixed(2),
        target_ratio: 1.5,
        rows_accepted: batch.rows_accepted,
        rows_rejected: batch.rows_rejected,
      },
      explore_two_dimensions: {
        runs: RUNS,
        parallax_p50_ms: +pct(ours, 50).toFixed(1),
        parallax_p95_ms: +pct(ours, 95).toFixed(1),
        hand_sql_p50_ms: +pct(theirs, 50).toFixed(1),
        hand_sql_p95_ms: +pct(theirs, 95).toFixed(1),
        ratio_p50: +(pct(ours, 50) / pct(theirs, 50)).toFixed(2),
        target_ratio: 1.2,
        target_p95_ms: 500,
      },
      peak_rss_mib: Math.round(peakRss / (1 << 20)),
    };
    writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await rt.close();
    clearInterval(sampler);
    if (!process.argv.includes('--keep')) rmSync(join(OUT, 'baseline'), { recursive: true, force: true });
  }
}

await main();
