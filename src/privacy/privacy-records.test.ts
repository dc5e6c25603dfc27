// Retention settings and legal holds on SQLite and PostgreSQL, the transparency report's arithmetic on a
// hand-made trail, and the data register against the policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openControlStore, type ControlStore } from '../control/index.ts';
import { freshPgDatabase, pgSkipReason } from '../../test/pg-database.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { ingestFile } from '../ingest/index.ts';
import { generateDataset } from '../generate/index.ts';
import { loadList } from '../watchlists/index.ts';
import { retentionStore } from './retention-store.ts';
import { transparencyReport, headingOf, periodOf } from './transparency-report.ts';
import { buildDataRegister, registerCsv } from './data-register.ts';

const engines = [
  { name: 'sqlite', skip: undefined as string | undefined, url: async () => undefined as string | undefined },
  { name: 'postgres', skip: pgSkipReason, url: async () => freshPgDatabase() },
];

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`retention settings and holds on ${engine.name}`, () => {
    let dir: string;
    let control: ControlStore;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'parallax-retention-'));
      control = await openControlStore({ dataDir: dir, databaseUrl: await engine.url() });
    });
    afterAll(async () => {
      await control?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('defaults, settings and refusals that name what to fix', async () => {
      const r = retentionStore(control, () => new Date('2026-05-01T00:00:00Z'));
      expect(await r.policies()).toEqual([
        { category: 'trade', years: 10, basis: 'loaded', setBy: null, setAt: null, reason: null },
        { category: 'financial', years: 10, basis: 'loaded', setBy: null, setAt: null, reason: null },
        { category: 'enforcement', years: 10, basis: 'loaded', setBy: null, setAt: null, reason: null },
      ]);
      await r.setPolicy({ category: 'financial', years: 5, basis: 'record-date', by: 'sec', reason: 'AML record keeping' });
      await r.setPolicy({ category: 'financial', years: 7, basis: 'record-date', by: 'sec2', reason: 'new rule' });
      expect((await r.policies())[1]).toEqual({ category: 'financial', years: 7, basis: 'record-date', setBy: 'sec2', setAt: '2026-05-01T00:00:00.000Z', reason: 'new rule' });
      await expect(r.setPolicy({ category: 'watchlist', years: 5, basis: 'loaded', by: 's', reason: 'xyz' })).rejects.toThrow(/has no retention period; use one of trade, financial, enforcement/);
      await expect(r.setPolicy({ category: 'trade', years: 0, basis: 'loaded', by: 's', reason: 'xyz' })).rejects.toThrow(/whole number from 1 to 100/);
      await expect(r.setPolicy({ category: 'trade', years: 2.5, basis: 'loaded', by: 's', reason: 'xyz' })).rejects.toThrow(/whole number/);
      await expect(r.setPolicy({ category: 'trade', years: 5, basis: 'forever' as never, by: 's', reason: 'xyz' })).rejects.toThrow(/basis must be one of loaded, record-date/);
      await expect(r.setPolicy({ category: 'trade', years: 5, basis: 'loaded', by: 's', reason: ' ' })).rejects.toThrow(/a reason is required/);
      expect((await r.policies())[0]!.setBy).toBeNull();
    });

    it('holds are placed, released once with who and why, and never deleted', async () => {
      const r = retentionStore(control);
      const a = await r.placeHold({ kind: 'batch', target: 'B000004', reason: 'case 12', by: 'sec' });
      const b = await r.placeHold({ kind: 'category', target: 'financial', reason: 'court order 9', by: 'sec' });
      await expect(r.placeHold({ kind: 'person', target: 'x', reason: 'case', by: 'sec' })).rejects.toThrow(/one of category, provider, batch/);
      await expect(r.placeHold({ kind: 'category', target: 'finance', reason: 'case', by: 'sec' })).rejects.toThrow(/is not one of/);
      await expect(r.placeHold({ kind: 'provider', target: "US'; drop", reason: 'case', by: 'sec' })).rejects.toThrow(/letters, digits/);
      await expect(r.placeHold({ kind: 'provider', target: 'US', reason: '', by: 'sec' })).rejects.toThrow(/reason/);
      const released = await r.releaseHold(a.id, { by: 'sec2', reason: 'case closed' });
      expect(released).toMatchObject({ id: a.id, releasedBy: 'sec2', releaseReason: 'case closed' });
      await expect(r.releaseHold(a.id, { by: 'sec', reason: 'again' })).rejects.toMatchObject({ kind: 'conflict' });
      await expect(r.releaseHold(9999, { by: 'sec', reason: 'what' })).rejects.toMatchObject({ kind: 'not-found' });
      expect((await r.holds({ active: true })).map((h) => h.id)).toEqual([b.id]);
      expect((await r.holds()).map((h) => h.id)).toEqual([a.id, b.id]);
      // A concurrent double release: exactly one wins.
      const c = await r.placeHold({ kind: 'provider', target: 'MX', reason: 'treaty', by: 'sec' });
      const both = await Promise.allSettled([r.releaseHold(c.id, { by: 'x', reason: 'one' }), r.releaseHold(c.id, { by: 'y', reason: 'two' })]);
      expect(both.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    });

    it('transparency report: counts per month and quarter from a hand-made trail, without identities', async () => {
      const ev = (at: string, event: string, outcome: 'allowed' | 'denied' | 'error', principal: string) => ({
        at, event, principal, role: null, source: 'x', object_ids: 'secret-object', row_count: 1, outcome, detail: 'secret-detail', client: null, purpose: 'case secret', prev_hash: null, hash: null,
      });
      await control.db
        .insertInto('audit_events')
        .values([
          ev('2026-01-05T10:00:00.000Z', 'sign-in', 'allowed', 'user-ana'),
          ev('2026-01-05T10:00:01.000Z', 'sign-in', 'denied', 'user-ana'),
          ev('2026-01-06T10:00:00.000Z', 'query', 'allowed', 'user-ana'),
          ev('2026-01-06T10:00:01.000Z', 'view-lines', 'allowed', 'user-bob'),
          ev('2026-01-07T10:00:00.000Z', 'export', 'allowed', 'user-bob'),
          ev('2026-01-07T10:00:01.000Z', 'view-lines', 'denied', 'user-bob'),
          ev('2026-02-01T00:00:00.000Z', 'screen-name', 'allowed', 'user-ana'),
          ev('2026-02-02T00:00:00.000Z', 'lock', 'allowed', 'user-bob'),
          ev('2026-02-03T00:00:00.000Z', 'account-approve', 'allowed', 'user-cy'),
          ev('2026-02-04T00:00:00.000Z', 'query', 'error', 'user-cy'),
          ev('2026-04-01T00:00:00.000Z', 'unlock', 'allowed', 'user-cy'),
          ev('2026-04-02T00:00:00.000Z', 'denied', 'denied', 'user-bob'),
        ])
        .execute();
      await control.db
        .insertInto('disclosures')
        .values({ at: '2026-01-07T10:00:00.000Z', principal: 'bob', nature: 'export lines csv', purpose: null, recipient: 'agency', agreement: null, row_count: 40, bytes: 10, audit_event_id: null, retain_until: '2031-01-07T10:00:00.000Z' })
        .execute();
      await control.db
        .insertInto('party_decisions')
        .values([
          { subject_kind: 'hit', subject_id: 'H1', party_id: 'P1', list_id: 'L', entry_id: 'E', entry_fingerprint: 'f', decision: 'confirmed', note: null, decided_by: 'ana', decided_at: '2026-02-05T00:00:00.000Z', supersedes: null },
          { subject_kind: 'hit', subject_id: 'H2', party_id: 'P2', list_id: 'L', entry_id: 'E2', entry_fingerprint: 'f', decision: 'false_positive', note: null, decided_by: 'ana', decided_at: '2026-02-05T00:00:00.000Z', supersedes: null },
        ] as never)
        .execute();
      await control.db.insertInto('purges').values({ at: '2026-04-03T00:00:00.000Z', principal: 'sec', as_of: '2026-04-03', summary: '{}', rows_removed: 1234 }).execute();

      const months = await transparencyReport(control, { grain: 'month', from: '2026-01', to: '2026-04', now: new Date('2026-04-20T00:00:00Z') });
      expect(months.periods.map((p) => [p.period, p.complete])).toEqual([['2026-01', true], ['2026-02', true], ['2026-04', false]]);
      expect(months.periods[0]).toMatchObject({ events: 6, activeUsers: 2, signIns: 1, failedSignIns: 1, queries: 2, exports: 1, denials: 1, disclosures: 1, disclosedRows: 40 });
      expect(months.periods[1]).toMatchObject({ events: 4, screenings: 1, locks: 1, accountChanges: 1, errors: 1, queries: 1, confirmedMatches: 1 });
      expect(months.periods[2]).toMatchObject({ events: 2, unlocks: 1, denials: 1, purges: 1, purgedRows: 1234 });
      // Every event is filed under one heading: the headings add up to the events.
      for (const p of months.periods) expect(p.signIns + p.failedSignIns + p.queries + p.exports + p.screenings + p.decisions + p.analyses + p.loads + p.accountChanges + p.denials + p.locks + p.unlocks + p.other).toBe(p.events);
      expect(months.totals.events).toBe(12);
      const quarters = await transparencyReport(control, { grain: 'quarter', from: '2026-01', to: '2026-04', now: new Date('2026-04-20T00:00:00Z') });
      expect(quarters.periods.map((p) => [p.period, p.events, p.complete])).toEqual([['2026-Q1', 10, true], ['2026-Q2', 2, false]]);
      const json = JSON.stringify([months, quarters]);
      for (const secret of ['user-',  'secret-object', 'secret-detail', 'case secret', 'agency']) expect(json).not.toContain(secret);
      expect((await transparencyReport(control, { from: '2026-03', to: '2026-03' })).periods).toEqual([]);
    });
  });
}

