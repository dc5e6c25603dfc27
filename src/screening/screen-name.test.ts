/**
 * Screening end to end on the watch-list fixtures: loaded into a temporary store, read through the scoped
 * query layer, over the API functions, the HTTP routes and the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { localOperatorScope, scopedDb, type Scope } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { loadList } from '../watchlists/load-list.ts';
import { buildApp } from '../server/app.ts';
import { signIn } from '../../test/signed-in.ts';
import { ALGORITHM_VERSION } from './match-score.ts';
import { compareNames, screenName } from './screen-name.ts';

const F = resolve('test/fixtures/watchlists');
let t: TempRuntime;
const db = (scope: Scope = localOperatorScope('test')) => scopedDb(t.rt.store, scope);

beforeAll(async () => {
  t = await tempRuntime();
  await loadList({ store: t.rt.store }, [join(F, 'ofac-csv')], { format: 'ofac-csv', publishDate: '2024-01-05' });
  await loadList({ store: t.rt.store }, [join(F, 'ofac-sdn-2024-namespace.xml')], { format: 'ofac-xml' });
  await loadList({ store: t.rt.store }, [join(F, 'internal-list.csv')], { format: 'csv' });
});
afterAll(async () => t?.cleanup());

describe('screenName', () => {
  it('finds a person given "First LAST" against "LAST, First" in the latest version of each list', async () => {
    const r = await screenName(db(), 'Rustam Karimov', { type: 'person' });
    expect(r.algorithm_version).toBe(ALGORITHM_VERSION);
    expect(r.list_versions.sort()).toEqual(['LV000002', 'LV000003']);
    const top = r.results[0]!;
    expect(top).toMatchObject({ entry_id: '1002', list: 'us-ofac-sdn', list_version: 'LV000002', match: true, algorithm_version: ALGORITHM_VERSION });
    expect(top.explanation.token_pairs.length).toBe(2);
  });
  it('screens one named version, with diacritics, reordering and company forms', async () => {
    const r = await screenName(db(), 'Sean OBrien', { listVersion: 'LV000003' });
    expect(r.results[0]).toMatchObject({ entry_id: 'WL-0100', match: true });
    const c = await screenName(db(), 'GOLDEN CRESCENT GENERAL TRADING L.L.C.', { type: 'company', country: 'AE' });
    expect(c.results[0]).toMatchObject({ entry_id: 'WL-0001', list: 'internal-demo', match: true });
    expect(c.results[0]!.explanation.country.adjustment).toBeGreaterThan(0);
  });
  it('a vessel name typed as a person is not a match; an unknown version is an error', async () => {
    const v = await screenName(db(), 'OCEAN MARAUDER', { type: 'vessel' });
    expect(v.results[0]).toMatchObject({ entry_id: 'WL-0045', match: true });
    const p = await screenName(db(), 'OCEAN MARAUDER', { type: 'person' });
    expect(p.results.filter((x) => x.match)).toEqual([]);
    await expect(screenName(db(), 'X', { listVersion: 'LV999999' })).rejects.toThrow(/no list version LV999999/);
  });
  it('a scope without the list sees nothing of it', async () => {
    const only: Scope = { principal: 'p', grants: [{ category: 'watchlist', providers: ['internal-demo'], level: 'row' }] };
    const r = await screenName(db(only), 'Rustam Karimov', { type: 'person' });
    expect(r.list_versions).toEqual(['LV000003']);
    expect(r.results.some((x) => x.list === 'us-ofac-sdn')).toBe(false);
  });
  it('compareNames explains its score', () => {
    const r = compareNames('JSC ARGUMENT', 'JSCARGUMENT', { type: 'company' });
    expect(r).toMatchObject({ match: true, name_a: 'JSC ARGUMENT', name_b: 'JSCARGUMENT' });
  });
});

describe('HTTP', () => {
  it('GET /api/screen and /api/screen/compare validate, answer and audit', async () => {
    const app = buildApp(t.rt);
    const api = await signIn(app, t.rt, 'investigator');
    const r = await api.inject({ method: 'GET', url: `/api/screen?name=${encodeURIComponent('Rustam Karimov')}&type=person&limit=3` });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { results: { entry_id: string; match: boolean }[] };
    expect(body.results[0]).toMatchObject({ entry_id: '1002', match: true });
    expect(body.results.length).toBeLessThanOrEqual(3);
    expect((await api.inject({ method: 'GET', url: '/api/screen?name=x&type=dragon' })).statusCode).toBe(400);
    expect((await api.inject({ method: 'GET', url: '/api/screen' })).statusCode).toBe(400);
    const c = await api.inject({ method: 'GET', url: '/api/screen/compare?a=ACME%20INTL%20LTD&b=ACME%20INTERNATIONAL%20LIMITED' });
    expect(c.json()).toMatchObject({ score: 1, match: true });
    const doc = (await api.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/screen', '/api/screen/compare']));
    await app.close();
    const events = await t.rt.audit.recent(50);
    const screens = events.filter((e) => String(e.event).startsWith('screen-'));
    expect(screens.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(screens)).not.toMatch(/KARIMOV|Karimov|ACME/);
  });
});

describe('CLI', () => {
  const BIN = resolve('bin/parallax.js');
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: join(t.dir, 'cli-data') } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  it('screen compare --pairs prints one JSON object per pair in input order; a bad file names file and line', () => {
    const good = t.file('pairs.csv', 'name_a,name_b,type\nJSC ARGUMENT,JSCARGUMENT,company\n"SMITH, John",Mary Jones,person\n');
    const r = cli('screen', 'compare', '--pairs', good, '--json');
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { name_a: 'JSC ARGUMENT', name_b: 'JSCARGUMENT', score: expect.any(Number), match: true },
      { name_a: 'SMITH, John', name_b: 'Mary Jones', score: expect.any(Number), match: false },
    ]);
    const bad = t.file('bad.csv', 'name_a,name_b,type\nSECRET PERSON,OTHER,dragon\n');
    const b = cli('screen', 'compare', '--pairs', bad);
    expect(b.code).not.toBe(0);
    expect(b.err).toMatch(/bad\.csv:2: field "type"/);
    expect(b.err).not.toMatch(/SECRET/);
    const one = cli('screen', 'compare', 'ACME LTD', 'ACME LIMITED', '--json');
    expect(JSON.parse(one.out.trim())).toMatchObject({ score: 1, match: true });
    const s = cli('screen', 'Rustam Karimov', '--json');
    expect(s.code).toBe(0);
    expect(s.out).toBe('');
  });
});
