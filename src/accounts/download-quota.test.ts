// Download quotas on a real control store, SQLite and PostgreSQL: the administrators' overview (`list`)
// must count exactly what `charge` counts (the 30-day window, the reset by an unlock), in one query, and
// tell a quota lock from other locks. A settable clock moves the window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openControlStore, type ControlStore } from '../control/index.ts';
import { freshPgDatabase, pgSkipReason } from '../../test/pg-database.ts';
import { accessServices, QuotaExceededError, QUOTA_LOCK_REASON, type AccessServices } from './index.ts';

const engines: { name: string; url: () => Promise<string | undefined>; skip?: string | undefined }[] = [
  { name: 'sqlite', url: async () => undefined },
  { name: 'postgres', url: freshPgDatabase, skip: pgSkipReason },
];
const DAY = 86_400_000;
const PW = 'a long enough passphrase';

for (const engine of engines) {
  describe.skipIf(!!engine.skip)(`download quotas on ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`, () => {
    let dir: string;
    let control: ControlStore;
    let access: AccessServices;
    let clock = Date.parse('2026-03-01T09:00:00Z');

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'parallax-quota-'));
      control = await openControlStore({ dataDir: dir, databaseUrl: await engine.url() });
      access = accessServices(control, {
        now: () => new Date(clock),
        settings: { quotas: { investigator: { rows: 100, bytes: 10_000 }, 'customs-officer': { rows: 50, bytes: 5_000 } } as never },
      });
    });
    afterAll(async () => {
      await control?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const get = async (name: string) => (await access.accounts.get(name))!;
    const row = async (name: string) => (await access.quotas.list()).find((r) => r.name === name);

    it('lists every activated account with the usage charge counts, in one pass', async () => {
      await access.accounts.add({ name: 'ivy', displayName: 'Ivy Analyst', role: 'investigator', password: PW, by: 'test' });
      await access.accounts.add({ name: 'otto', role: 'customs-officer', password: PW, by: 'test' });
      await access.accounts.add({ name: 'idle', role: 'investigator', password: PW, by: 'test' });
      await access.accounts.request({ name: 'newbie', displayName: 'New', agency: 'x', supervisor: 'ivy', role: 'investigator', justification: 'case work', password: PW });

      await access.quotas.charge(await get('ivy'), { rows: 30, bytes: 1_000, route: '/api/lines' });
      await access.quotas.charge(await get('ivy'), { rows: 12, bytes: 500, route: '/api/export/lines' });
      await access.quotas.charge(await get('otto'), { rows: 7, bytes: 70, route: '/api/export/explore' });

      const list = await access.quotas.list();
      // A request that was never activated holds no downloads and is not an account to watch yet.
      expect(list.map((r) => r.name)).toEqual(['ivy', 'otto', 'idle']);
      const since = new Date(clock - 30 * DAY).toISOString();
      expect(list[0]).toEqual({
        id: (await get('ivy')).id, name: 'ivy', displayName: 'Ivy Analyst', role: 'investigator', status: 'active',
        rows: 42, bytes: 1_500, limitRows: 100, limitBytes: 10_000, since, lockedByQuota: false,
      });
      expect(list[1]).toMatchObject({ name: 'otto', rows: 7, bytes: 70, limitRows: 50, limitBytes: 5_000 });
      expect(list[2]).toMatchObject({ name: 'idle', rows: 0, bytes: 0, limitRows: 100 });
      // The overview and the per-user usage (what /api/me reports and charge checks) agree.
      for (const r of list) {
        const u = await access.quotas.usage(await get(r.name));
        expect({ rows: r.rows, bytes: r.bytes, limitRows: r.limitRows, limitBytes: r.limitBytes, since: r.since }).toEqual(u);
      }
    });

    it('marks a quota lock, and an unlock starts a fresh window that the overview follows', async () => {
      await expect(access.quotas.charge(await get('ivy'), { rows: 60, bytes: 10, route: '/api/export/lines' })).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await row('ivy')).toMatchObject({ status: 'locked', lockedByQuota: true, rows: 42, bytes: 1_500 });
      expect((await get('ivy')).lockReason).toBe(QUOTA_LOCK_REASON);

      // A lock for another reason is a lock, not a quota lock.
      await access.accounts.lock('otto', '5 failed sign-ins');
      expect(await row('otto')).toMatchObject({ status: 'locked', lockedByQuota: false, rows: 7 });

      clock += 60_000;
      const admin = await access.accounts.add({ name: 'ada', role: 'administrator', password: PW, by: 'test' });
      const by = { name: admin.name, permissions: access.decide(admin).permissions };
      await access.accounts.unlock((await get('ivy')).id, by, 'identity confirmed with the supervisor');
      const after = await row('ivy');
      expect(after).toMatchObject({ status: 'active', lockedByQuota: false, rows: 0, bytes: 0, since: new Date(clock).toISOString() });

      clock += 1_000;
      await access.quotas.charge(await get('ivy'), { rows: 5, bytes: 50, route: '/api/lines' });
      expect(await row('ivy')).toMatchObject({ rows: 5, bytes: 50 });
    });

    it('drops downloads older than 30 days from the window', async () => {
      expect(await row('otto')).toMatchObject({ rows: 7 });
      clock += 31 * DAY;
      expect(await row('otto')).toMatchObject({ rows: 0, bytes: 0, since: new Date(clock - 30 * DAY).toISOString() });
      // ivy's unlock is now older than the window start: the window start rules again.
      expect(await row('ivy')).toMatchObject({ rows: 0, since: new Date(clock - 30 * DAY).toISOString() });
    });
  });
}
