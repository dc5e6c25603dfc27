/**
 * Versioned layout upgrades of the analytical store: a data directory made by an earlier version of Parallax
 * is brought to the current layout when it is opened.
 *
 * Invariants:
 * - `store_layout` records each version applied (version, when, what). A store without it but with data
 *   tables is version 1 (before versioning); a new store is created at the current version directly.
 * - An upgrade never loses or alters a row's meaning: a data table is rewritten in the current column order
 *   with every old column copied (a type change is a strict CAST, so a value that does not fit fails the
 *   upgrade instead of turning into NULL) and every new column derived as a fresh load would derive it.
 *   The rewrite of all tables and the version record commit in one transaction, so a failed or killed
 *   upgrade leaves the old store as it was, and the next open tries again.
 * - Money that does not fit the money type (store/money.ts) is checked first and named by table and column
 *   (never by value), with what to do.
 * - Columns that depend on other reference data (the USD columns) are left NULL here; the runtime converts
 *   the upgraded batches once the rates are seeded (fx/convert.ts `convertStale`), before anything reads.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASETS, type DatasetId } from '../schema/index.ts';
import { createTableSql, DERIVED_COLUMNS, sqlType } from './analytical-schema.ts';
import { MONEY_MAX_SQL, MONEY_SQL } from './money.ts';

/** The layout this version of Parallax reads and writes. */
export const LAYOUT_VERSION = 2;

export interface LayoutUpgrade {
  readonly from: number;
  readonly to: number;
}

/** An upgrade that cannot be applied; the message names the table and column and says what to do. */
export class LayoutUpgradeError extends Error {}

interface Column {
  readonly name: string;
  readonly type: string;
}

