/**
 * The real public lists in ../shared/data/sanctions load with counts that match the files, hand-picked
 * real entries come out as the list states them, and the two OFAC versions compare honestly. Skips (and
 * says so) when the shared folder is absent; the files are never copied into the repository.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { diffVersions } from './diff-versions.ts';
import { showEntries } from './list-queries.ts';
import { loadList, type ListVersion } from './load-list.ts';

const SANCTIONS = resolve('../shared/data/sanctions');
const present = existsSync(SANCTIONS);
let t: TempRuntime;
let ofac2021: ListVersion;
let ofac2024: ListVersion;
let un: ListVersion;

const db = () => scopedDb(t.rt.store, localOperatorScope('test'));
const entry = async (v: ListVersion, id: string) => {
  const p = await showEntries(db(), v.version_id, { search: id });
  const e = p.entries.find((x) => x.entry_id === id);
  if (!e) throw new Error(`entry ${id} not found in ${v.version_id}`);
  return e;
};

describe.skipIf(!present)(`real watch lists in ${SANCTIONS}${present ? '' : ' (absent: skipped)'}`, () => {
  beforeAll(async () => {
    t = await tempRuntime();
  });
  afterAll(async () => t?.cleanup());

  it('OFAC 2021-07 legacy CSV set: 8,976 entries (one per sdn.csv record)', async () => {
    ofac2021 = await loadList({ store: t.rt.store }, [resolve(SANCTIONS, 'ofac-sdn-2021-07')], { format: 'ofac-csv' });
    expect(ofac2021).toMatchObject({ list_id: 'us-ofac-sdn', record_count: 8976, duplicate: false });
    expect(ofac2021.files.map((f) => f.role)).toEqual(['sdn', 'alt', 'add', 'comments']);
    expect((await showEntries(db(), ofac2021.version_id, { limit: 1 })).total).toBe(8976);
  });

  it('OFAC 2024-05-03 sdn.csv alone: 14,965 entries, and it says what it lacks', async () => {
    ofac2024 = await loadList({ store: t.rt.store }, [resolve(SANCTIONS, 'ofac-sdn-2024-05-03/sdn.csv')], { format: 'ofac-csv', publishDate: '2024-05-03' });
    expect(ofac2024).toMatchObject({ record_count: 14965, publish_date: '2024-05-03' });
    expect(ofac2024.fields).not.toContain('aliases');
    expect(ofac2024.notes.join(' ')).toMatch(/no alt\.csv.*no add\.csv/);
  });

  it('UN consolidated list: as many entries as INDIVIDUAL and ENTITY records in the XML', async () => {
    const xml = readFileSync(resolve(SANCTIONS, 'un-consolidated/un-consolidated.xml'), 'utf8');
    const records = (xml.match(/<INDIVIDUAL>/g) ?? []).length + (xml.match(/<ENTITY>/g) ?? []).length;
    un = await loadList({ store: t.rt.store }, [resolve(SANCTIONS, 'un-consolidated/un-consolidated.xml')], { format: 'un-xml' });
    expect(un.record_count).toBe(records);
    expect(records).toBe(1003);
    expect(un.publish_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('a vessel with IMO, MMSI, call sign and flag (ARTAVIL, 2024-05-03)', async () => {
    const e = await entry(ofac2024, '15036');
    expect(e).toMatchObject({ name: 'ARTAVIL', entry_type: 'vessel', programs: ['IRAN'], countries: ['IR'] });
    expect(e.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['call_sign:T2EU4', 'imo:9187629', 'mmsi:572469210']);
    expect(e.aliases).toEqual([{ name: 'ALPHA', kind: 'fka', weak: true }]);
  });

  it('an individual with DOB, nationality, passport and a weak a.k.a. (ABU ZUBAYDAH, 2021-07)', async () => {
    const e = await entry(ofac2021, '6905');
    expect(e).toMatchObject({ entry_type: 'person', dates_of_birth: ['12 Mar 1971'], programs: ['SDGT'] });
    expect(e.identifiers).toEqual([{ type: 'passport', value: '484824', country: 'EG', currency: null }]);
    expect(e.aliases).toContainEqual({ name: 'TARIQ', kind: 'aka', weak: true });
    expect(e.countries).toContain('PS');
  });

  it('an entity with SWIFT/BIC and an address from add.csv (HAVIN BANK LIMITED, 2021-07)', async () => {
    const e = await entry(ofac2021, '906');
    expect(e.identifiers[0]).toEqual({ type: 'swift_bic', value: 'HAVIGB2L', country: null, currency: null });
    expect(e.identifiers).toContainEqual({ type: 'registration_number', value: '01074897', country: 'GB', currency: null });
    expect(e.addresses.length).toBeGreaterThan(0);
    expect(e.countries).toContain('GB');
  });

  it('digital currency addresses with their currency, and remarks overflow from sdn_comments.csv', async () => {
    const yan = await entry(ofac2021, '25308');
    const xbt = yan.identifiers.filter((i) => i.type === 'digital_currency_address');
    expect(xbt).toHaveLength(6);
    expect(xbt.every((i) => i.currency === 'XBT')).toBe(true);
    expect(xbt[0]!.value).toBe('12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h');
    expect(yan.aliases.map((a) => a.name)).toEqual(expect.arrayContaining(['ZHOU, William', 'YAN, Steven']));
    // ent_num 12300: sdn.csv cuts the remarks at "PROMO RAI", sdn_comments.csv continues "Z S.A.S.; ..."
    const cut = await entry(ofac2021, '12300');
    expect(cut.remarks).toContain('PROMO RAIZ S.A.S.');
  });

  it('UN: alias quality, dates of birth, nationality (GASTON IYAMUREMYE, CDi.003)', async () => {
    const e = await entry(un, 'CDi.003');
    expect(e).toMatchObject({ name: 'GASTON IYAMUREMYE', entry_type: 'person', dates_of_birth: ['1948'], programs: ['DRC'] });
    expect(e.aliases).toContainEqual({ name: 'Rumuli', kind: 'weak', weak: true });
    expect(e.aliases).toContainEqual({ name: 'Victor Rumuri', kind: 'aka', weak: false });
    expect(e.countries).toEqual(['RW', 'CD']);
  });

  it('the same bytes again are a no-op', async () => {
    const again = await loadList({ store: t.rt.store }, [resolve(SANCTIONS, 'ofac-sdn-2021-07')], { format: 'ofac-csv' });
    expect(again).toMatchObject({ version_id: ofac2021.version_id, duplicate: true });
  });

  it('diff 2021-07 (full set) -> 2024-05-03 (sdn.csv alone): only fields both carry are compared', async () => {
    const d = await diffVersions(db(), ofac2021.version_id, ofac2024.version_id);
    expect(d.compared_fields).toEqual(['entry_type', 'name', 'dates_of_birth', 'identifiers', 'programs', 'remarks']);
    expect(d.skipped_fields).toEqual(['aliases', 'countries', 'addresses']);
    expect({ added: d.added, removed: d.removed, changed: d.changed, unchanged: d.unchanged }).toEqual({ added: 6870, removed: 881, changed: 719, unchanged: 7376 });
    expect(8976 - d.removed + d.added).toBe(14965);
    expect(d.changed_by_field).toEqual({ name: 60, dates_of_birth: 33, identifiers: 90, programs: 150, remarks: 700 });
    // Added and removed are exactly the ent_nums only one sdn.csv holds, counted here from the files.
    const ids = (rel: string) => new Set(readFileSync(resolve(SANCTIONS, rel), 'latin1').split('\r\n').map((l) => /^([0-9]+),/.exec(l)?.[1]).filter((x): x is string => !!x));
    const before = ids('ofac-sdn-2021-07/sdn.csv');
    const after = ids('ofac-sdn-2024-05-03/sdn.csv');
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    expect(sorted(d.items.filter((i) => i.change === 'added').map((i) => i.entry_id))).toEqual(sorted([...after].filter((x) => !before.has(x))));
    expect(sorted(d.items.filter((i) => i.change === 'removed').map((i) => i.entry_id))).toEqual(sorted([...before].filter((x) => !after.has(x))));
  });
});
