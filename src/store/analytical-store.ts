/**
 * The analytical store: one file-backed DuckDB database in the data directory.
 *
 * Invariants:
 * - One DuckDBInstance per process and data directory. DuckDB locks the file for writing, so a second
 *   process (a CLI ingest while `serve` runs) gets a clear "in use" error rather than a corrupt store.
 * - Readers never get the raw connection: `reader(scope)` (query layer) is the only way to read rows.
 *   `withWriteConnection` is for ingest and schema work, which are not user reads.
 * - Schema creation is idempotent and runs at open, so an old data directory upgrades in place.
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

export class StoreInUseError extends Error {
  constructor(readonly path: string) {
    super(
      `the analytical store ${path} is in use by another Parallax process (is \`parallax serve\` running?); ` +
        'stop that process or use its HTTP API, then try again',
    );
  }
}

export interface AnalyticalStore {
  readonly path: string;
  readonly dialect: AnalyticalDialect;
  /** Kysely over a small pool of DuckDB connections; wrap with the scope plugin before reading rows. */
  readonly db: Kysely<any>;
  withWriteConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Increases whenever a write connection was used. This process holds the store's file lock, so every change
   * to the data passes here: a cached read result is current exactly while the version it was computed at is.
   */
  version(): number;
  close(): Promise<void>;
}

export async function openAnalyticalStore(dataDir: string, opts: { readOnly?: boolean } = {}): Promise<AnalyticalStore> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'parallax.duckdb');
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (e) {
    if (/lock/i.test(String((e as Error).message))) throw new StoreInUseError(path);
    throw e;
  }
  const writer = await instance.connect();
  if (!opts.readOnly) {
    for (const id of Object.keys(DATASETS) as DatasetId[]) for (const ddl of createTableSql(id)) await writer.run(ddl);
    for (const ddl of REFERENCE_DDL) await writer.run(ddl);
    for (const ddl of WATCHLIST_DDL) await writer.run(ddl);
    for (const ddl of DETECT_DDL) await writer.run(ddl);
  }
  const db = new Kysely<any>({ dialect: new DuckDbDialect(instance, 4) });
  let writing: Promise<unknown> = Promise.resolve();
  let dataVersion = 0;
  return {
    path,
    dialect: duckdbDialect,
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
    async close() {
      await db.destroy();
      writer.closeSync();
      instance.closeSync();
    },
  };
}
