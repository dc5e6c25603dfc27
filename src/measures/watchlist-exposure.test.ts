// watchlist-exposure: value of lines whose importer or exporter party has a confirmed, not retired hit,
// with decisions recorded through the real path (control store, then the mirror) and scope enforced.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAccess, loadPolicyEngine } from '../access/index.ts';
import { decisionStore, hitDecisions, recordDecision } from '../decisions/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { screenAll, syncHitDecisions } from '../screening/index.ts';
import { generateDataset } from '../generate/index.ts';
import { loadList } from '../watchlists/index.ts';
import { resolveParties } from '../parties/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { measuresQuery } from './index.ts';

let t: TempRuntime;
const operator = localOperatorScope('ana');

// Parties (party id -> trade references of provider WX) and their hits (hit id, list, status, category).
const MEMBERS: [party: string, ref: string][] = [
  ['PA', 'IA'], ['PA', 'IA2'], ['PA', 'EA'], ['PB', 'IB'], ['PC', 'IC'], ['PD', 'ID'], ['PF', 'IF'], ['PG', 'IG'], ['PH', 'IH'], ['PZ', 'IE'], ['PZ', 'EZ'],
];
const HITS: [hit: string, party: string, list: string, status: 'open' | 'retired', category: 'trade' | 'financial'][] = [
  ['HA', 'PA', 'L1', 'open', 'trade'], // confirmed
  ['HB', 'PB', 'L1', 'open', 'trade'], // false positive
  ['HC', 'PC', 'L1', 'open', 'trade'], // undecided
  ['HD', 'PD', 'L1', 'retired', 'trade'], // confirmed, then retired by a list version
  ['HF1', 'PF', 'L1', 'open', 'trade'], // PF confirmed on two lists: its lines count once
  ['HF2', 'PF', 'L2', 'open', 'trade'],
  ['HG', 'PG', 'L2', 'open', 'trade'], // confirmed, later superseded by false positive
  ['HH', 'PH', 'L2', 'open', 'financial'], // confirmed, but the matched name came from a payment
];
// Lines: [importer, exporter, port, value].
const LINES: [string, string, string, number][] = [
  ['IA', 'EZ', 'USLAX', 100],
  ['IB', 'EZ', 'USLAX', 200],
  ['IC', 'EZ', 'USNYC', 300],
  ['ID', 'EZ', 'USNYC', 400],
  ['IE', 'EA', 'USNYC', 500], // exporter side
  ['IA', 'EA', 'USLAX', 600], // both sides: once
  ['IA2', 'EZ', 'USNYC', 700], // another reference of PA
  ['IF', 'EZ', 'USLAX', 800],
  ['IG', 'EZ', 'USLAX', 900],
  ['IH', 'EZ', 'USNYC', 1000],
  ['IX', 'EX', 'USLAX', 5000], // unresolved parties
];

const rows = async (text: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(text)).getRowObjectsJson() as Record<string, unknown>[]);

/** The measure by hand: lines whose importer or exporter is a member of a party with a confirmed, live hit. */
const HAND_SQL = `
  SELECT t.port_code AS port, sum(t.value_usd)::DOUBLE AS v FROM trade_lines t
  WHERE EXISTS (SELECT 1 FROM party_members m JOIN watchlist_hits h ON h.party_id = m.party_id
                WHERE m.provider = t.provider AND (m.ref = t.importer_key OR m.ref = t.exporter_key)
                  AND h.status <> 'retired' AND h.decision = 'confirmed' AND h.category IN (__CATS__))
  GROUP BY 1 ORDER BY 1`;
const byHand = async (cats = "'trade', 'financial'") => Object.fromEntries((await rows(HAND_SQL.replace('__CATS__', cats))).map((r) => [r['port'], r['v']]));

const exposure = async (scope: Scope, by: string[] = ['port']) => {
  const r = await measuresQuery(scopedDb(t.rt.store, scope), { measures: ['watchlist-exposure'], by });
  return { cells: Object.fromEntries(r.rows.map((x) => [x['port'] ?? 'all', x['watchlist-exposure']])), total: r.totals['watchlist-exposure'] };
};

const decide = (hit: string, decision: 'confirmed' | 'false_positive' | 'escalate') =>
  recordDecision({ store: t.rt.store, decisions: decisionStore(t.rt.control) }, scopedDb(t.rt.store, operator), { hit, decision }, 'ana');

