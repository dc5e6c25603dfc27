// Reading the few small results the generator needs back in JavaScript (counts, checks). Row data never
// comes back here: files are written by DuckDB itself.
import type { DuckDBConnection } from '@duckdb/node-api';

export async function scalar(conn: DuckDBConnection, sql: string): Promise<number> {
  const reader = await conn.runAndReadAll(sql);
  const first = reader.getRowObjectsJS()[0];
  const value = first ? Object.values(first)[0] : undefined;
  return value === null || value === undefined ? 0 : Number(value);
}

export async function rowObjects(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
