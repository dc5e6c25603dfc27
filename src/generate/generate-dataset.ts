// Orchestration: options -> one in-memory DuckDB -> dimensions, clean lines, injections in a fixed order,
// derived tables, files. The order of injections matters only for which lines and parties each may use
// (party-level anomalies first, so they get whole, untouched party histories); each step is deterministic.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { injectBenford } from './anomaly-benford.ts';
import { injectCircularTrade } from './anomaly-circular.ts';
import { createLedger, type InjectionContext } from './anomaly-ledger.ts';
import { injectPartyNewLine } from './anomaly-party-new-line.ts';
import { injectPartySurge } from './anomaly-party-surge.ts';
import { DETECTOR_IDS, planAnomalies } from './anomaly-plan.ts';
import { injectPriceAnomalies } from './anomaly-prices.ts';
import { injectRoundValues } from './anomaly-round-values.ts';
import { injectRouting } from './anomaly-routing.ts';
import { injectWatchlistHits } from './anomaly-watchlist.ts';
import { createDeclarations } from './declarations-sql.ts';
import { createDimensions } from './dimensions.ts';
import { createMirror } from './mirror-sql.ts';
import { createPayments } from './payments-sql.ts';
import { defaultPortsFile } from './ports.ts';
import { createRandomMacros } from './random-sql.ts';
import { sizingFor } from './sizing.ts';
import { sqlString } from './sql-literal.ts';
import { rowObjects, scalar } from './sql-read.ts';
import type { GenerateOptions, GenerateResult } from './types.ts';
import { WATCH_ENTRIES } from './watchlist.ts';
import { writeDeclarations, writeLabels, writeMirror, writePayments, writeWatchlist } from './write-files.ts';

export const GENERATOR_VERSION = 'gen-1';

const FILE_NAMES = {
  declarations: 'declarations.csv',
  payments: 'payments.csv',
  mirror: 'mirror.csv',
  labels: 'labels.csv',
  watchlist: 'watchlist.csv',
  manifest: 'manifest.json',
} as const;

function validate(opts: GenerateOptions): { start: string; months: number; anomalyRate: number } {
  const start = opts.start ?? '2023-01-01';
  const months = opts.months ?? 24;
  const anomalyRate = opts.anomalyRate ?? 0.01;
  if (!Number.isSafeInteger(opts.rows) || opts.rows < 1) throw new Error(`generate: rows must be a positive integer, got ${opts.rows}`);
  if (!Number.isSafeInteger(opts.seed)) throw new Error(`generate: seed must be a safe integer, got ${opts.seed}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) {
    throw new Error(`generate: start must be a date 'YYYY-MM-DD', got '${start}'`);
  }
  if (!Number.isSafeInteger(months) || months < 1 || months > 600) throw new Error(`generate: months must be 1..600, got ${months}`);
  if (!(anomalyRate >= 0 && anomalyRate <= 0.2)) throw new Error(`generate: anomalyRate must be within [0, 0.2], got ${anomalyRate}`);
  if (!opts.outDir) throw new Error('generate: outDir is required');
  return { start, months, anomalyRate };
}

export async function generateDataset(opts: GenerateOptions): Promise<GenerateResult> {
  const { start, months, anomalyRate } = validate(opts);
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const files = {
    declarations: join(outDir, FILE_NAMES.declarations),
    payments: join(outDir, FILE_NAMES.payments),
    mirror: join(outDir, FILE_NAMES.mirror),
    labels: join(outDir, FILE_NAMES.labels),
    watchlist: join(outDir, FILE_NAMES.watchlist),
    manifest: join(outDir, FILE_NAMES.manifest),
  };

  const stages = [
    'dimensions', 'declarations', 'party anomalies', 'line anomalies', 'payments', 'mirror',
    'write declarations', 'write payments', 'write mirror', 'write labels', 'manifest',
  ];
  let done = 0;
  const progress = (stage: string) => {
    done += 1;
    opts.onProgress?.(done, stages.length, stage);
  };

  // Spill space for runs larger than memory; removed afterwards so nothing is left behind.
  const spill = await mkdtemp(join(tmpdir(), 'parallax-gen-'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`SET temp_directory = ${sqlString(spill)}`);
    await conn.run(`SET preserve_insertion_order = true`);
    await createRandomMacros(conn, opts.seed);
    const size = sizingFor(opts.rows);
    await createDimensions(conn, { seed: opts.seed, start, months, size, portsFile: defaultPortsFile() });
    progress('dimensions');
    await createDeclarations(conn, size);
    progress('declarations');

    const ctx: InjectionContext = {
      conn, seed: opts.seed, rows: opts.rows, start, months, plan: planAnomalies(opts.rows, anomalyRate),
    };
    await createLedger(conn);
    await injectWatchlistHits(ctx);
    await injectBenford(ctx);
    await injectRoundValues(ctx);
    await injectPartySurge(ctx);
    await injectPartyNewLine(ctx);
    await injectCircularTrade(ctx);
    progress('party anomalies');
    await injectRouting(ctx);
    await injectPriceAnomalies(ctx);
    progress('line anomalies');
    await createPayments(ctx);
    progress('payments');
    await createMirror(ctx);
    progress('mirror');

    await writeDeclarations(conn, files.declarations);
    progress('write declarations');
    await writePayments(conn, files.payments);
    progress('write payments');
    await writeMirror(conn, files.mirror);
    progress('write mirror');
    await writeLabels(conn, files.labels);
    await writeWatchlist(conn, files.watchlist);
    progress('write labels');

    const counts: Record<string, number> = {
      declarations: opts.rows,
      payments: await scalar(conn, `SELECT count(*) FROM payments`),
      mirror: 2 * (await scalar(conn, `SELECT count(*) FROM mirror_cells`)),
      labels: await scalar(conn, `SELECT count(*) FROM labels`),
      watchlist: WATCH_ENTRIES.length,
    };
    const anomalies: Record<string, number> = Object.fromEntries(DETECTOR_IDS.map((id) => [id, 0]));
    for (const row of await rowObjects(conn, `SELECT anomaly, count(*) AS n FROM labels GROUP BY anomaly`)) {
      anomalies[String(row['anomaly'])] = Number(row['n']);
    }
    const manifest = {
      generator: GENERATOR_VERSION,
      seed: opts.seed,
      rows: opts.rows,
      start,
      months,
      anomalyRate,
      files: FILE_NAMES,
      counts,
      anomalies,
    };
    await writeFile(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    progress('manifest');
    return { outDir, files, counts, anomalies };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}
