/**
 * Loading list versions into the analytical store, reading them back through the scoped query layer, and
 * comparing versions, on the hand-made fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { diffVersions, WatchlistLookupError } from './diff-versions.ts';
import { getVersion, listVersions, showEntries } from './list-queries.ts';
import { loadList } from './load-list.ts';

const F = resolve('test/fixtures/watchlists');
let t: TempRuntime;
const deps = () => ({ store: t.rt.store });
const db = (scope: Scope = localOperatorScope('test')) => scopedDb(t.rt.store, scope);

beforeAll(async () => {
  t = await tempRuntime();
});
afterAll(async () => t?.cleanup());

describe('loadList', () => {
  it('an OFAC CSV set becomes one version with its counts, hash and resolved countries', async () => {
    const v = await loadList(deps(), [join(F, 'ofac-csv')], { format: 'ofac-csv', publishDate: '2024-01-05', loadedBy: 'test' });
    expect(v).toMatchObject({
      version_id: 'LV000001',
      list_id: 'us-ofac-sdn',
      publisher: 'US Treasury OFAC',
      publish_date: '2024-01-05',
      format: 'ofac-csv',
      record_count: 6,
      duplicate: false,
      loaded_by: 'test',
    });
    expect(v.files.map((f) => [f.role, f.file])).toEqual([
      ['sdn', 'sdn.csv'],
      ['alt', 'alt.csv'],
      ['add', 'add.csv'],
      ['comments', 'sdn_comments.csv'],
    ]);
    const sdnSha = createHash('sha256').update(readFileSync(join(F, 'ofac-csv', 'sdn.csv'))).digest('hex');
    expect(v.files[0]!.sha256).toBe(sdnSha);
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v.sha256).not.toBe(sdnSha);

    const page = await showEntries(db(), v.version_id, { limit: 10 });
    expect(page.total).toBe(6);
    const karimov = page.entries.find((e) => e.entry_id === '1002')!;
    expect(karimov.countries).toEqual(['RU', 'UZ']);
    expect(karimov.identifiers).toContainEqual({ type: 'passport', value: '7512345', country: 'RU', currency: null });
    expect(karimov.addresses).toEqual([{ address: null, city: 'Moscow', country: 'RU' }]);
    expect(page.entries.find((e) => e.entry_id === '1001')!.countries).toEqual(['AE']);
    expect(page.entries.find((e) => e.entry_id === '1006')!.name).toBe("=cmd|' /C calc'!A0 HOLDINGS LTD");
  });

  it('the same bytes again are a no-op that says so, in any file order', async () => {
    const files = ['alt.csv', 'sdn_comments.csv', 'sdn.csv', 'add.csv'].map((f) => join(F, 'ofac-csv', f));
    const again = await loadList(deps(), files, { format: 'ofac-csv' });
    expect(again).toMatchObject({ version_id: 'LV000001', duplicate: true });
    expect(again.message).toMatch(/already loaded as LV000001.*nothing was changed/);
    expect(await listVersions(db())).toHaveLength(1);
  });

  it('a file that states its publication date wins over the option, and says so', async () => {
    const v = await loadList(deps(), [join(F, 'ofac-sdn-2023-namespace.xml')], { format: 'ofac-xml', publishDate: '2023-01-01' });
    expect(v).toMatchObject({ list_id: 'us-ofac-sdn', publish_date: '2023-12-29', record_count: 4 });
    expect(v.notes.join(' ')).toMatch(/states its publication date \(2023-12-29\)/);
  });

  it('every format loads; publisher defaults per format and can be given', async () => {
    const un = await loadList(deps(), [join(F, 'un-consolidated-small.xml')], { format: 'un-xml' });
    expect(un).toMatchObject({ list_id: 'un-sc-consolidated', publisher: 'UN Security Council', publish_date: '2025-03-14', record_count: 3 });
    const ftm = await loadList(deps(), [join(F, 'opensanctions-small.ftm.jsonl')], { format: 'ftm' });
    expect(ftm).toMatchObject({ list_id: 'opensanctions', publisher: 'OpenSanctions', publish_date: null, record_count: 5 });
    expect(ftm.notes).toEqual(['skipped entities of other schemas: 1 Sanction']);
    const csv = await loadList(deps(), [join(F, 'internal-list.csv')], { format: 'csv', publisher: 'Compliance team', publishDate: '2025-01-31' });
    expect(csv).toMatchObject({ list_id: 'internal-demo', publisher: 'Compliance team', publish_date: '2025-01-31', record_count: 4, fields: ['entry_type', 'name', 'aliases', 'countries', 'identifiers', 'programs'] });
    const un2 = (await showEntries(db(), un.version_id, { search: 'ORIENT STAR' })).entries;
    expect(un2.map((e) => e.entry_id)).toEqual(['KPe.901']);
    expect(un2[0]!.countries).toEqual(['KP']);
  });

  it('search: normalised names and aliases, entry ids, identifier values; paging says what follows', async () => {
    const v = (await listVersions(db()))[0]!;
    const s = (q: string) => showEntries(db(), v.version_id, { search: q }).then((p) => p.entries.map((e) => e.entry_id));
    expect(await s('karimov rustam')).toEqual(['1002']);
    expect(await s("abu 'ali")).toEqual(['1002']);
    expect(await s('nw-trading')).toEqual(['1001']);
    expect(await s('1234567')).toEqual(['1003']);
    expect(await s('nwtraead')).toEqual(['1001']);
    expect(await s('1005')).toEqual(['1005']);
    expect(await s('=cmd|')).toEqual(['1006']);
    const p1 = await showEntries(db(), v.version_id, { limit: 4 });
    expect(p1).toMatchObject({ total: 6, next_offset: 4 });
    const p2 = await showEntries(db(), v.version_id, { limit: 4, offset: 4 });
    expect(p2).toMatchObject({ total: 6, next_offset: null });
    expect(p2.entries.map((e) => e.entry_id)).toEqual(['1005', '1006']);
  });

  it('reads are scoped: no watchlist grant, no list data', async () => {
    const none: Scope = { principal: 'trade-only', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    await expect(listVersions(db(none))).rejects.toBeInstanceOf(ScopeDeniedError);
    const onlyUn: Scope = { principal: 'un-only', grants: [{ category: 'watchlist', providers: ['un-sc-consolidated'], level: 'row' }] };
    expect((await listVersions(db(onlyUn))).map((v) => v.list_id)).toEqual(['un-sc-consolidated']);
    expect(await getVersion(db(onlyUn), 'LV000001')).toBeNull();
  });
});

describe('diffVersions', () => {
  it('the same list in both OFAC XML namespaces: nothing changed', async () => {
    const a = (await listVersions(db())).find((v) => v.format === 'ofac-xml')!;
    const b = await loadList(deps(), [join(F, 'ofac-sdn-2024-namespace.xml')], { format: 'ofac-xml' });
    const d = await diffVersions(db(), a.version_id, b.version_id);
    expect(d).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 4, skipped_fields: [], items: [] });
  });

  it('CSV set vs XML: added/removed by entry id, changed fields named, absent fields not compared', async () => {
    const versions = await listVersions(db());
    const csvSet = versions.find((v) => v.format === 'ofac-csv')!;
    const xml = versions.find((v) => v.format === 'ofac-xml')!;
    const d = await diffVersions(db(), csvSet.version_id, xml.version_id);
    expect(d.compared_fields).toEqual(['entry_type', 'name', 'aliases', 'countries', 'dates_of_birth', 'identifiers', 'programs', 'addresses', 'remarks']);
    expect(d.removed).toBe(2);
    expect(d.items.filter((i) => i.change === 'removed').map((i) => i.entry_id)).toEqual(['1005', '1006']);
    expect(d.added).toBe(0);
    // The XML keeps only residual remarks (its facts are elements), so remarks differ for every entry.
    const changed = new Map(d.items.filter((i) => i.change === 'changed').map((i) => [i.entry_id, i.fields]));
    expect(changed.get('1003')).toEqual(['aliases', 'remarks']);
    expect(changed.get('1002')).toEqual(['identifiers', 'addresses', 'remarks']);
    expect(d.changed_by_field['remarks']).toBe(4);
    expect(d.unchanged).toBe(0);
  });

  it('refuses unknown versions and versions of different lists', async () => {
    await expect(diffVersions(db(), 'LV000001', 'LV999999')).rejects.toBeInstanceOf(WatchlistLookupError);
    const un = (await listVersions(db())).find((v) => v.format === 'un-xml')!;
    await expect(diffVersions(db(), 'LV000001', un.version_id)).rejects.toThrow(/only versions of one list can be compared/);
  });
});