describe('transparency headings', () => {
  it('files event families and periods', () => {
    expect([headingOf('view-anything'), headingOf('account-renew'), headingOf('screen-compare-pairs'), headingOf('sign-out'), headingOf('decide')]).toEqual(['queries', 'accountChanges', 'screenings', 'other', 'decisions']);
    expect([periodOf('2026-03', 'quarter'), periodOf('2026-04', 'quarter'), periodOf('2026-12', 'year'), periodOf('2026-12', 'month')]).toEqual(['2026-Q1', '2026-Q2', '2026', '2026-12']);
  });
});

describe('data register', () => {
  let t: TempRuntime;
  beforeAll(async () => {
    t = await tempRuntime();
    const gen = await generateDataset({ rows: 2000, seed: 5, outDir: join(t.dir, 'gen') });
    const deps = { store: t.rt.store, registry: t.rt.registry };
    await ingestFile(deps, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
    await ingestFile(deps, gen.files.payments, { profile: 'canonical-payments', category: 'financial', provider: 'US', loadedBy: 'test' });
    await ingestFile(deps, t.file('mx.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'MX1', reporter: 'MX', importer_name: 'Mexican Importer SA' })}\n`), { profile: 'canonical', category: 'trade', provider: 'MX', loadedBy: 'test' });
    await loadList({ store: t.rt.store }, [gen.files.watchlist], { format: 'csv' });
    await t.rt.auditTrail.disclosures.record({ principal: 'ana', nature: 'export lines csv', recipient: 'Partner Agency', rowCount: 7 });
    await t.rt.retention.placeHold({ kind: 'provider', target: 'MX', reason: 'treaty request', by: 'sec' });
  }, 120_000);
  afterAll(async () => t?.cleanup());

  it('lists every source with who may see it, as the policies decide', async () => {
    const r = await buildDataRegister({ control: t.rt.control, store: t.rt.store, policies: t.rt.access.policies, retention: t.rt.retention });
    expect(r.entries.map((e) => [e.direction, e.category, e.provider, e.records])).toEqual([
      ['inbound', 'financial', 'US', expect.any(Number)],
      ['inbound', 'trade', 'MX', 1],
      ['inbound', 'trade', 'US', 2000],
      ['inbound', 'watchlist', expect.any(String), expect.any(Number)],
      ['outbound', 'disclosure', '', 7],
    ]);
    const [fin, mx, us, list] = r.entries;
    expect(fin!.access).toEqual({ investigator: 'row', executive: 'aggregate' });
    expect(us!.access).toEqual({ investigator: 'row', 'customs-officer': 'row', executive: 'aggregate', 'partner-analyst (US)': 'row' });
    expect(mx!.access['partner-analyst (MX)']).toBe('row');
    expect(mx!.retention).toBe('10 years from loading; 1 legal hold active');
    expect(list!.access).toEqual({ investigator: 'row', 'customs-officer': 'row' });
    expect(us!.informationProvided).toContain('importer_name');
    expect(us!.reference).toBe('batch B000001');
    // Metadata only: no party name, no list entry name.
    const names = await t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(`SELECT DISTINCT importer_name FROM trade_lines WHERE importer_name IS NOT NULL LIMIT 50`)).getRows().map((x) => String(x[0])));
    const entries = await t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(`SELECT name FROM watchlist_entries LIMIT 50`)).getRows().map((x) => String(x[0])));
    const json = JSON.stringify(r);
    for (const n of [...names, ...entries]) expect(json).not.toContain(n);
    const csv = registerCsv(r).toString('utf8').split('\r\n');
    expect(csv[0]).toBe('source,destination,full_name,classification,sharing_type,owner,information_provided,reference,category,provider,direction,who_can_see,retention,records');
    expect(csv).toHaveLength(r.entries.length + 2);
  });
});
