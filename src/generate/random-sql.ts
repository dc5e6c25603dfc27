// Pseudo-randomness for the generator lives in SQL macros keyed by (seed, key, salt), never in random():
// DuckDB's random() depends on thread scheduling, whereas hash() of the same arguments is the same on every
// run, so a row's draws depend only on the seed and the row's own key. Distinct salts keep the draws of one
// row independent of each other; changing one salt changes only the attribute that uses it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlNumber } from './sql-literal.ts';

const PRIME = 1000000007;

export async function createRandomMacros(conn: DuckDBConnection, seed: number): Promise<void> {
  if (!Number.isSafeInteger(seed)) throw new Error(`generator: seed must be a safe integer, got ${seed}`);
  const s = sqlNumber(seed);
  // Open interval (0, 1): ln() of a draw is always finite.
  const open = (extra: string) => `(((hash(${s}::BIGINT, k, salt${extra}) % ${PRIME})::DOUBLE + 0.5) / ${PRIME}.0)`;
  await conn.run(`CREATE OR REPLACE MACRO uni(k, salt) AS ${open('')}`);
  // Box-Muller: two independent uniforms give one standard normal.
  await conn.run(
    `CREATE OR REPLACE MACRO nrm(k, salt) AS sqrt(-2.0 * ln(${open(', 1')})) * cos(2.0 * pi() * ${open(', 2')})`,
  );
  // Uniform on (-1, 1): bounded noise for unit prices inside an hs6 x origin group. Its Tukey fences sit
  // near +-2 while no clean point can pass +-1, so only the sampling noise of very small groups (n < 16)
  // ever puts a clean line outside them.
  await conn.run(`CREATE OR REPLACE MACRO sym(k, salt) AS 2.0 * ${open(', 5')} - 1.0`);
  // Triangular on (-1, 1): bounded, bell-shaped noise for reporting errors (mass, payments, mirror).
  await conn.run(`CREATE OR REPLACE MACRO tri(k, salt) AS ${open(', 3')} + ${open(', 4')} - 1.0`);
  // Power transform of a uniform: rank 0 is the largest; share of the first m of n is (m/n)^(1/p).
  await conn.run(`CREATE OR REPLACE MACRO zipf(n, u, p) AS least(n - 1, floor(n * pow(u, p)))::BIGINT`);
}
