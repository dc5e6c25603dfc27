/**
 * A fresh PostgreSQL database per test file on the throw-away server (test/postgres-server.ts), so test
 * files running in parallel never see each other's rows.
 */
import pg from 'pg';

export const pgSkipReason: string | undefined = process.env['PARALLAX_TEST_DATABASE_URL']
  ? undefined
  : (process.env['PARALLAX_TEST_PG_SKIP'] ?? 'no PostgreSQL server for tests');

export async function freshPgDatabase(): Promise<string> {
  const admin = process.env['PARALLAX_TEST_DATABASE_URL']!;
  const name = `parallax_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}
