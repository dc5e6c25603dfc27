/**
 * Merge and split as background jobs: the queue on its own (one run at a time, requests during a run share
 * the next, failures recorded by class and audited), and over HTTP on a small real store — the answer comes
 * before the re-resolution (held back by holding the store's write connection), the job is polled to done,
 * two merges in quick succession are both applied, a failing run reports failed, and a job is shown only
 * to who started it or to an auditor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { buildApp } from '../server/app.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { resolutionJobs, type ResolutionJob } from './resolution-jobs.ts';
import { resolveParties, type ResolutionResult } from './resolve-parties.ts';

let t: TempRuntime;
const scope = localOperatorScope('test');
const ctx = { principal: 'ana', source: 'test' };

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    canonicalLine({ declaration_id: 'D1', importer_id: 'IMP1', importer_name: 'Alpha Trading LLC', exporter_id: 'EXP1', exporter_name: 'Hebei Iron Co Ltd' }),
    canonicalLine({ declaration_id: 'D2', importer_id: 'IMP2', importer_name: 'Bravo Metals Inc', exporter_id: 'EXP1', exporter_name: 'Hebei Iron Co Ltd' }),
    canonicalLine({ declaration_id: 'D3', importer_id: 'IMP3', importer_name: 'Charlie Goods GmbH', exporter_id: 'EXP2', exporter_name: 'Delta Export SA' }),
    canonicalLine({ declaration_id: 'D4', importer_id: 'IMP4', importer_name: 'Echo Supplies Ltd', exporter_id: 'EXP2', exporter_name: 'Delta Export SA' }),
  ];
  const file = t.file('decl.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`);
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, file, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await resolveParties(t.rt.store, scope, []);
}, 120_000);
afterAll(async () => t?.cleanup());

/** A run's stand-in result: the queue only passes it through. */
const result = (n: number): ResolutionResult => ({ resolution_id: `R${n}`, records: 0, parties: n, trade_members: 0, payment_members: 0, trade_edges: 0, payment_edges: 0, iterations: 0, overrides: 0, seconds: 0 });

describe('resolution job queue', () => {
  it('runs one at a time; requests during a run share the next run; a failure is recorded by class, logged without values and audited', async () => {
    const releases: (() => void)[] = [];
    let runs = 0;
    let failNext = false;
    const logged: unknown[] = [];
    const jobs = resolutionJobs({
      audit: t.rt.audit,
      log: (f) => logged.push(f),
      resolve: async () => {
        const n = ++runs;
        await new Promise<void>((r) => releases.push(r));
        if (failNext) throw new Error('Conversion Error: could not convert "ACME SECRET LLC"');
        return result(n);
      },
    });
    const a = jobs.enqueue(ctx, scope, 1);
    expect(a.status).toBe('queued');
    while (!releases.length) await sleep(5);
    expect(jobs.get(a.job_id)).toMatchObject({ status: 'running', started_at: expect.any(String), finished_at: null });
    const b = jobs.enqueue(ctx, scope, 2);
    const c = jobs.enqueue({ principal: 'bo', source: 'test' }, scope, 3);
    await sleep(20);
    expect([jobs.get(b.job_id)!.status, jobs.get(c.job_id)!.status]).toEqual(['queued', 'queued']);
    expect(runs).toBe(1);
    releases.shift()!();
    while (releases.length < 1) await sleep(5);
    expect(jobs.get(a.job_id)).toMatchObject({ status: 'done', resolution: { resolution_id: 'R1' }, seconds: expect.any(Number) });
    expect([jobs.get(b.job_id)!.status, jobs.get(c.job_id)!.status]).toEqual(['running', 'running']);
    failNext = true;
    releases.shift()!();
    await jobs.idle();
    expect(runs).toBe(2);
    const failed = jobs.get(b.job_id)!;
    expect(failed).toMatchObject({ status: 'failed', resolution: null, error: expect.stringMatching(/^the re-resolution failed \(Error\)/) });
    expect(jobs.get(c.job_id)!.status).toBe('failed');
    expect(JSON.stringify([failed, logged])).not.toContain('SECRET');
    expect(logged).toEqual([{ msg: 'party resolution job failed', job_ids: [b.job_id, c.job_id], error_class: 'Error' }]);
    const events = (await t.rt.audit.recent(50)).filter((e) => String(e.event).startsWith('parties-resolution-'));
    const of = (id: string) => events.filter((e) => e.objectIds.includes(id)).map((e) => `${e.event} ${e.outcome} ${e.principal}`).sort();
    expect(of(a.job_id)).toEqual(['parties-resolution-end allowed ana', 'parties-resolution-start allowed ana']);
    expect(of(c.job_id)).toEqual(['parties-resolution-end error bo', 'parties-resolution-start allowed bo']);
    expect(jobs.get('J000000000000')).toBeNull();
  });
});

