// Parties end to end on generated data (20,000 rows, seed 11): resolution, batch screening finds every
// planted watch-list party, re-screening after a list change, false-positive suppression, the
// watchlist-hit detector, the graph and path through the scope layer, the HTTP routes with bad input (signed
// in as the roles that use them), merge and split over HTTP, and who may read a hit's party name.
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, type GenerateResult } from '../generate/index.ts';
import { sqlString } from '../generate/sql-literal.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { loadList } from '../watchlists/index.ts';
import { screenAll } from '../screening/index.ts';
import { decisionStore, hitDecisions, recordDecision } from '../decisions/index.ts';
import { parseParams } from '../detect/detector.ts';
import { watchlistHit } from '../detect/watchlist-hit.ts';
import { buildApp } from '../server/app.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn } from '../../test/signed-in.ts';
import { partyGraph, partyOverrides, partyPath, resolveParties, searchParties, showParty } from './index.ts';

let t: TempRuntime;
let gen: GenerateResult;
let planted: { party_id: string; detail: string }[];
const scope = localOperatorScope('test');
const customs: Scope = { principal: 'officer', grants: (['trade', 'watchlist'] as const).map((category) => ({ category, providers: '*' as const, level: 'row' as const })) };
const executive: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };

async function hitsByEntry() {
  const rows = (await scopedDb(t.rt.store, scope).db.selectFrom('watchlist_hits').selectAll().orderBy('entry_id').execute()) as Record<string, any>[];
  return rows;
}

