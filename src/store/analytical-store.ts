/**
 * The analytical store: one file-backed DuckDB database in the data directory.
 *
 * Invariants:
 * - One DuckDBInstance per process and data directory. DuckDB locks the file for writing, so a second
 *   process (a CLI ingest while `serve` runs) gets a clear "in use" error rather than a corrupt store.
 * - Readers never get the raw connection: `reader(scope)` (query layer) is the only way to read rows.
 *   `withWriteConnection` is for ingest and schema work, which are not user reads.
 * - Schema creation is idempotent and runs at open; a data directory of an earlier layout is first upgraded
 *   in place, in one transaction (analytical-migrations.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kysely } from 'kysely';
import { DuckDbDialect } from './kysely-duckdb.ts';
import { createTableSql, REFERENCE_DDL } from './analytical-schema.ts';
import { duckdbDialect, type AnalyticalDialect } from './analytical-dialect.ts';
import { WATCHLIST_DDL } from '../watchlists/watchlist-schema.ts';
import { DETECT_DDL } from '../detect/detect-schema.ts';
import { DATASETS, type DatasetId } from '../schema/index.ts';
import { FX_DDL } from '../fx/fx-schema.ts';
import { upgradeLayout, type LayoutUpgrade } from './analytical-migrations.ts';

export class StoreInUseError extends Error {
  constructor(readonly path: string) {
    super(
      `the analytical store ${path} is in use by another Parallax process (is \`parallax serve\` running?); ` +
        'stop that process or use its HTTP API, then try again',
    );
  }
}

/** A store setting that cannot work; the message says which and what to set instead. */
export class StoreConfigError extends Error {}

export interface AnalyticalStore {
  readonly path: string;
  readonly dialect: AnalyticalDialect;
  /**
   * The layout upgrade applied when this store was opened (analytical-migrations.ts), or null. After one, the
   * runtime converts the upgraded rows to USD once the rates are seeded.
   */
  readonly upgraded: LayoutUpgrade | null;
  /** Kysely over a small pool of DuckDB connections; wrap with the scope plugin before reading rows. */
  readonly db: Kysely<any>;
  withWriteConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Increases whenever a write connection was used. This process holds the store's file lock, so every change
   * to the data passes here: a cached read result is current exactly while the version it was computed at is.
   */
  version(): number;
  /** The secret that derives record keys for consistent perturbation (disclosure/cell-key.ts); null when none was given. */
  readonly cellKeySecret: bigint | null;
  close(): Promise<void>;
}

export interface StoreOptions {
  readOnly?: boolean;
  /**
   * DuckDB's memory limit (e.g. "6GB"); beyond it the engine spills to `<data>/parallax.duckdb.tmp`.
   * Default PARALLAX_MEMORY_LIMIT, else DuckDB's own (80 % of RAM). The limit is what keeps a 100M-line
   * analysis within a fixed budget (PRODUCT.md: 8 GB), so a deployment sets it to its machine.
   */
  memoryLimit?: string | undefined;
  /** The data directory's cell-key secret (the composition root reads it from the keys directory). */
  cellKeySecret?: bigint | undefined;
}

export async function openAnalyticalStore(dataDir: string, opts: StoreOptions = {}): Promise<AnalyticalStore> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'parallax.duckdb');
  const memoryLimit = opts.memoryLimit ?? (process.env['PARALLAX_MEMORY_LIMIT'] || undefined);
  if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) {
    throw new StoreConfigError('PARALLAX_MEMORY_LIMIT must be a size such as 6GB or 512MB; unset it to use DuckDB\'s default (80 % of RAM)');
  }
  const config: Record<string, string> = {};
  if (opts.readOnly) config['access_mode'] = 'READ_ONLY';
  if (memoryLimit) config['memory_limit'] = memoryLimit;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (e) {
    if (/lock/i.test(String((e as Error).message))) throw new StoreInUseError(path);
    throw e;
  }
  const writer = await instance.connect();
  let upgraded: LayoutUpgrade | null = null;
  if (!opts.readOnly) {
    try {
      upgraded = await upgradeLayout(writer);
    } catch (e) {
      writer.closeSync();
      instance.closeSync();
      throw e;
    }
    for (const id of Object.keys(DATASETS) as DatasetId[]) for (const ddl of createTableSql(id)) await writer.run(ddl);
    for (const ddl of REFERENCE_DDL) await writer.run(ddl);
    for (const ddl of FX_DDL) await writer.run(ddl);
    for (const ddl of WATCHLIST_DDL) await writer.run(ddl);
    for (const ddl of DETECT_DDL) await writer.run(ddl);
  }
  const db = new Kysely<any>({ dialect: new DuckDbDialect(instance, 4) });
  let writing: Promise<unknown> = Promise.resolve();
  let dataVersion = 0;
  return {
    path,
    dialect: duckdbDialect,
    upgraded,
    db,
    withWriteConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
      // Writes are serialised in-process: one batch at a time keeps the batch transaction simple.
      const next = writing.then(() => fn(writer)).finally(() => {
        dataVersion++;
      });
      writing = next.catch(() => undefined);
      return next;
    },
    version: () => dataVersion,
    cellKeySecret: opts.cellKeySecret ?? null,
    async close() {
      await db.destroy();
      writer.closeSync();
      instance.closeSync();
    },
  };
}
