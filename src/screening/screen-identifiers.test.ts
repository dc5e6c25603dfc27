/**
 * Screening with identifiers on the real OFAC SDN list of 2024-05-03 (../shared/data): the vessel ARTAVIL
 * (entry 15036, "Vessel Registration Identification IMO 9187629; MMSI 572469210") screened under a wrong
 * name finds its entry by IMO, through the API functions, the HTTP routes and the CLI; a wrong identifier
 * lifts nothing; bad identifiers are refused naming the option. Skips (and says so) when the shared folder
 * is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn } from '../../test/signed-in.ts';
import { loadList } from '../watchlists/load-list.ts';
import { buildApp } from '../server/app.ts';
import { IDENTIFIER_FLOOR } from './match-score.ts';
import { compareNames, screenName, type ScreenResult } from './screen-name.ts';
import { IDENTIFIER_TYPES, parseIdentifierArg } from './query-identifiers.ts';

const DIR = resolve('../shared/data/sanctions/ofac-sdn-2024-05-03');
const present = existsSync(DIR);
const WRONG_NAME = 'BLUE HERON STAR';
const IMO = { type: 'imo', value: '9187629' };
let t: TempRuntime;
const db = () => scopedDb(t.rt.store, localOperatorScope('test'));
const artavil = (rs: readonly ScreenResult[]) => rs.find((r) => r.entry_id === '15036');

describe('query identifiers', () => {
  it('fold list labels onto the vocabulary and refuse unknown types and short values, naming the option, never the value', () => {
    expect(parseIdentifierArg('IMO:9187629', '--id')).toEqual(IMO);
    expect(parseIdentifierArg('SWIFT/BIC:BKMTIRTH', '--id')).toEqual({ type: 'swift_bic', value: 'BKMTIRTH' });
    expect(parseIdentifierArg('tax id:7701234567', '--id').type).toBe('tax_id');
    expect(parseIdentifierArg('website:http://x.example', '--id')).toEqual({ type: 'website', value: 'http://x.example' });
    expect(() => parseIdentifierArg('imox:SECRET123', '--id')).toThrow(/^--id: unknown identifier type "imox"; use one of imo, mmsi/);
    expect(() => parseIdentifierArg('SECRET123', '--id')).toThrow(/^--id takes TYPE:VALUE/);
    expect(() => parseIdentifierArg('passport:A1-', '--id')).toThrow(/^--id: the passport value needs at least 4 letters or digits$/);
    for (const msg of ['imox:SECRET123', 'SECRET123'].map((a) => String((() => { try { parseIdentifierArg(a, '--id'); } catch (e) { return (e as Error).message; } })()))) {
      expect(msg).not.toContain('SECRET');
    }
  });
});

describe.skipIf(!present)(`screening by identifier on ${DIR}${present ? '' : ' (absent: skipped)'}`, () => {
  beforeAll(async () => {
    t = await tempRuntime();
    await loadList({ store: t.rt.store }, [DIR], { format: 'ofac-csv' });
  }, 120_000);
  afterAll(async () => t?.cleanup());

  it('every identifier type the OFAC parser wrote is one a query may give', async () => {
    const rows = await db().db.selectFrom('watchlist_entries').select(['identifiers']).execute();
    const types = new Set(rows.flatMap((r) => ((r['identifiers'] ?? []) as { type: string }[]).map((i) => i.type)));
    expect(types.size).toBeGreaterThan(5);
    expect([...types].filter((x) => !(IDENTIFIER_TYPES as readonly string[]).includes(x))).toEqual([]);
  });

  it('a wrong name with the right IMO matches the vessel, and the explanation names the identifier', async () => {
    const plain = await screenName(db(), WRONG_NAME, { type: 'vessel' });
    expect(artavil(plain.results)).toBeUndefined();
    const r = await screenName(db(), WRONG_NAME, { type: 'vessel', identifiers: [IMO] });
    const hit = artavil(r.results)!;
    expect(hit).toMatchObject({ entry_name: 'ARTAVIL', match: true, score: IDENTIFIER_FLOOR });
    expect(hit.explanation.identifiers).toEqual({ matched: ['imo'], floor: IDENTIFIER_FLOOR, matched_ids: [IMO] });
    expect(hit.explanation.name_similarity).toBeLessThan(0.5);
    // The MMSI alone (no name at all) finds it too.
    const byMmsi = await screenName(db(), '', { identifiers: [{ type: 'mmsi', value: '572 469 210' }] });
    expect(byMmsi.results.map((x) => x.entry_id)).toEqual(['15036']);
    expect(byMmsi.results[0]!.explanation.identifiers.matched_ids).toEqual([{ type: 'mmsi', value: '572 469 210' }]);
  });

  it('a wrong identifier lifts nothing: same scores as without it, and alone it finds nothing', async () => {
    const without = await screenName(db(), 'ARTAVIL', { type: 'vessel' });
    const wrong = await screenName(db(), 'ARTAVIL', { type: 'vessel', identifiers: [{ type: 'imo', value: '9999999' }] });
    expect(wrong.results.map((x) => [x.entry_id, x.score])).toEqual(without.results.map((x) => [x.entry_id, x.score]));
    expect(wrong.results.every((x) => x.explanation.identifiers.matched_ids.length === 0)).toBe(true);
    // The right number under another type is not a match either (an IMO is not an MMSI).
    const otherType = await screenName(db(), WRONG_NAME, { type: 'vessel', identifiers: [{ type: 'mmsi', value: '9187629' }] });
    expect(artavil(otherType.results)?.match ?? false).toBe(false);
    expect((await screenName(db(), '', { identifiers: [{ type: 'imo', value: '9999999' }] })).results).toEqual([]);
  });

  it('compareNames takes the identifiers of each side', () => {
    const r = compareNames('BLUE HERON', 'ARTAVIL', { type: 'vessel', identifiersA: [IMO], identifiersB: [{ type: 'imo', value: '918 7629' }] });
    expect(r).toMatchObject({ match: true, score: IDENTIFIER_FLOOR });
    expect(r.explanation.identifiers.matched_ids).toEqual([IMO]);
    expect(compareNames('BLUE HERON', 'ARTAVIL', { type: 'vessel', identifiersA: [IMO], identifiersB: [{ type: 'imo', value: '1234567' }] }).match).toBe(false);
  });

  it('HTTP: GET id=TYPE:VALUE and POST identifiers match by IMO; bad identifiers answer 400 naming the field; audit has types, not values', async () => {
    const app = buildApp(t.rt);
    const api = await signIn(app, t.rt, 'investigator');
    const g = await api.get(`/api/screen?name=${encodeURIComponent(WRONG_NAME)}&type=vessel&id=imo:9187629`);
    expect(g.statusCode).toBe(200);
    expect(artavil(g.json().results)).toMatchObject({ match: true, explanation: { identifiers: { matched_ids: [IMO] } } });
    const two = await api.get('/api/screen?id=imo:9999999&id=mmsi:572469210');
    expect(two.json().results.map((x: ScreenResult) => x.entry_id)).toEqual(['15036']);
    const p = await api.post('/api/screen', { name: WRONG_NAME, type: 'vessel', identifiers: [IMO] });
    expect(p.statusCode).toBe(200);
    expect(artavil(p.json().results)).toMatchObject({ match: true, score: IDENTIFIER_FLOOR });
    const wrong = await api.post('/api/screen', { name: WRONG_NAME, type: 'vessel', identifiers: [{ type: 'imo', value: '9999999' }] });
    expect(artavil(wrong.json().results)).toBeUndefined();
    const badType = await api.post('/api/screen', { name: 'x', identifiers: [{ type: 'shoe_size', value: 'SECRET42' }] });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().message).toMatch(/^identifiers\.0: identifiers: unknown identifier type "shoe_size"/);
    expect(badType.body).not.toContain('SECRET');
    const badGet = await api.get('/api/screen?id=SECRET42');
    expect(badGet.statusCode).toBe(400);
    expect(badGet.json().message).toMatch(/^id: id takes TYPE:VALUE/);
    expect((await api.post('/api/screen', {})).json().message).toMatch(/^name: give a name, an identifier, or both/);
    expect((await api.get('/api/screen')).statusCode).toBe(400);
    const c = await api.get(`/api/screen/compare?a=BLUE%20HERON&b=ARTAVIL&type=vessel&ida=imo:9187629&idb=imo:9187629`);
    expect(c.json()).toMatchObject({ match: true, explanation: { identifiers: { matched_ids: [IMO] } } });
    const doc = (await api.get('/api/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/screen']!)).toEqual(expect.arrayContaining(['get', 'post']));
    await app.close();
    const events = (await t.rt.audit.recent(50)).filter((e) => e.event === 'screen-name');
    expect(events.some((e) => /ids=imo/.test(String(e.detail)))).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/9187629|572469210|HERON/);
  });

  it('CLI: screen --id finds the vessel under a wrong name and shows the identifier; a bad --id exits 2 naming the option', () => {
    const BIN = resolve('bin/parallax.js');
    const env = { ...process.env, PARALLAX_DATA: join(t.dir, 'cli-data') };
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    expect(cli('lists', 'load', DIR, '--format', 'ofac-csv', '--json').code).toBe(0);
    const j = cli('screen', WRONG_NAME, '--type', 'vessel', '--id', 'imo:9187629', '--json');
    expect(j.err).toBe('');
    const rows = j.out.trim().split('\n').map((l) => JSON.parse(l) as ScreenResult);
    expect(artavil(rows)).toMatchObject({ match: true, explanation: { identifiers: { matched_ids: [IMO] } } });
    const human = cli('screen', '--id', 'IMO:9187629', '--id', 'mmsi:572469210');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/ARTAVIL.*imo 9187629; mmsi 572469210/);
    const wrong = cli('screen', WRONG_NAME, '--type', 'vessel', '--id', 'imo:9999999', '--json');
    expect(wrong.out.split('\n').some((l) => l.includes('"15036"'))).toBe(false);
    const bad = cli('screen', WRONG_NAME, '--id', 'hull:SECRET77');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--id: unknown identifier type "hull"; use one of imo/);
    expect(bad.err).not.toContain('SECRET');
    const noColon = cli('screen', '--id', '9187629');
    expect(noColon.code).toBe(2);
    expect(noColon.err).toMatch(/--id takes TYPE:VALUE/);
    const cmp = cli('screen', 'compare', 'BLUE HERON', 'ARTAVIL', '--type', 'vessel', '--id-a', 'imo:9187629', '--id-b', 'imo:9187629');
    expect(cmp.code).toBe(0);
    expect(cmp.out).toMatch(/MATCH[\s\S]*identifiers matched: imo 9187629/);
    expect(cli('screen', 'compare', 'A', 'B', '--id-a', 'imo').err).toMatch(/--id-a takes TYPE:VALUE/);
  }, 120_000);
});