beforeAll(async () => {
  t = await tempRuntime();
  gen = await generateDataset({ rows: 20_000, seed: 11, outDir: join(t.dir, 'gen') });
  const deps = { store: t.rt.store, registry: t.rt.registry };
  await ingestFile(deps, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await ingestFile(deps, gen.files.payments, { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  await loadList({ store: t.rt.store }, [gen.files.watchlist], { format: 'csv' });
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT party_id, detail FROM read_csv(${sqlString(gen.files.labels)}, header = true, all_varchar = true) WHERE anomaly = 'watchlist-hit'`);
  planted = r.getRowObjectsJson() as typeof planted;
  c.closeSync();
  inst.closeSync();
}, 300_000);
afterAll(async () => t?.cleanup());

describe('parties on generated data', () => {
  it('resolves trade and payment records into parties, stably', async () => {
    const a = await resolveParties(t.rt.store, scope, []);
    expect(a.parties).toBeGreaterThan(100);
    expect(a.payment_members).toBeGreaterThan(0);
    expect(a.trade_edges).toBeGreaterThan(0);
    const before = await scopedDb(t.rt.store, scope).db.selectFrom('party_members').select(['ref', 'party_id']).orderBy('ref').execute();
    const b = await resolveParties(t.rt.store, scope, []);
    expect(b.parties).toBe(a.parties);
    const after = await scopedDb(t.rt.store, scope).db.selectFrom('party_members').select(['ref', 'party_id']).orderBy('ref').execute();
    expect(after).toEqual(before);
    // A trade id that also pays is one party with two members, linked by the same id.
    const both = (await scopedDb(t.rt.store, scope).db.selectFrom('party_payment_members').select(['party_id', 'link']).where('link', '=', 'same id').limit(1).execute())[0]!;
    const p = await showParty(scopedDb(t.rt.store, scope), String(both['party_id']));
    expect(p!.member_records.map((m) => m['source']).sort()).toEqual(['payment', 'trade']);
    expect(p!.totals.payments).not.toBeNull();
  });

  it('screen --all finds every planted watch-list party, and only those', async () => {
    expect(planted.length).toBeGreaterThan(0);
    const r = await screenAll(t.rt.store, scope, hitDecisions(decisionStore(t.rt.control)));
    expect(r.lists).toHaveLength(1);
    expect(r.lists[0]).toMatchObject({ mode: 'full', list: 'internal-demo', list_version: 'LV000001' });
    const hits = await hitsByEntry();
    const refs = await scopedDb(t.rt.store, scope).db.selectFrom('party_members').select(['ref', 'party_id']).execute();
    const partyOf = new Map(refs.map((x) => [String(x['ref']), String(x['party_id'])]));
    for (const l of planted) {
      const entry = /entry (WL-\d+)/.exec(l.detail)![1];
      expect(hits.some((h) => h['party_id'] === partyOf.get(l.party_id) && h['entry_id'] === entry && h['status'] === 'open')).toBe(true);
    }
    expect(new Set(hits.map((h) => h['party_id'])).size).toBe(planted.length);
    const e = JSON.parse(hits[0]!['explanation']);
    expect(e).toHaveProperty('token_pairs');
    // Nothing changed: a second run is incremental and scores nothing.
    const again = await screenAll(t.rt.store, scope, hitDecisions(decisionStore(t.rt.control)));
    expect(again.lists[0]).toMatchObject({ mode: 'incremental', candidates: 0, hits_new: 0, hits_retired: 0, hits_open: planted.length });
    // Hits scored by another algorithm version (an upgrade), or at another threshold, are screened again in full.
    await t.rt.store.withWriteConnection((c) => c.run(`UPDATE screening_runs SET algorithm_version = 'match-0'`));
    const upgraded = await screenAll(t.rt.store, scope, hitDecisions(decisionStore(t.rt.control)));
    expect(upgraded.lists[0]).toMatchObject({ mode: 'full', hits_retired: 0, hits_open: planted.length });
    const stricter = await screenAll(t.rt.store, scope, hitDecisions(decisionStore(t.rt.control)), { threshold: 0.9 });
    expect(stricter.lists[0]!.mode).toBe('full');
    await screenAll(t.rt.store, scope, hitDecisions(decisionStore(t.rt.control)));
  });

  it('a false positive is suppressed until its entry changes; a new version re-screens only what was added or changed and retires removed entries', async () => {
    const hits = await hitsByEntry();
    const fp = hits[0]!;
    const removed = hits.find((h) => h['entry_id'] !== fp['entry_id'])!;
    const copied = hits.find((h) => h['entry_id'] !== fp['entry_id'] && h['entry_id'] !== removed['entry_id'])!;
    const ds = decisionStore(t.rt.control);
    const d = await recordDecision({ store: t.rt.store, decisions: ds }, scopedDb(t.rt.store, scope), { hit: fp['hit_id'], decision: 'false_positive', note: 'different company' }, 'analyst');
    expect(d.supersedes).toBeNull();
    expect((await hitsByEntry()).find((h) => h['hit_id'] === fp['hit_id'])!['status']).toBe('suppressed');
    const rerun = await screenAll(t.rt.store, scope, hitDecisions(ds), { full: true });
    expect(rerun.lists[0]).toMatchObject({ mode: 'full', hits_suppressed: 1 });

    // Version 2: the suppressed hit's entry gains an alias (changed), another hit's entry is removed, and a
    // copy of a third hit's entry is added under a new id.
    const lines = readFileSync(gen.files.watchlist, 'utf8').trimEnd().split('\n');
    const added = lines.find((l) => l.includes(`,${copied['entry_id']},`))!.replace(`,${copied['entry_id']},`, ',WL-9001,');
    const v2 = [...lines, added]
      .filter((l) => !l.includes(`,${removed['entry_id']},`))
      .map((l) => (l.includes(`,${fp['entry_id']},`) ? l.replace(/,(company|vessel),("[^"]*"|[^,]*),([^,]*),/, (_m, ty, nm, al) => `,${ty},${nm},${al ? `${al};` : ''}Brand New Alias,`) : l));
    const f2 = t.file('watchlist-v2.csv', `${v2.join('\n')}\n`);
    const lv2 = await loadList({ store: t.rt.store }, [f2], { format: 'csv' });
    const inc = await screenAll(t.rt.store, scope, hitDecisions(ds));
    expect(inc.lists[0]).toMatchObject({ mode: 'incremental', list_version: lv2.version_id, previous_version: 'LV000001', entries_screened: 2, entries_removed: 1 });
    expect(inc.lists[0]!.hits_retired).toBe(hits.filter((h) => h['entry_id'] === removed['entry_id']).length);
    expect(inc.lists[0]!.hits_new).toBeGreaterThanOrEqual(1);
    const now = await hitsByEntry();
    expect(now.find((h) => h['hit_id'] === removed['hit_id'])).toMatchObject({ status: 'retired', retired_version: lv2.version_id });
    // The entry changed, so the false positive no longer holds: the hit is open again, re-scored in v2.
    expect(now.find((h) => h['hit_id'] === fp['hit_id'])).toMatchObject({ status: 'open', list_version: lv2.version_id });
    expect(now.find((h) => h['entry_id'] === 'WL-9001')).toMatchObject({ party_id: copied['party_id'], status: 'open', list_version: lv2.version_id });
    const unchanged = now.find((h) => ![fp['entry_id'], 'WL-9001'].includes(h['entry_id']) && h['status'] === 'open')!;
    expect(unchanged).toMatchObject({ list_version: 'LV000001', checked_version: lv2.version_id });
  });

  it('watchlist-hit turns open hits into line anomalies with an explanation', async () => {
    const rows = (await watchlistHit.build(scopedDb(t.rt.store, scope), parseParams(watchlistHit, {})).execute()) as Record<string, any>[];
    expect(rows.length).toBeGreaterThan(0);
    const ev = JSON.parse(rows[0]!['evidence']);
    expect(ev).toMatchObject({ list: 'internal-demo' });
    expect(ev.explanation).toHaveProperty('name_similarity');
    expect(rows[0]!['reason']).toMatch(/^(Importer|Exporter) .+ \(party P[0-9A-F]{12}\) matches internal-demo entry WL-\d+/);
    expect(new Set(rows.map((r) => r['row_id'])).size).toBe(rows.length);
    // Without a watchlist grant the detector reads nothing.
    const tradeOnly: Scope = { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    expect(await watchlistHit.build(scopedDb(t.rt.store, tradeOnly), parseParams(watchlistHit, {})).execute()).toEqual([]);
  });

  it('graph: capped hubs, payment edges only in scope; path by SQL frontier; aggregate scopes refused', async () => {
    const db = scopedDb(t.rt.store, scope);
    const hub = (await db.db.selectFrom('party_edges').select(['dst', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('dst').orderBy('n', 'desc').limit(1).execute())[0]!;
    const id = String(hub['dst']);
    const g = (await partyGraph(db, id, { depth: 2, cap: 3 }))!;
    expect(g.truncated).toBe(true);
    expect(g.nodes.some((n) => n.kind === 'more' && /^\+\d+ more$/.test(n.name!))).toBe(true);
    expect(g.edges.filter((e) => e.source === id && !e.kinds.includes('more')).length).toBeLessThanOrEqual(3);
    const withPay = (await partyGraph(db, id, { depth: 1, cap: 200 }))!;
    expect(withPay.edges.some((e) => e.kinds.includes('payment'))).toBe(true);
    const officer = (await partyGraph(scopedDb(t.rt.store, customs), id, { depth: 1, cap: 200 }))!;
    expect(officer.edges.length).toBeGreaterThan(0);
    expect(officer.edges.some((e) => e.kinds.includes('payment'))).toBe(false);
    await expect(partyGraph(scopedDb(t.rt.store, executive), id)).rejects.toBeInstanceOf(ScopeDeniedError);

    const far = g.nodes.find((n) => n.depth === 2 && n.kind === 'party')!;
    const p = (await partyPath(db, id, far.id, 4))!;
    expect(p).toMatchObject({ found: true, hops: 2 });
    expect(p.parties[0]!.party_id).toBe(id);
    expect(p.parties.at(-1)!.party_id).toBe(far.id);
    expect(p.steps).toHaveLength(2);
    expect((await partyPath(db, id, far.id, 1))!.found).toBe(false);
    expect((await searchParties(db, p.parties[1]!.name!.slice(0, 8))).length).toBeGreaterThan(0);
  });

  it('merge and split overrides are kept and re-applied', async () => {
    const db = scopedDb(t.rt.store, scope);
    const two = await db.db.selectFrom('party_members').select(['party_id', 'ref']).where('has_id', '=', true).orderBy('ref').limit(2).execute();
    const ov = partyOverrides(t.rt.control);
    await ov.add({ kind: 'merge', a: { source: 'trade', provider: 'US', ref: String(two[0]!['ref']) }, b: { source: 'trade', provider: 'US', ref: String(two[1]!['ref']) }, decidedBy: 'analyst' });
    await resolveParties(t.rt.store, scope, await ov.list());
    const merged = await db.db.selectFrom('party_members').select(['ref', 'party_id', 'link']).where('ref', 'in', [String(two[0]!['ref']), String(two[1]!['ref'])]).execute();
    expect(new Set(merged.map((m) => m['party_id'])).size).toBe(1);
    expect(merged.every((m) => m['link'] === 'analyst merge')).toBe(true);
    await ov.add({ kind: 'split', a: { source: 'trade', provider: 'US', ref: String(two[1]!['ref']) }, decidedBy: 'analyst' });
    await resolveParties(t.rt.store, scope, await ov.list());
    const apart = await db.db.selectFrom('party_members').select(['ref', 'party_id']).where('ref', 'in', [String(two[0]!['ref']), String(two[1]!['ref'])]).execute();
    expect(new Set(apart.map((m) => m['party_id'])).size).toBe(2);
  });
});

describe('party and decision routes', () => {
  it('answer search, show, graph, path and decisions; 404 for unknown ids, 400 naming the parameter', async () => {
    const app = buildApp(t.rt);
    const c = await signIn(app, t.rt, 'investigator');
    const all = await hitsByEntry();
    const decided = new Set((await decisionStore(t.rt.control).history('hit', all.map((h) => String(h['hit_id'])))).map((d) => d.subject_id));
    const hit = all.find((h) => h['status'] === 'open' && !decided.has(String(h['hit_id'])))!;
    const s = await c.get(`/api/parties?q=${encodeURIComponent(String(hit['party_name']).slice(0, 10))}`);
    expect(s.statusCode).toBe(200);
    expect(s.json().some((p: any) => p.party_id === hit['party_id'])).toBe(true);
    const show = await c.get(`/api/parties/${hit['party_id']}`);
    expect(show.statusCode).toBe(200);
    expect(show.json().watchlist_hits.some((h: any) => h.hit_id === hit['hit_id'])).toBe(true);
    expect((await c.get(`/api/parties/${hit['party_id']}/graph?depth=1&cap=25`)).statusCode).toBe(200);
    expect((await c.get('/api/parties/P000000000000')).statusCode).toBe(404);
    const bad = await c.get('/api/parties/nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^id:/);
    const badDepth = await c.get(`/api/parties/${hit['party_id']}/graph?depth=9`);
    expect(badDepth.statusCode).toBe(400);
    expect(badDepth.json().message).toMatch(/^depth:/);
    const badPath = await c.get(`/api/path?from=${hit['party_id']}&to=x`);
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json().message).toMatch(/^to:/);
    expect((await c.get(`/api/path?from=${hit['party_id']}&to=P000000000000`)).statusCode).toBe(404);
    expect((await c.get(`/api/parties/path?from=${hit['party_id']}&to=${hit['party_id']}`)).json()).toMatchObject({ found: true, hops: 0 });

    const d1 = await c.post('/api/decisions', { hit: hit['hit_id'], decision: 'escalate', note: 'check the owner' });
    expect(d1.statusCode).toBe(201);
    const d2 = await c.post('/api/decisions', { hit: hit['hit_id'], decision: 'confirmed' });
    expect(d2.json().supersedes).toBe(d1.json().id);
    const list = await c.get(`/api/decisions?hit=${hit['hit_id']}`);
    expect(list.json().map((d: any) => d.decision)).toEqual(['escalate', 'confirmed']);
    const badDecision = await c.post('/api/decisions', { hit: hit['hit_id'], decision: 'maybe' });
    expect(badDecision.statusCode).toBe(400);
    expect(badDecision.json().message).toMatch(/^decision:/);
    expect((await c.post('/api/decisions', { hit: 'H0000000000000000', decision: 'confirmed' })).statusCode).toBe(404);
    expect((await c.get('/api/decisions')).statusCode).toBe(400);
    await app.close();
  });

  it('customs officers get no payment edges, executives are refused; merge and split over HTTP are kept and audited', async () => {
    const app = buildApp(t.rt);
    const inv = await signIn(app, t.rt, 'investigator');
    const officer = await signIn(app, t.rt, 'customs-officer');
    const exec = await signIn(app, t.rt, 'executive');
    const db = scopedDb(t.rt.store, scope);
    const payer = (await db.db.selectFrom('party_payment_edges').select('src').orderBy('value_usd', 'desc').limit(1).execute())[0]!;
    const id = String(payer['src']);
    const full = (await inv.get(`/api/parties/${id}/graph?depth=1&cap=200`)).json();
    expect(full.edges.some((e: any) => e.kinds.includes('payment'))).toBe(true);
    const og = await officer.get(`/api/parties/${id}/graph?depth=1&cap=200`);
    // A payer with trade members is visible to the officer, but never its payment edges.
    if (og.statusCode === 200) expect(og.json().edges.some((e: any) => e.kinds.includes('payment'))).toBe(false);
    else expect(og.statusCode).toBe(404);
    const show = (await officer.get(`/api/parties/${(await hitsByEntry()).find((h) => h['status'] === 'open')!['party_id']}`)).json();
    expect(show.totals.payments).toBeNull();
    expect(show.member_records.every((m: any) => m.source === 'trade')).toBe(true);
    for (const url of [`/api/parties/${id}/graph`, `/api/parties/${id}`, `/api/parties?q=acme`, `/api/parties/path?from=${id}&to=${id}`]) {
      expect((await exec.get(url)).statusCode, url).toBe(403);
    }
    expect((await exec.post('/api/parties/merge', { a: id, b: id })).statusCode).toBe(403);

    const two = await db.db.selectFrom('party_members').select(['party_id', 'ref']).where('link', '=', 'single record').orderBy('ref').limit(2).execute();
    const [a, b] = [String(two[0]!['party_id']), String(two[1]!['party_id'])];
    expect((await inv.post('/api/parties/merge', { a, b: 'nonsense' })).json().message).toMatch(/^b:/);
    expect((await inv.post('/api/parties/merge', { a, b: 'P000000000000' })).statusCode).toBe(404);
    expect((await inv.post('/api/parties/merge', { a, b: a })).statusCode).toBe(400);
    const m = await inv.post('/api/parties/merge', { a, b, note: 'same owner' });
    // Recorded at once; the re-resolution is a background job, polled until it is done.
    expect(m.statusCode).toBe(202);
    for (let job = m.json().job; job.status !== 'done'; job = (await inv.get(`/api/jobs/${job.job_id}`)).json()) {
      expect(job.status).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await db.db.selectFrom('party_members').select(['ref', 'party_id']).where('ref', 'in', [String(two[0]!['ref']), String(two[1]!['ref'])]).execute();
    expect(new Set(after.map((x) => x['party_id'])).size).toBe(1);
    // The merge survives a plain re-resolution with the kept overrides.
    await resolveParties(t.rt.store, scope, await partyOverrides(t.rt.control).list());
    const kept = await db.db.selectFrom('party_members').select(['ref', 'party_id']).where('ref', 'in', [String(two[0]!['ref']), String(two[1]!['ref'])]).execute();
    expect(new Set(kept.map((x) => x['party_id'])).size).toBe(1);
    const merged = String(kept[0]!['party_id']);
    expect((await inv.post(`/api/parties/${merged}/split`, {})).json().message).toMatch(/^ref:/);
    expect((await inv.post(`/api/parties/${merged}/split`, { ref: 'no such ref' })).statusCode).toBe(400);
    expect((await inv.post('/api/parties/X/split', { ref: 'r' })).json().message).toMatch(/^id:/);
    // A customs officer's scope cannot re-resolve payments: the split is recorded and applied later.
    const sp = await officer.post(`/api/parties/${merged}/split`, { ref: String(two[1]!['ref']) });
    expect(sp.statusCode).toBe(201);
    expect(sp.json().resolution).toBeNull();
    await resolveParties(t.rt.store, scope, await partyOverrides(t.rt.control).list());
    const apart = await db.db.selectFrom('party_members').select(['ref', 'party_id']).where('ref', 'in', [String(two[0]!['ref']), String(two[1]!['ref'])]).execute();
    expect(new Set(apart.map((x) => x['party_id'])).size).toBe(2);
    const events = await t.rt.control.db.selectFrom('audit_events').select(['event', 'principal', 'detail']).where('event', 'in', ['parties-merge', 'parties-split']).execute();
    expect(events.map((e) => `${e['event']} ${e['principal']}`)).toEqual(expect.arrayContaining(['parties-merge investigator-user', 'parties-split customsofficer-user']));
    expect(JSON.stringify(events)).not.toContain('same owner');
    await app.close();
  });
});

describe('watch-list hits disclose party names only to who may read them', () => {
  it('hits are readable under the trade (or financial) grant of the screened name, not the watchlist grant alone', async () => {
    const all = await hitsByEntry();
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((h) => ['trade', 'financial'].includes(h['category']) && h['provider'] === 'US' && h['list_id'] === 'internal-demo')).toBe(true);
    const watchOnly: Scope = { principal: 'w', grants: [{ category: 'watchlist', providers: '*', level: 'row' }] };
    expect(await scopedDb(t.rt.store, watchOnly).db.selectFrom('watchlist_hits').select(['party_name']).execute()).toEqual([]);
    const otherProvider: Scope = { principal: 'mx', grants: [{ category: 'watchlist', providers: '*', level: 'row' }, { category: 'trade', providers: ['MX'], level: 'row' }] };
    expect(await scopedDb(t.rt.store, otherProvider).db.selectFrom('watchlist_hits').select(['party_name']).execute()).toEqual([]);
    const officer = await scopedDb(t.rt.store, customs).db.selectFrom('watchlist_hits').select(['hit_id', 'category']).execute();
    expect(officer.length).toBe(all.filter((h) => h['category'] === 'trade').length);
    expect(officer.every((h) => h['category'] === 'trade')).toBe(true);
    // Without the watchlist grant the table is refused outright; the subjects table keeps no names.
    const tradeOnly: Scope = { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    await expect(scopedDb(t.rt.store, tradeOnly).db.selectFrom('watchlist_hits').selectAll().execute()).rejects.toBeInstanceOf(ScopeDeniedError);
    const subj = await scopedDb(t.rt.store, scope).db.selectFrom('screening_subjects').selectAll().limit(1).execute();
    expect(Object.keys(subj[0]!).sort()).toEqual(['first_run', 'name_md5', 'party_id', 'provider']);
  });
});