async function tableColumns(c: DuckDBConnection, table: string): Promise<Column[]> {
  const r = await c.runAndReadAll(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return r.getRows().map((x) => ({ name: String(x[0]), type: String(x[1]) }));
}

/** The columns of a dataset table (or its history) in the current layout, with how to fill each from an old row. */
function expectedColumns(id: DatasetId, history: boolean): (Column & { derive: string | null })[] {
  const spec = DATASETS[id];
  return [
    { name: 'row_id', type: 'BIGINT', derive: null },
    { name: 'batch_id', type: 'VARCHAR', derive: null },
    { name: 'provider', type: 'VARCHAR', derive: null },
    { name: 'line', type: 'BIGINT', derive: null },
    ...spec.fields.map((f) => ({ name: f.name, type: sqlType(f.type), derive: null })),
    // FX columns need the rates: NULL now, converted by the runtime right after (see header).
    ...DERIVED_COLUMNS[id].map((d) => ({ name: d.name, type: d.type, derive: d.fx ? `NULL::${d.type}` : d.expr })),
    { name: 'attrs', type: 'JSON', derive: null },
    ...(history ? [{ name: 'superseded_by', type: 'VARCHAR', derive: null }] : []),
  ];
}

const sameType = (have: string, want: string) => have.replace(/\s+/g, '').toUpperCase() === want.replace(/\s+/g, '').toUpperCase();

/** Rewrites one dataset table into the current layout when its columns differ. Inside the caller's transaction. */
async function rewriteTable(c: DuckDBConnection, id: DatasetId, history: boolean): Promise<boolean> {
  const table = history ? `${id}_history` : id;
  const have = await tableColumns(c, table);
  if (!have.length) return false;
  const want = expectedColumns(id, history);
  if (have.length === want.length && have.every((h, i) => h.name === want[i]!.name && sameType(h.type, want[i]!.type))) return false;
  const old = new Map(have.map((h) => [h.name, h]));
  for (const w of want) {
    const h = old.get(w.name);
    if (h && w.type === MONEY_SQL && !sameType(h.type, w.type)) {
      const r = await c.runAndReadAll(`SELECT count(*) FROM ${table} WHERE abs(${w.name}) > ${MONEY_MAX_SQL}`);
      const n = Number(r.getRows()[0]?.[0] ?? 0);
      if (n > 0) {
        throw new LayoutUpgradeError(
          `${n} rows of ${table} hold a ${w.name} beyond ${MONEY_MAX_SQL}, the largest amount this version stores exactly; ` +
            'the store was not changed: open it with the earlier version and remove or correct those batches, then open it again',
        );
      }
    }
  }
  const ddl = createTableSql(id)[history ? 1 : 0]!.replace(`CREATE TABLE IF NOT EXISTS ${table} (`, `CREATE TABLE ${table}__upgrade (`);
  await c.run(ddl);
  const select = want.map((w) => {
    const h = old.get(w.name);
    if (h) return sameType(h.type, w.type) ? w.name : `CAST(${w.name} AS ${w.type})`;
    return w.derive ?? `NULL::${w.type}`;
  });
  await c.run(`INSERT INTO ${table}__upgrade (${want.map((w) => w.name).join(', ')}) SELECT ${select.join(', ')} FROM ${table}`);
  await c.run(`DROP TABLE ${table}`);
  await c.run(`ALTER TABLE ${table}__upgrade RENAME TO ${table}`);
  return true;
}

interface Step {
  readonly version: number;
  readonly note: string;
  apply(c: DuckDBConnection): Promise<void>;
}

const STEPS: readonly Step[] = [
  {
    version: 2,
    note: 'money as DECIMAL(18,4); USD columns (fx_rate, value_usd, unit_price_usd, amount_usd, penalty_usd); zero-value flags; party totals in USD',
    async apply(c) {
      for (const id of Object.keys(DATASETS) as DatasetId[]) {
        await rewriteTable(c, id, false);
        if (DATASETS[id].key) await rewriteTable(c, id, true);
      }
      // Resolved parties are derived (parties/party-schema.ts): their USD totals are filled by the next resolution.
      for (const t of ['party_members', 'party_payment_members', 'party_edges', 'party_payment_edges']) {
        const cols = new Set((await tableColumns(c, t)).map((x) => x.name));
        if (!cols.size) continue;
        if (!cols.has('value_usd')) await c.run(`ALTER TABLE ${t} ADD COLUMN value_usd ${MONEY_SQL}`);
        if (!cols.has('lines_without_usd')) await c.run(`ALTER TABLE ${t} ADD COLUMN lines_without_usd BIGINT`);
        // The old total added the lines' own currencies together: meaningless, so not kept.
        if (cols.has('value')) await c.run(`ALTER TABLE ${t} DROP COLUMN value`);
      }
    },
  },
];

/**
 * Brings the store to LAYOUT_VERSION. Call before the idempotent CREATE ... IF NOT EXISTS of the current layout:
 * it decides from the tables present whether this is a new store or an old one. Returns the upgrade applied.
 */
export async function upgradeLayout(c: DuckDBConnection): Promise<LayoutUpgrade | null> {
  await c.run('CREATE TABLE IF NOT EXISTS store_layout (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL, note VARCHAR NOT NULL)');
  const v = await c.runAndReadAll('SELECT max(version) FROM store_layout');
  const recorded = v.getRows()[0]?.[0];
  let from: number;
  if (recorded !== null && recorded !== undefined) from = Number(recorded);
  else from = (await tableColumns(c, 'trade_lines')).length ? 1 : LAYOUT_VERSION;
  if (from > LAYOUT_VERSION) {
    throw new LayoutUpgradeError(`this data directory has layout version ${from}, newer than this version of Parallax reads (${LAYOUT_VERSION}): upgrade Parallax`);
  }
  if (from === LAYOUT_VERSION) {
    if (recorded === null || recorded === undefined) await c.run(`INSERT INTO store_layout VALUES (${LAYOUT_VERSION}, current_timestamp, 'created')`);
    return null;
  }
  await c.run('BEGIN TRANSACTION');
  try {
    for (const step of STEPS.filter((s) => s.version > from)) {
      await step.apply(c);
      await c.run('INSERT INTO store_layout VALUES ($1, current_timestamp, $2)', [step.version, step.note]);
    }
    await c.run('COMMIT');
  } catch (e) {
    await c.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { from, to: LAYOUT_VERSION };
}
