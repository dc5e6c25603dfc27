import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLog, batchRegistry, openControlStore, type ControlStore } from './index.ts';
import { freshPgDatabase, pgSkipReason } from '../../test/pg-database.ts';

const engines: { name: string; url: () => Promise<string | undefined>; skip?: string | undefined }[] = [
  { name: 'sqlite', url: async () => undefined },
  { name: 'postgres', url: freshPgDatabase, skip: pgSkipReason },
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

for (const engine of engines) {
  describe.skipIf(!!engine.skip)(`control store on ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`, () => {
    it('migrates idempotently and keeps batches, quarantine and audit events', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'parallax-cs-'));
      dirs.push(dir);
      const databaseUrl = await engine.url();
      // Opened twice: the second open must find the schema current and migrate nothing.
      await (await openControlStore({ dataDir: dir, databaseUrl })).close();
      const store = await openControlStore({ dataDir: dir, databaseUrl });
      try {
        expect(store.engine).toBe(engine.name);
        expect(store.location).not.toMatch(/:[^@/]*@.*password/);
        const reg = batchRegistry(store);
        const b = await reg.begin({ dataset: 'trade_lines', category: 'trade', provider: 'US', profile: 'canonical', file_name: 'a.csv', sha256: 'ab'.repeat(32), size_bytes: 10, loaded_by: 't', started_at: new Date().toISOString() });
        const b2 = await reg.begin({ dataset: 'trade_lines', category: 'trade', provider: 'US', profile: 'canonical', file_name: 'b.csv', sha256: 'cd'.repeat(32), size_bytes: 10, loaded_by: 't', started_at: new Date().toISOString() });
        expect([b.batch_id, b2.batch_id]).toEqual(['B000001', 'B000002']);
        await reg.addQuarantine(b.batch_id, Array.from({ length: 1203 }, (_, i) => ({ line: i + 2, field: 'value', reason: 'not a number', raw: '{}' })));
        await reg.finish(b.batch_id, 'committed', { rows_read: 5000, rows_accepted: 3797, rows_rejected: 1203, rejects_kept: 1203 });
        expect(await reg.findCommittedBySha('ab'.repeat(32), 'trade_lines')).toMatchObject({ batch_id: 'B000001', rows_read: 5000, status: 'committed' });
        expect(await reg.findCommittedBySha('cd'.repeat(32), 'trade_lines')).toBeUndefined();
        expect((await reg.listUnfinished()).map((x) => x.batch_id)).toEqual(['B000002']);
        const page = await reg.quarantine(b.batch_id, { limit: 10, offset: 1200 });
        expect(page.total).toBe(1203);
        expect(page.rows.map((r) => r.line)).toEqual([1202, 1203, 1204]);
        await reg.discard(b2.batch_id, 'test');
        expect(await reg.get(b2.batch_id)).toBeUndefined();
        // The discarded id is never handed out again (this runs on SQLite and PostgreSQL).
        const b3 = await reg.begin({ dataset: 'trade_lines', category: 'trade', provider: 'US', profile: 'canonical', file_name: 'c.csv', sha256: 'ef'.repeat(32), size_bytes: 10, loaded_by: 't', started_at: new Date().toISOString() });
        expect(b3.batch_id).toBe('B000003');
        const audit = auditLog(store);
        await audit.append({ event: 'ingest', principal: 'ana', source: 'cli', outcome: 'allowed', rowCount: 3797, objectIds: ['B000001'] });
        expect((await audit.recent(1))[0]).toMatchObject({ event: 'ingest', principal: 'ana', rowCount: 3797, objectIds: ['B000001'] });
      } finally {
        await store.close();
      }
    });
  });
}
