// The Global Financial Integrity arithmetic on the real GFI DOTS file: for every pair-year GFI did not adjust
// for Hong Kong re-exports (its impmisbilat equals |value_m - value_x|), the mirror pairs' |M/1.06 - X| must
// equal GFI's impmisbilat to the cent. The comparison runs inside the engine through a scoped query. Skips,
// saying so, when the shared data folder is absent (the file is GPL-3 and never copied into the project).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile, type BatchResult } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { withMirrorPairs } from './mirror-pairs.ts';

const FILE = resolve('../shared/data/mirror/gfi-dots/dots-trade-misinvoicing-2015-2018.csv.gz');
const present = existsSync(FILE);
let t: TempRuntime;

describe.skipIf(!present)(`GFI DOTS mirror arithmetic${present ? '' : ' (shared GFI file absent: skipped)'}`, () => {
  let loaded: BatchResult;
  beforeAll(async () => {
    t = await tempRuntime();
    loaded = await ingestFile({ store: t.rt.store, registry: t.rt.registry }, FILE, { profile: 'gfi-dots', category: 'trade', provider: 'GFI', loadedBy: 'test' });
  }, 300_000);
  afterAll(async () => t?.cleanup());

  it('reproduces impmisbilat = |M/1.06 - X| to the cent on every row without Hong Kong adjustment', async () => {
    const db = scopedDb(t.rt.store, localOperatorScope());
    const num = (k: string) => sql<number>`(s.attrs->>${k})::DOUBLE`;
    const imp = num('impmisbilat');
    const plain = sql<boolean>`abs(${imp} - abs(${num('value_m')} - ${num('value_x')})) <= 0.01`;
    const r = (await withMirrorPairs(db.db as Kysely<any>, 1.06)
      .selectFrom('mp')
      // A pair with one row per side: its import row carries GFI's own columns for the record.
      .innerJoin('mirror_stats as s', (jn) => jn.on(sql<boolean>`s.row_id = mp.import_ids[1]`))
      .select([
        sql<number>`count(*)::INTEGER`.as('import_rows'),
        sql<number>`count(*) FILTER (WHERE ${plain})::INTEGER`.as('plain'),
        sql<number>`count(*) FILTER (WHERE ${plain} AND len(mp.import_ids) = 1 AND len(mp.export_ids) = 1)::INTEGER`.as('compared'),
        sql<number>`max(abs(round(mp.abs_gap, 2) - round(${imp}, 2))) FILTER (WHERE ${plain} AND len(mp.import_ids) = 1 AND len(mp.export_ids) = 1)`.as('max_cent_diff'),
        sql<number>`max(abs(mp.abs_gap - ${imp})) FILTER (WHERE ${plain} AND len(mp.import_ids) = 1 AND len(mp.export_ids) = 1)`.as('max_diff'),
        sql<number>`count(*) FILTER (WHERE len(mp.import_ids) > 1 OR len(mp.export_ids) <> 1)::INTEGER`.as('not_one_to_one'),
      ])
      .executeTakeFirstOrThrow()) as Record<string, number>;
    const orphans = (await withMirrorPairs(db.db as Kysely<any>, 1.06)
      .selectFrom('mp')
      .select([sql<number>`count(*) FILTER (WHERE missing IS NOT NULL)::INTEGER`.as('orphans'), sql<number>`count(*)::INTEGER`.as('pairs')])
      .executeTakeFirstOrThrow()) as Record<string, number>;
    // Row level: how many of the kept importer records are without Hong Kong adjustment.
    const rows = (await (db.db as Kysely<any>)
      .selectFrom('mirror_stats as s')
      .select([sql<number>`count(*)::INTEGER`.as('records'), sql<number>`count(*) FILTER (WHERE ${plain})::INTEGER`.as('plain_records')])
      .where('s.flow', '=', 'import')
      .executeTakeFirstOrThrow()) as Record<string, number>;
    console.info(`GFI: ${JSON.stringify({ ...rows, ...r, ...orphans })}`);
    // The file has 92,100 records: 86,480 with indcode_m TMG_CIF_USD and 5,620 TMG_FOB_USD, each of the latter
    // repeating a CIF record's pair-year. The profile's `where` keeps the CIF ones, so every pair-year is one
    // import row against one export row; the FOB duplicates are counted as filtered, never as rejects.
    expect(loaded).toMatchObject({ rows_read: 92100, rows_accepted: 86480, rows_rejected: 0, rows_filtered: 5620 });
    expect(rows['records']).toBe(86480);
    expect(r['not_one_to_one']).toBe(0);
    // 75,866 of the CIF records satisfy |value_m - value_x| = impmisbilat within a cent in the raw file
    // (checked with DuckDB on the CSV); all of them are one-to-one pairs here and all are compared.
    expect(r['plain']).toBe(75866);
    expect(r['compared']).toBe(75866);
    expect(Number(r['max_cent_diff'])).toBeLessThanOrEqual(0.01);
    expect(Number(r['max_diff'])).toBeLessThan(0.005);
  });
});