describe('merge and split over HTTP as background jobs', () => {
  const membersOf = async (refs: string[]) =>
    (await scopedDb(t.rt.store, scope).db.selectFrom('party_members').select(['ref', 'party_id']).where('ref', 'in', refs).orderBy('ref').execute()).map((r) => String(r['party_id']));
  const partyOf = async (ref: string) => (await membersOf([ref]))[0]!;
  /** Holds the store's write connection (so no resolution can run) until the returned function is called. */
  const holdWrites = (then?: (c: Parameters<Parameters<typeof t.rt.store.withWriteConnection>[0]>[0]) => Promise<void>) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = t.rt.store.withWriteConnection(async (c) => {
      await gate;
      await then?.(c);
    });
    return async () => {
      release();
      await held;
    };
  };
  async function until(api: TestClient, id: string, statuses: string[]): Promise<ResolutionJob> {
    const t0 = Date.now();
    for (;;) {
      const r = await api.get(`/api/jobs/${id}`);
      expect(r.statusCode).toBe(200);
      const j = r.json() as ResolutionJob;
      if (statuses.includes(j.status)) return j;
      if (Date.now() - t0 > 60_000) throw new Error(`job still ${j.status}`);
      await sleep(20);
    }
  }

  it('answers 202 before the re-resolution; two merges in quick succession are both applied; the job shows only to its starter or an auditor', async () => {
    const app = buildApp(t.rt);
    const inv = await signIn(app, t.rt, 'investigator');
    const other = await signIn(app, t.rt, 'investigator', { name: 'other-investigator' });
    const auditor = await signIn(app, t.rt, 'auditor');
    const [p1, p2, p3] = [await partyOf('IMP1'), await partyOf('IMP2'), await partyOf('IMP3')];
    expect(new Set([p1, p2, p3]).size).toBe(3);

    const release = holdWrites();
    const m1 = await inv.post('/api/parties/merge', { a: p1, b: p2, note: 'same owner' });
    expect(m1.statusCode).toBe(202);
    const b1 = m1.json() as { override: { id: number }; job: ResolutionJob; resolution: null };
    expect(b1).toMatchObject({ override: { id: expect.any(Number) }, job: { status: 'queued', started_by: 'investigator-user', override_id: b1.override.id }, resolution: null });
    const j1 = await until(inv, b1.job.job_id, ['running']);
    expect(j1.finished_at).toBeNull();
    // Recorded, not yet applied.
    expect(new Set(await membersOf(['IMP1', 'IMP2'])).size).toBe(2);
    const m2 = await inv.post('/api/parties/merge', { a: p2, b: p3 });
    expect(m2.statusCode).toBe(202);
    const id2 = (m2.json() as { job: ResolutionJob }).job.job_id;
    expect((await inv.get(`/api/jobs/${id2}`)).json().status).toBe('queued');

    expect((await other.get(`/api/jobs/${id2}`)).statusCode).toBe(404);
    expect((await auditor.get(`/api/jobs/${id2}`)).json()).toMatchObject({ job_id: id2, status: 'queued' });
    expect((await inv.get('/api/jobs/nonsense')).json().message).toMatch(/^id:/);
    expect((await inv.get('/api/jobs/J000000000000')).statusCode).toBe(404);

    await release();
    const d1 = await until(inv, b1.job.job_id, ['done', 'failed']);
    const d2 = await until(inv, id2, ['done', 'failed']);
    expect([d1.status, d2.status]).toEqual(['done', 'done']);
    expect(d2.resolution!.overrides).toBe(2);
    expect(Date.parse(d2.started_at!)).toBeGreaterThanOrEqual(Date.parse(d1.finished_at!));
    expect(d1.seconds).toBeGreaterThanOrEqual(0);
    expect(new Set(await membersOf(['IMP1', 'IMP2', 'IMP3'])).size).toBe(1);
    const merged = await partyOf('IMP1');
    const show = (await inv.get(`/api/parties/${merged}`)).json() as { member_records: { ref: string }[] };
    expect(show.member_records.map((m) => m.ref)).toEqual(expect.arrayContaining(['IMP1', 'IMP2', 'IMP3']));

    // A split is a job too, and its party shows apart once done.
    const s = await inv.post(`/api/parties/${merged}/split`, { ref: 'IMP3' });
    expect(s.statusCode).toBe(202);
    expect((await until(inv, s.json().job.job_id, ['done', 'failed'])).status).toBe('done');
    expect(await partyOf('IMP3')).not.toBe(await partyOf('IMP1'));

    // A scope that cannot re-resolve payments records the override and says so: no job.
    const officer = await signIn(app, t.rt, 'customs-officer');
    const o = await officer.post('/api/parties/merge', { a: await partyOf('IMP3'), b: await partyOf('IMP4') });
    expect(o.statusCode).toBe(201);
    expect(o.json()).toMatchObject({ job: null, resolution: null });

    const events = await t.rt.control.db.selectFrom('audit_events').select(['event', 'principal', 'object_ids', 'outcome']).where('event', 'in', ['parties-merge', 'parties-resolution-start', 'parties-resolution-end']).orderBy('id').execute();
    const forJob = events.filter((e) => String(e['object_ids']).includes(b1.job.job_id)).map((e) => `${e['event']} ${e['outcome']} ${e['principal']}`);
    expect(forJob).toEqual(['parties-merge allowed investigator-user', 'parties-resolution-start allowed investigator-user', 'parties-resolution-end allowed investigator-user']);
    expect(JSON.stringify(events)).not.toContain('same owner');
    await app.close();
  }, 120_000);

  it('a failing re-resolution reports failed on the job, keeps the override, and the next run applies it', async () => {
    const app = buildApp(t.rt);
    const inv = await signIn(app, t.rt, 'investigator');
    const [a, b] = [await partyOf('IMP3'), await partyOf('IMP4')];
    // The run starts while writes are held; the held work then takes away a table resolution reads.
    const release = holdWrites(async (c) => {
      await c.run('ALTER TABLE party_members RENAME TO party_members_away');
    });
    const m = await inv.post('/api/parties/merge', { a, b });
    expect(m.statusCode).toBe(202);
    const id = (m.json() as { job: ResolutionJob }).job.job_id;
    await until(inv, id, ['running']);
    await release();
    const j = await until(inv, id, ['done', 'failed']);
    await t.rt.store.withWriteConnection((c) => c.run('ALTER TABLE party_members_away RENAME TO party_members'));
    expect(j).toMatchObject({ status: 'failed', resolution: null, finished_at: expect.any(String), error: expect.stringMatching(/re-resolution failed \(\w+\); the override is kept/) });
    expect(new Set(await membersOf(['IMP3', 'IMP4'])).size).toBe(2);
    const end = await t.rt.control.db.selectFrom('audit_events').select(['outcome', 'object_ids']).where('event', '=', 'parties-resolution-end').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(end['outcome']).toBe('error');
    expect(String(end['object_ids'])).toContain(id);
    // The kept override is applied by the next job.
    const again = await inv.post('/api/parties/merge', { a: await partyOf('EXP1'), b: await partyOf('EXP2') });
    expect((await until(inv, again.json().job.job_id, ['done', 'failed'])).status).toBe('done');
    expect(new Set(await membersOf(['IMP3', 'IMP4'])).size).toBe(1);
    await app.close();
  }, 120_000);
});