beforeAll(async () => {
  t = await tempRuntime();
  const csv = LINES.map(([imp, exp, port, value], i) => canonicalLine({ declaration_id: `W${i}`, importer_id: imp, exporter_id: exp, port_code: port, value }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('w.csv', `${CANONICAL_HEADER}\n${csv.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'WX', loadedBy: 'test' });
  // Party resolution and batch screening produce these tables; written directly so each case is exact.
  await t.rt.store.withWriteConnection(async (c) => {
    for (const [party, ref] of MEMBERS) {
      await c.run(`INSERT INTO party_members (provider, ref, party_id, has_id, name, names, country, name_key, lines, value_usd, lines_without_usd, link, confidence, evidence, resolution_id)
        VALUES ('WX', $1, $2, true, $1, [$1], 'US', $1, 1, 1, 0, 'id', 1, [], 'R1')`, [ref, party]);
    }
    for (const [hit, party, list, status, category] of HITS) {
      await c.run(
        `INSERT INTO watchlist_hits (hit_id, list_id, category, provider, party_id, party_name, party_country, entry_id, entry_type, entry_name, matched_name,
           weak_alias, score, explanation, algorithm_version, threshold, list_version, checked_version, entry_fingerprint, status, retired_version, first_run, last_run)
         VALUES ($1, $2, $3, $4, $5, 'NAME', 'US', $1, 'entity', 'NAME', 'NAME', false, 0.95, '{}', 'a1', 0.88, 'v1', 'v1', 'fp', $6, NULL, 'run1', 'run1')`,
        [hit, list, category, category === 'trade' ? 'WX' : 'PAY', party, status],
      );
    }
  });
  for (const hit of ['HA', 'HD', 'HF1', 'HF2', 'HG', 'HH']) await decide(hit, 'confirmed');
  await decide('HB', 'false_positive');
  // A retired hit keeps its decision in the mirror, but is no exposure.
  await t.rt.store.withWriteConnection((c) => c.run(`UPDATE watchlist_hits SET status = 'retired', retired_version = 'v2' WHERE hit_id = 'HD'`));
});
afterAll(async () => t?.cleanup());

describe('watchlist-exposure', () => {
  it('sums lines of parties with a confirmed live hit, each line once, and equals the hand-written SQL', async () => {
    const got = await exposure(operator);
    expect(got.cells).toEqual(await byHand());
    // By hand once more, from the table above: LAX 100 + 600 + 800 + 900; NYC 500 + 700 + 1000.
    expect(got.cells).toEqual({ USLAX: 2400, USNYC: 2200 });
    expect(got.total).toBe(4600);
    const all = await exposure(operator, []);
    expect(all.cells).toEqual({ all: 4600 });
  });

  it('mirrors each decision as it is recorded: a superseding false positive drops the party', async () => {
    expect((await rows(`SELECT hit_id, decision, status FROM watchlist_hits WHERE hit_id IN ('HB', 'HC', 'HG') ORDER BY 1`))).toEqual([
      { hit_id: 'HB', decision: 'false_positive', status: 'suppressed' },
      { hit_id: 'HC', decision: null, status: 'open' },
      { hit_id: 'HG', decision: 'confirmed', status: 'open' },
    ]);
    await decide('HG', 'false_positive');
    expect((await decisionStore(t.rt.control).history('hit', ['HG'])).map((d) => d.decision)).toEqual(['confirmed', 'false_positive']);
    const got = await exposure(operator);
    expect(got.cells).toEqual(await byHand());
    expect(got.cells).toEqual({ USLAX: 1500, USNYC: 2200 });
    // Escalating re-opens nothing: only `confirmed` counts.
    await decide('HC', 'escalate');
    expect((await exposure(operator)).total).toBe(3700);
  });

  it('the mirror is rebuilt in full from the control store', async () => {
    // A restored or tampered analytical store: mirror wiped, one undecided hit marked confirmed.
    await t.rt.store.withWriteConnection((c) => c.run(`UPDATE watchlist_hits SET decision = NULL`));
    await t.rt.store.withWriteConnection((c) => c.run(`UPDATE watchlist_hits SET decision = 'confirmed' WHERE hit_id = 'HC'`));
    expect((await exposure(operator)).total).toBe(300);
    const sync = await syncHitDecisions(t.rt.store, hitDecisions(decisionStore(t.rt.control)));
    expect(sync).toEqual({ decided: 8, changed: 8 });
    expect((await rows(`SELECT hit_id, decision FROM watchlist_hits ORDER BY 1`)).map((r) => [r['hit_id'], r['decision']])).toEqual([
      ['HA', 'confirmed'], ['HB', 'false_positive'], ['HC', 'escalate'], ['HD', 'confirmed'], ['HF1', 'confirmed'], ['HF2', 'confirmed'], ['HG', 'false_positive'], ['HH', 'confirmed'],
    ]);
    expect((await exposure(operator)).total).toBe(3700);
    expect(await syncHitDecisions(t.rt.store, hitDecisions(decisionStore(t.rt.control)))).toEqual({ decided: 8, changed: 0 });
  });

  it('needs the watchlist grant: the executive is refused, and a hit is counted only under the grant of its name', async () => {
    const engine = loadPolicyEngine();
    const executive = decideAccess(engine, { name: 'exec', role: 'executive', provider: null }).scope;
    await expect(exposure(executive)).rejects.toThrow(ScopeDeniedError);
    await expect(exposure(executive)).rejects.toThrow(/watchlist/);
    const tradeOnly: Scope = { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    await expect(exposure(tradeOnly)).rejects.toThrow(/not permitted: watchlist data/);
    // The customs officer reads trade and watch lists but not payments: PH's match came from a payment name.
    const officer = decideAccess(engine, { name: 'co', role: 'customs-officer', provider: null }).scope;
    expect(officer.grants.map((g) => g.category)).not.toContain('financial');
    const got = await exposure(officer);
    expect(got.cells).toEqual(await byHand("'trade'"));
    expect(got.cells).toEqual({ USLAX: 1500, USNYC: 1200 });
  });
});

describe('watchlist-exposure end to end on generated data', () => {
  let g: TempRuntime;
  beforeAll(async () => {
    g = await tempRuntime();
    const gen = await generateDataset({ rows: 5_000, seed: 11, outDir: join(g.dir, 'gen') });
    await ingestFile({ store: g.rt.store, registry: g.rt.registry }, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
    await loadList({ store: g.rt.store }, [gen.files.watchlist], { format: 'csv' });
    await resolveParties(g.rt.store, operator, []);
  }, 300_000);
  afterAll(async () => g?.cleanup());

  it('batch screening, a confirmed decision, and the mirror rebuilt by the next screen', async () => {
    const ds = decisionStore(g.rt.control);
    await screenAll(g.rt.store, operator, hitDecisions(ds));
    const db = scopedDb(g.rt.store, operator);
    const hits = (await db.db.selectFrom('watchlist_hits').select(['hit_id', 'party_id']).where('status', '=', 'open').orderBy('hit_id').execute()) as { hit_id: string; party_id: string }[];
    expect(hits.length).toBeGreaterThan(1);
    const total = async () => (await measuresQuery(scopedDb(g.rt.store, operator), { measures: ['watchlist-exposure'], by: [] })).totals['watchlist-exposure'];
    expect(await total()).toBe(0);
    await recordDecision({ store: g.rt.store, decisions: ds }, db, { hit: hits[0]!.hit_id, decision: 'confirmed' }, 'ana');
    await recordDecision({ store: g.rt.store, decisions: ds }, db, { hit: hits[1]!.hit_id, decision: 'false_positive' }, 'ana');
    // By hand, without the mirror: lines where either side is a member of the confirmed hit's party.
    const [expected] = await g.rt.store.withWriteConnection(async (c) =>
      (await c.runAndReadAll(
        `SELECT coalesce(sum(t.value_usd), 0)::DOUBLE AS v FROM trade_lines t WHERE EXISTS (SELECT 1 FROM party_members m
           WHERE m.party_id = $1 AND m.provider = t.provider AND (m.ref = t.importer_key OR m.ref = t.exporter_key))`,
        [hits[0]!.party_id],
      )).getRowObjectsJson(),
    );
    expect(Number(expected!['v'])).toBeGreaterThan(0);
    expect(await total()).toBeCloseTo(Number(expected!['v']), 6);
    // The analytical store loses the mirror; the next batch screen rebuilds it from the control store.
    await g.rt.store.withWriteConnection((c) => c.run('UPDATE watchlist_hits SET decision = NULL'));
    expect(await total()).toBe(0);
    await screenAll(g.rt.store, operator, hitDecisions(ds));
    expect(await total()).toBeCloseTo(Number(expected!['v']), 6);
  }, 300_000);
});
