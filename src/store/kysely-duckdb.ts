/**
 * Kysely on DuckDB: analytical queries are composed with Kysely (so scope filtering is a query-tree
 * plugin, as in Kysely's own plugins) and executed by @duckdb/node-api.
 *
 * Invariants:
 * - DuckDB accepts the Postgres flavour Kysely's PostgresQueryCompiler emits ("double-quoted" identifiers,
 *   $1 placeholders), so we reuse that compiler instead of maintaining a fork.
 * - Results come back through `getRowObjectsJson()`: BIGINT and DECIMAL arrive as strings, so aggregates
 *   that must be numbers are cast to DOUBLE or INTEGER by the query composer, never coerced in JS.
 * - One DuckDB connection per Kysely connection; DuckDB serialises statements on a connection, and a small
 *   pool of connections lets the server run reads concurrently.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
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
    return { rows: reader.getRowObjectsJson() as R[] };
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
