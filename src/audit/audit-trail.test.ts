/**
 * Tamper tests of the audit trail on SQLite and PostgreSQL: each attack is done the way someone with write
 * access to the database would do it (plain SQL), and `verify` must name the exact first bad record, or
 * say plainly that the change is out of its reach.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createHash, verify } from 'node:crypto';
import { sql } from 'kysely';
import { chainHash, openControlStore, type ControlStore } from '../control/index.ts';
import { freshPgDatabase, pgSkipReason } from '../../test/pg-database.ts';
import { auditTrail, retainUntil, type AuditTrail } from './index.ts';

const engines = [
  { name: 'sqlite', skip: undefined as string | undefined, url: async () => undefined as string | undefined },
  { name: 'postgres', skip: pgSkipReason, url: async () => freshPgDatabase() },
];

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`audit trail on ${engine.name}`, () => {
    let url: string | undefined;
    let dir: string;
    let control: ControlStore;
    let trail: AuditTrail;

    beforeAll(async () => {
      url = await engine.url();
    });

    /** A trail of `n` events, with signed checkpoints after the records listed in `checkpointAfter`. */
    async function trailOf(n: number, checkpointAfter: readonly number[] = []): Promise<void> {
      dir = mkdtempSync(join(tmpdir(), 'parallax-audit-'));
      control = await openControlStore({ dataDir: dir, databaseUrl: url });
      // One database per engine: start each test from an empty trail.
      await control.db.deleteFrom('audit_events').execute();
      await control.db.deleteFrom('audit_checkpoints').execute();
      await control.db.deleteFrom('disclosures').execute();
      trail = auditTrail(control, { dataDir: dir, checkpointEvery: 0, checkpointIntervalMs: 0, checkpointOnClose: false });
      for (let i = 1; i <= n; i++) {
        const head = await trail.log.append({ event: i % 2 ? 'query' : 'export', principal: `user${i % 3}`, role: 'investigator', source: '127.0.0.1', client: 'test', purpose: 'case 7', objectIds: [`B${i}`], rowCount: i * 10, outcome: 'allowed', detail: 'by=origin' });
        expect(head.id).toBe(i);
        if (checkpointAfter.includes(i)) expect((await trail.checkpoint())?.lastEventId).toBe(i);
      }
    }

    afterEach(async () => {
      await control?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const hashOf = async (id: number) => (await control.db.selectFrom('audit_events').select('hash').where('id', '=', id).executeTakeFirstOrThrow()).hash!;

    it('an untouched trail is intact, and says what it cannot detect', async () => {
      await trailOf(10, [4, 8]);
      const r = await trail.verify({ pageSize: 3 });
      expect(r).toMatchObject({ intact: true, records: 10, firstId: 1, head: { id: 10 }, firstBad: null, problems: [], afterLastCheckpoint: 2 });
      expect(r.checkpoints).toMatchObject({ rows: 2, fileLines: 2, validSignatures: 4, lastCoveredId: 8 });
      expect(r.cannotDetect.join(' ')).toMatch(/after the last checkpoint \(record 8\)/);
      expect(r.cannotDetect.join(' ')).toMatch(/private key/);
    });

    it('concurrent appends in one process form one chain, written in groups', async () => {
      await trailOf(0);
      const heads = await Promise.all(Array.from({ length: 300 }, (_, i) => trail.log.append({ event: 'query', principal: `p${i}`, source: 'x', outcome: 'allowed' })));
      expect(heads.map((h) => h.id)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(await trail.verify()).toMatchObject({ intact: true, records: 300 });
      const own = await trail.log.page({ principal: 'p7', limit: 10 });
      expect(own).toMatchObject({ total: 1, rows: [{ id: 8, principal: 'p7', client: null }] });
    });

    it('verify while appends and checkpoints go on reports an intact trail', async () => {
      await trailOf(0);
      const busy = auditTrail(control, { dataDir: dir, checkpointEvery: 20, checkpointIntervalMs: 0, checkpointOnClose: false });
      const writing = (async () => {
        for (let round = 0; round < 30; round++) await Promise.all(Array.from({ length: 10 }, () => busy.log.append({ event: 'query', principal: 'p', source: 'x', outcome: 'allowed' })));
      })();
      const reports = [];
      for (let i = 0; i < 5; i++) reports.push(await busy.verify({ pageSize: 50 }));
      await writing;
      reports.push(await busy.verify());
      expect(reports.map((r) => r.problems)).toEqual(reports.map(() => []));
      expect(reports[reports.length - 1]).toMatchObject({ intact: true, records: 300 });
    });

    it('an edited field names that record', async () => {
      await trailOf(10, [8]);
      await control.db.updateTable('audit_events').set({ principal: 'someone-else' }).where('id', '=', 5).execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 5, kind: 'edited' });
    });

    it('an edited row count names that record', async () => {
      await trailOf(10);
      await control.db.updateTable('audit_events').set({ row_count: 0 }).where('id', '=', 7).execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 7, kind: 'edited' });
    });

    it('a deleted record is named as missing', async () => {
      await trailOf(10, [8]);
      await control.db.deleteFrom('audit_events').where('id', '=', 5).execute();
      const r = await trail.verify();
      expect(r.intact).toBe(false);
      expect(r.firstBad).toMatchObject({ id: 5, kind: 'missing' });
    });

    it('a forged record appended by hand (no valid hash) is named', async () => {
      await trailOf(10);
      const prev = await hashOf(10);
      await control.db
        .insertInto('audit_events')
        .values({ id: 11, at: new Date().toISOString(), event: 'export', principal: 'mallory', role: null, source: 'x', object_ids: null, row_count: 1, outcome: 'allowed', detail: null, client: null, purpose: null, prev_hash: prev, hash: 'f'.repeat(64) })
        .execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 11, kind: 'edited' });
    });

    it('a forged record inserted in the middle with a correct hash is named as inserted', async () => {
      await trailOf(10, [3]);
      // Make room at id 6 (from the top, so the primary key never collides), then forge a well-formed record.
      for (let id = 10; id >= 6; id--) await control.db.updateTable('audit_events').set({ id: id + 1 }).where('id', '=', id).execute();
      const prev = await hashOf(5);
      const forged = { id: 6, at: new Date().toISOString(), event: 'sign-in', principal: 'mallory', role: null, source: 'x', client: null, purpose: null, object_ids: null, row_count: null, outcome: 'allowed' as const, detail: null };
      await control.db.insertInto('audit_events').values({ ...forged, prev_hash: prev, hash: chainHash(prev, forged) }).execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 6, kind: 'inserted' });
    });

    it('a record inserted by hand without a hash is named, and later appends still chain', async () => {
      await trailOf(10);
      await control.db
        .insertInto('audit_events')
        .values({ id: 11, at: new Date().toISOString(), event: 'export', principal: 'mallory', role: null, source: 'x', object_ids: null, row_count: 1, outcome: 'allowed', detail: null, client: null, purpose: null, prev_hash: null, hash: null })
        .execute();
      expect((await trail.log.append({ event: 'query', principal: 'a', source: 'x', outcome: 'allowed' })).id).toBe(12);
      expect((await trail.verify()).firstBad).toMatchObject({ id: 11, kind: 'unchained' });
    });

    it('rows written before the chain existed are chained once, at the first append', async () => {
      await trailOf(0);
      for (let i = 1; i <= 3; i++) {
        await control.db
          .insertInto('audit_events')
          .values({ id: i, at: new Date().toISOString(), event: 'ingest', principal: 'old', role: null, source: 'cli', object_ids: 'B000001', row_count: 5, outcome: 'allowed', detail: null, client: null, purpose: null, prev_hash: null, hash: null })
          .execute();
      }
      const fresh = auditTrail(control, { dataDir: dir, checkpointEvery: 0, checkpointIntervalMs: 0, checkpointOnClose: false });
      expect((await fresh.log.append({ event: 'query', principal: 'a', source: 'x', outcome: 'allowed' })).id).toBe(4);
      expect(await fresh.verify()).toMatchObject({ intact: true, records: 4 });
    });

    it('two swapped records are named at the first position', async () => {
      await trailOf(10);
      await control.db.updateTable('audit_events').set({ id: -5 }).where('id', '=', 5).execute();
      await control.db.updateTable('audit_events').set({ id: 5 }).where('id', '=', 6).execute();
      await control.db.updateTable('audit_events').set({ id: 6 }).where('id', '=', -5).execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 5, kind: 'out-of-place' });
    });

    it('reordering by time alone is an edit of the record', async () => {
      await trailOf(10);
      await control.db.updateTable('audit_events').set({ at: '2000-01-01T00:00:00.000Z' }).where('id', '=', 9).execute();
      expect((await trail.verify()).firstBad).toMatchObject({ id: 9, kind: 'edited' });
    });

    it('a tail truncated before the last checkpoint is detected from the first missing record', async () => {
      await trailOf(10, [4, 8]);
      await control.db.deleteFrom('audit_events').where('id', '>=', 6).execute();
      const r = await trail.verify();
      expect(r.intact).toBe(false);
      expect(r.firstBad).toMatchObject({ id: 6, kind: 'missing' });
      expect(r.firstBad!.message).toMatch(/covers record 8/);
    });

    it('a tail truncated after the last checkpoint cannot be detected, and the report says so', async () => {
      await trailOf(10, [8]);
      await control.db.deleteFrom('audit_events').where('id', '>', 8).execute();
      const r = await trail.verify();
      expect(r).toMatchObject({ intact: true, records: 8, firstBad: null, afterLastCheckpoint: 0 });
      expect(r.cannotDetect[0]).toMatch(/records after the last checkpoint \(record 8\) can be removed/);
    });

    it('a chain rewritten with recomputed hashes is caught by the checkpoint that covers it', async () => {
      await trailOf(10, [4, 8]);
      // The attacker knows the public algorithm: edit record 6 and re-hash everything after it.
      await control.db.updateTable('audit_events').set({ principal: 'nobody' }).where('id', '=', 6).execute();
      let prev = await hashOf(5);
      for (let id = 6; id <= 10; id++) {
        const r = await control.db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const hash = chainHash(prev, { ...r, id, row_count: r.row_count === null ? null : Number(r.row_count) });
        await control.db.updateTable('audit_events').set({ prev_hash: prev, hash }).where('id', '=', id).execute();
        prev = hash;
      }
      const r = await trail.verify();
      expect(r.firstBad).toMatchObject({ id: 8, kind: 'rewritten' });
      expect(r.firstBad!.message).toMatch(/after record 4/);
    });

    it('a deleted checkpoint row is detected from the checkpoint file', async () => {
      await trailOf(10, [4, 8]);
      await control.db.deleteFrom('audit_checkpoints').where('last_event_id', '=', 4).execute();
      const r = await trail.verify();
      expect(r.intact).toBe(false);
      expect(r.firstBad).toBeNull();
      expect(r.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-row-deleted', fileLine: 1 })]);
      expect(r.problems[0]!.message).toMatch(/record 4/);
    });

    it('a forged checkpoint signature is detected', async () => {
      await trailOf(10, [4, 8]);
      const cp = await control.db.selectFrom('audit_checkpoints').select(['id', 'signature']).where('last_event_id', '=', 8).executeTakeFirstOrThrow();
      const forged = Buffer.from(cp.signature, 'base64');
      forged[0] = forged[0]! ^ 0xff;
      await control.db.updateTable('audit_checkpoints').set({ signature: forged.toString('base64') }).where('id', '=', cp.id).execute();
      const r = await trail.verify();
      expect(r.intact).toBe(false);
      expect(r.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-signature', checkpointId: Number(cp.id) }));
      expect(r.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-not-in-file', checkpointId: Number(cp.id) }));
    });

    it('a checkpoint for a forged head, added to the database and the file, fails its signature', async () => {
      await trailOf(10, [4]);
      const { key_id } = await control.db.selectFrom('audit_checkpoints').select('key_id').executeTakeFirstOrThrow();
      const line = { v: 1, at: new Date().toISOString(), last_event_id: 10, head_hash: 'a'.repeat(64), key_id, signature: Buffer.alloc(64).toString('base64') };
      appendFileSync(join(dir, 'audit-checkpoints.log'), `${JSON.stringify(line)}\n`);
      const ins = await control.db.insertInto('audit_checkpoints').values({ at: line.at, last_event_id: 10, head_hash: line.head_hash, key_id, signature: line.signature }).returning('id').executeTakeFirstOrThrow();
      const r = await trail.verify();
      expect(r.intact).toBe(false);
      expect(r.firstBad).toBeNull();
      expect(r.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-signature', checkpointId: Number(ins.id) }));
      expect(r.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-signature', fileLine: 2 }));
    });

    it("checkpoints of another server's key verify once its public key is trusted, and not before", async () => {
      await trailOf(4, [4]);
      // A second server on the same database, with its own data directory, key and checkpoint file.
      const other = mkdtempSync(join(tmpdir(), 'parallax-audit-other-'));
      try {
        const second = auditTrail(control, { dataDir: other, checkpointEvery: 0, checkpointIntervalMs: 0, checkpointOnClose: false });
        await second.log.append({ event: 'query', principal: 'b', source: 'x', outcome: 'allowed' });
        const cp = (await second.checkpoint())!;
        const before = await trail.verify();
        expect(before.intact).toBe(false);
        expect(before.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-key' })]);
        copyFileSync(join(other, 'keys', 'audit-ed25519.pub'), join(dir, 'keys', `${cp.keyId}.pub`));
        expect(await trail.verify()).toMatchObject({ intact: true, records: 5, checkpoints: { lastCoveredId: 5 } });
        expect(await second.verify()).toMatchObject({ intact: false, problems: [expect.objectContaining({ kind: 'checkpoint-key' })] });
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('the signing key is a 0600 file outside the database, created once', async () => {
      await trailOf(2, [2]);
      const keyFile = join(dir, 'keys', 'audit-ed25519.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const again = auditTrail(control, { dataDir: dir, checkpointOnClose: false });
      await again.log.append({ event: 'query', principal: 'a', source: 'x', outcome: 'allowed' });
      await again.checkpoint();
      expect(new Set((await control.db.selectFrom('audit_checkpoints').select('key_id').execute()).map((r) => r.key_id)).size).toBe(1);
    });

    it('the export can be verified without Parallax', async () => {
      await trailOf(6, [5]);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const summary = await trail.export(out);
      expect(summary).toMatchObject({ records: 6, checkpoints: 1, firstId: 1, lastId: 6 });
      const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const header = lines[0]!;
      expect(header['type']).toBe('header');
      // Recompute with nothing but node:crypto and the rule stated in the header.
      let prev = header['genesis_prev_hash'] as string;
      const fields = ['id', 'at', 'event', 'principal', 'role', 'source', 'client', 'purpose', 'object_ids', 'row_count', 'outcome', 'detail'];
      for (const e of lines.filter((l) => l['type'] === 'event')) {
        expect(e['prev_hash']).toBe(prev);
        prev = createHash('sha256').update(`${prev}\n${JSON.stringify(fields.map((f) => e[f]))}`).digest('hex');
        expect(e['hash']).toBe(prev);
      }
      const cp = lines.find((l) => l['type'] === 'checkpoint')!;
      expect(verify(null, Buffer.from(cp['signed_message'] as string), header['public_key'] as string, Buffer.from(cp['signature'] as string, 'base64'))).toBe(true);
      expect(cp['head_hash']).toBe(lines.find((l) => l['id'] === 5)!['hash']);
    });

    it('the disclosure ledger keeps each entry at least five years', async () => {
      await trailOf(1);
      const d = await trail.disclosures.record({ principal: 'ana', nature: 'export lines csv', purpose: 'case 7', recipient: 'partner agency', agreement: 'MoU 2024-3', rowCount: 120, bytes: 4096, auditEventId: 1 });
      expect(d.retainUntil).toBe(retainUntil(new Date(d.at)));
      expect(Date.parse(d.retainUntil) - Date.parse(d.at)).toBeGreaterThanOrEqual(5 * 365 * 86_400_000);
      const list = await trail.disclosures.list({ recipient: 'partner agency', limit: 10 });
      expect(list).toMatchObject({ total: 1, rows: [{ id: d.id, nature: 'export lines csv', rowCount: 120, bytes: 4096, auditEventId: 1 }] });
      expect(Object.keys(trail.disclosures)).toEqual(['record', 'list']);
    });
  });
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`audit trail across processes on ${engine.name}`, () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'parallax-audit-mp-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('two processes appending to the same data directory (or database) keep one valid chain', async () => {
      const url = await engine.url();
      const { spawn } = await import('node:child_process');
      const here = new URL('.', import.meta.url).pathname;
      const script = `
        const { openControlStore } = await import(${JSON.stringify(join(here, '../control/index.ts'))});
        const { auditTrail } = await import(${JSON.stringify(join(here, 'index.ts'))});
        const { writeFileSync, readdirSync } = await import('node:fs');
        const [dir, barrier, url] = [process.argv[1], process.argv[2], process.argv[3] || undefined];
        const control = await openControlStore({ dataDir: dir, databaseUrl: url });
        const trail = auditTrail(control, { dataDir: dir, checkpointEvery: 50, checkpointIntervalMs: 0 });
        // A barrier, not a start time: on a loaded machine one process can take seconds longer to
        // start, and a fixed start time then lets the first finish alone. Both append only once both
        // are ready, so their transactions really interleave.
        writeFileSync(barrier + '/' + process.pid, '');
        while (readdirSync(barrier).length < 2) await new Promise((r) => setTimeout(r, 5));
        for (let round = 0; round < 100; round++) {
          await Promise.all(Array.from({ length: 10 }, (_, i) => trail.log.append({ event: 'query', principal: process.pid + ':' + round + ':' + i, source: 'x', outcome: 'allowed' })));
          // SQLite's busy handler backs off in sleeps of up to 25 ms early on, so a writer that never pauses can
          // take the lock again and again while the other sleeps (seen on a loaded CI machine: one switch).
          // A pause longer than that hands the lock over, so the groups really alternate.
          await new Promise((r) => setTimeout(r, 30));
        }
        await trail.close();
        await control.close();`;
      // Migrate first: two processes migrating a fresh store at once is the control store's own race.
      await (await openControlStore({ dataDir: dir, databaseUrl: url })).close();
      const barrier = mkdtempSync(join(tmpdir(), 'parallax-audit-barrier-'));
      const run = () =>
        new Promise<number>((resolve, reject) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, barrier, url ?? ''], { stdio: ['ignore', 'inherit', 'inherit'] });
          p.on('error', reject);
          p.on('exit', (code) => resolve(code ?? -1));
        });
      try {
        expect(await Promise.all([run(), run()])).toEqual([0, 0]);
      } finally {
        rmSync(barrier, { recursive: true, force: true });
      }
      const control = await openControlStore({ dataDir: dir, databaseUrl: url });
      try {
        const trail = auditTrail(control, { dataDir: dir, checkpointOnClose: false });
        const r = await trail.verify();
        expect(r).toMatchObject({ intact: true, records: 2000, firstId: 1, head: { id: 2000 } });
        expect(r.checkpoints.lastCoveredId).toBe(2000);
        const writers = (await control.db.selectFrom('audit_events').select('principal').orderBy('id').execute()).map((x) => x.principal.split(':')[0]);
        const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
        console.log(`audit appends from two processes: ${switches} writer switches in 2000 records`);
        expect(switches).toBeGreaterThan(2);
        const n = await control.db.selectFrom('audit_events').select(sql<number>`count(distinct prev_hash)`.as('n')).executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(2000);
        expect(readFileSync(join(dir, 'audit-checkpoints.log'), 'utf8').trim().split('\n').length).toBe(r.checkpoints.rows);
      } finally {
        await control.close();
      }
    });
  });
}
