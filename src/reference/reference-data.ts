/**
 * Reference tables (countries, HS nomenclature, ports, sectors): shipped defaults, replaceable by the user.
 *
 * Invariants:
 * - Defaults live in the repository's `reference/` folder (PDDL data with its NOTICE, and our own tables)
 *   and are loaded into empty tables when a store opens, so a fresh data directory is usable at once.
 * - A replacement is all-or-nothing: the new file is read and checked inside a transaction and swapped in
 *   only if every required column is present.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteString } from '../store/index.ts';
import { InputError } from '../ingest/input-error.ts';

export const REFERENCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reference');

export type ReferenceKind = 'countries' | 'hs' | 'ports' | 'sectors';

interface ReferenceSpec {
  table: string;
  defaultFile: string;
  /** Required source columns, and the SELECT that maps them (over `src`). */
  required: readonly string[];
  select: string;
}

const SPECS: Record<ReferenceKind, ReferenceSpec> = {
  countries: {
    table: 'ref_countries',
    defaultFile: 'country-codes.csv',
    required: ['ISO3166-1-Alpha-2', 'ISO3166-1-Alpha-3', 'CLDR display name'],
    select: `SELECT DISTINCT ON ("ISO3166-1-Alpha-2") "ISO3166-1-Alpha-2", "ISO3166-1-Alpha-3", "ISO3166-1-numeric",
      "CLDR display name", coalesce("official_name_en", "UNTERM English Short"), "Region Name", "Sub-region Name",
      "ISO4217-currency_alphabetic_code"
      FROM src WHERE "ISO3166-1-Alpha-2" IS NOT NULL AND length(trim("ISO3166-1-Alpha-2")) = 2`,
  },
  hs: {
    table: 'ref_hs',
    defaultFile: 'hs-nomenclature-2022.csv',
    required: ['hscode', 'level', 'parent', 'section', 'description'],
    select: `SELECT DISTINCT ON (hscode) hscode, TRY_CAST(level AS INTEGER), parent, section, description FROM src WHERE hscode IS NOT NULL`,
  },
  ports: {
    table: 'ref_ports',
    defaultFile: 'ports.csv',
    required: ['port_code', 'name', 'country', 'field_office', 'region'],
    select: `SELECT DISTINCT ON (port_code) trim(port_code), name, upper(country), NULLIF(trim(field_office), ''), region FROM src WHERE port_code IS NOT NULL`,
  },
  sectors: {
    table: 'ref_sectors',
    defaultFile: 'sectors.csv',
    required: ['hs_chapter', 'sector'],
    select: `SELECT DISTINCT ON (hs_chapter) lpad(trim(hs_chapter), 2, '0'), sector FROM src WHERE hs_chapter IS NOT NULL`,
  },
};

export const REFERENCE_KINDS = Object.keys(SPECS) as ReferenceKind[];

/** Replace one reference table from a CSV; must run inside the caller's write connection. */
export async function loadReferenceTable(c: DuckDBConnection, kind: ReferenceKind, file: string): Promise<number> {
  const spec = SPECS[kind];
  await c.run(`CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM read_csv(${quoteString(file)}, header = true, all_varchar = true)`);
  const cols = new Set(
    (await c.runAndReadAll("SELECT column_name FROM (DESCRIBE src)")).getRows().map((r) => String(r[0])),
  );
  for (const need of spec.required) {
    if (!cols.has(need)) {
      await c.run('DROP TABLE IF EXISTS temp.src');
      throw new InputError(file, 1, need, `required column is missing for the ${kind} reference table`, `The file needs the columns ${spec.required.join(', ')}`);
    }
  }
  await c.run('BEGIN TRANSACTION');
  try {
    await c.run(`DELETE FROM ${spec.table}`);
    await c.run(`INSERT INTO ${spec.table} ${spec.select}`);
    await c.run('COMMIT');
  } catch (e) {
    await c.run('ROLLBACK');
    throw e;
  } finally {
    await c.run('DROP TABLE IF EXISTS temp.src');
  }
  const n = await c.runAndReadAll(`SELECT count(*) FROM ${spec.table}`);
  return Number(n.getRows()[0]?.[0] ?? 0);
}

/** Load the shipped defaults into any reference table that is still empty. */
export async function seedReferenceDefaults(c: DuckDBConnection): Promise<void> {
  for (const kind of REFERENCE_KINDS) {
    const spec = SPECS[kind];
    const n = await c.runAndReadAll(`SELECT count(*) FROM ${spec.table}`);
    if (Number(n.getRows()[0]?.[0] ?? 0) > 0) continue;
    const file = join(REFERENCE_DIR, spec.defaultFile);
    if (existsSync(file)) await loadReferenceTable(c, kind, file);
  }
  const aliases = await c.runAndReadAll('SELECT count(*) FROM ref_country_aliases');
  if (Number(aliases.getRows()[0]?.[0] ?? 0) === 0) {
    const file = join(REFERENCE_DIR, 'country-aliases.csv');
    if (existsSync(file)) {
      await c.run(`INSERT INTO ref_country_aliases SELECT DISTINCT ON (upper(trim(alias))) upper(trim(alias)), upper(alpha2) FROM read_csv(${quoteString(file)}, header = true, all_varchar = true)`);
    }
  }
  const sections = await c.runAndReadAll('SELECT count(*) FROM ref_hs_sections');
  if (Number(sections.getRows()[0]?.[0] ?? 0) === 0) {
    const file = join(REFERENCE_DIR, 'hs-sections.csv');
    if (existsSync(file)) {
      await c.run(`INSERT INTO ref_hs_sections SELECT section, name FROM read_csv(${quoteString(file)}, header = true, all_varchar = true)`);
    }
  }
}
