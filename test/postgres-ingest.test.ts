/**
 * The whole ingest path with the control store in PostgreSQL (PARALLAX_DATABASE_URL): batches, quarantine,
 * duplicate detection and crash recovery bookkeeping live there, rows in DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../src/ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from './temp-runtime.ts';
import { freshPgDatabase, pgSkipReason } from './pg-database.ts';

describe.skipIf(!!pgSkipReason)(`ingest with the control store in PostgreSQL${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
  let t: TempRuntime;
  beforeAll(async () => {
    t = await tempRuntime({ databaseUrl: await freshPgDatabase() });
  });
  afterAll(async () => t?.cleanup());

  it('records batches and quarantine in PostgreSQL', async () => {
    expect(t.rt.control.engine).toBe('postgres');
    const deps = { store: t.rt.store, registry: t.rt.registry };
    const opts = { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'pg-test' };
    const f = t.file('a.csv', `${CANONICAL_HEADER}\n${canonicalLine()}\n${canonicalLine({ declaration_id: 'D2', date: 'someday' })}\n`);
    const r = await ingestFile(deps, f, opts);
    expect(r).toMatchObject({ batch_id: 'B000001', rows_accepted: 1, rows_rejected: 1 });
    const again = await ingestFile(deps, f, opts);
    expect(again.duplicate).toBe(true);
    const q = await t.rt.registry.quarantine('B000001', { limit: 10, offset: 0 });
    expect(q).toMatchObject({ total: 1, rows: [{ line: 3, field: 'date' }] });
    const b = await t.rt.registry.get('B000001');
    expect(b).toMatchObject({ status: 'committed', rows_read: 2, rows_accepted: 1, rows_rejected: 1 });
  });
});
