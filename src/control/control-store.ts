/**
 * The control store: batches and quarantine now, accounts and the audit trail later.
 *
 * SQLite (better-sqlite3) in the data directory by default; PostgreSQL when PARALLAX_DATABASE_URL (or the
 * `databaseUrl` option) is set. Both go through the same Kysely instance type and the same migrations.
 * Migrations run at open: a data directory or database is always at the code's schema version.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { ControlDatabase } from './control-schema.ts';
import { migrationProvider, type ControlEngine } from './migrations.ts';

export interface ControlStore {
  readonly engine: ControlEngine;
  readonly db: Kysely<ControlDatabase>;
  /** Where it lives, without credentials: safe to print. */
  readonly location: string;
  close(): Promise<void>;
}

export interface ControlStoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparseable url)';
  }
}

export async function openControlStore(opts: ControlStoreOptions): Promise<ControlStore> {
  let db: Kysely<ControlDatabase>;
  let engine: ControlEngine;
  let location: string;
  if (opts.databaseUrl) {
    engine = 'postgres';
    location = redactUrl(opts.databaseUrl);
    // BIGINT (int8) comes back as a string by default; our counts fit in 53 bits.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    db = new Kysely<ControlDatabase>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: opts.databaseUrl, max: 8 }) }),
    });
  } else {
    engine = 'sqlite';
    mkdirSync(opts.dataDir, { recursive: true });
    location = join(opts.dataDir, 'control.sqlite');
    const sqlite = new Database(location);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<ControlDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const migrator = new Migrator({ db, provider: migrationProvider(engine) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`control store ${location}: migration failed: ${(error as Error).message ?? String(error)}`);
  }
  return { engine, db, location, close: () => db.destroy() };
}
