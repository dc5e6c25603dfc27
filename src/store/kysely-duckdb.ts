/**
 * Kysely on DuckDB: analytical queries are composed with Kysely (so scope filtering is a query-tree
 * plugin, as in Kysely's own plugins) and executed by @duckdb/node-api.
 *
 * Invariants:
 * - DuckDB accepts the Postgres flavour Kysely's PostgresQueryCompiler emits ("double-quoted" identifiers,
 *   $1 placeholders), so we reuse that compiler instead of maintaining a fork.
 * - Results come back through `getRowObjectsJson()`: BIGINT arrives as a string, so aggregates that must be
 *   numbers are cast to DOUBLE or INTEGER by the query composer. DECIMAL columns (money, store/money.ts) are
 *   the one exception made here: their exact text becomes a JavaScript number, once per cell of a result
 *   page (never per stored row), so every reader of a money column gets numbers that print exactly.
 * - One DuckDB connection per Kysely connection; DuckDB serialises statements on a connection, and a small
 *   pool of connections lets the server run reads concurrently.
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

class DuckDbKyselyConnection implements DatabaseConnection {
  constructor(readonly raw: DuckDBConnection) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const reader = await this.raw.runAndReadAll(compiled.sql, compiled.parameters as DuckDBValue[]);
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    const types = reader.columnTypes();
    const names = reader.columnNames();
    const decimals = names.filter((_, i) => types[i]!.typeId === DuckDBTypeId.DECIMAL);
    if (decimals.length) {
      for (const row of rows) for (const k of decimals) if (typeof row[k] === 'string') row[k] = Number(row[k]);
    }
    return { rows: rows as R[] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used on the analytical store; page with limit/offset');
  }
}

class DuckDbDriver implements Driver {
  readonly #idle: DuckDbKyselyConnection[] = [];
  readonly #all: DuckDbKyselyConnection[] = [];
  readonly #waiters: ((c: DuckDbKyselyConnection) => void)[] = [];

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly poolSize: number,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.poolSize) {
      const c = new DuckDbKyselyConnection(await this.instance.connect());
      this.#all.push(c);
      return c;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(c: DatabaseConnection): Promise<void> {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(c as DuckDbKyselyConnection);
    else this.#idle.push(c as DuckDbKyselyConnection);
  }

  async destroy(): Promise<void> {
    for (const c of this.#all) c.raw.closeSync();
    this.#all.length = 0;
    this.#idle.length = 0;
  }
}

export class DuckDbDialect implements Dialect {
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly poolSize = 4,
  ) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new DuckDbDriver(this.instance, this.poolSize);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
