/**
 * Every parser on its hand-made fixture (test/fixtures/watchlists): the normalised entry model, the
 * fields each file set carries, and the quirks of each format. No store is involved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseListFiles } from './parse-list.ts';
import type { StoredEntry } from './watchlist-entry.ts';

const F = resolve('test/fixtures/watchlists');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-lists-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byId = (entries: StoredEntry[]) => new Map(entries.map((e) => [e.entry_id, e]));
/** Entries without provenance, for comparing two files that say the same thing. */
const content = (entries: StoredEntry[]) => entries.map(({ source_file: _f, source_line: _l, ...rest }) => rest);

describe('OFAC legacy CSV set', () => {
  it('joins alt, add and comments to sdn by ent_num, and parses the remarks', async () => {
    const { entries, outcome } = await parseListFiles('ofac-csv', [join(F, 'ofac-csv')]);
    expect(outcome.listId).toBe('us-ofac-sdn');
    expect(outcome.publishDate).toBeNull();
    expect([...outcome.fields].sort()).toEqual(['addresses', 'aliases', 'countries', 'dates_of_birth', 'entry_type', 'identifiers', 'name', 'programs', 'remarks']);
    expect(entries.map((e) => [e.entry_id, e.entry_type, e.source_line])).toEqual([
      ['1001', 'company', 1],
      ['1002', 'person', 2],
      ['1003', 'vessel', 3],
      ['1004', 'person', 4],
      ['1005', 'aircraft', 5],
      ['1006', 'company', 6],
    ]);
    const e = byId(entries);
    expect(e.get('1001')).toMatchObject({
      programs: ['IRAN', 'SDGT'],
      aliases: [
        { name: 'NORTHWIND GENERAL TRADING', kind: 'aka', weak: false },
        { name: 'NW TRADING', kind: 'aka', weak: true },
      ],
      addresses: [{ address: 'Office 12, Jebel Ali Free Zone', city: 'Dubai', country: 'United Arab Emirates' }],
    });
    expect(e.get('1001')!.identifiers.map((i) => i.type)).toEqual(['swift_bic', 'website', 'registration_number']);
    expect(e.get('1002')).toMatchObject({ dates_of_birth: ['10 Dec 1968', 'circa 1970'], countries: ['Russia', 'Uzbekistan'] });
    expect(e.get('1003')!.identifiers).toEqual([
      { type: 'call_sign', value: '9BXY7', country: null, currency: null },
      { type: 'imo', value: '1234567', country: null, currency: null },
      { type: 'mmsi', value: '372123000', country: null, currency: null },
    ]);
    expect(e.get('1003')!.countries).toEqual(['Panama']);
    // The comments overflow continues the remarks mid-word.
    expect(e.get('1004')!.remarks).toMatch(/Linked To: NORTHWIND TRADING FZE\.$/);
    expect(e.get('1004')!.identifiers.filter((i) => i.type === 'digital_currency_address').map((i) => i.currency)).toEqual(['XBT', 'ETH']);
    expect(e.get('1005')).toMatchObject({ remarks: null, identifiers: [], aliases: [] });
  });

  it('keeps a formula-like name as text: names are data', async () => {
    const { entries } = await parseListFiles('ofac-csv', [join(F, 'ofac-csv')]);
    const e = byId(entries).get('1006')!;
    expect(e.name).toBe("=cmd|' /C calc'!A0 HOLDINGS LTD");
    expect(e.names).toEqual(['CMD C CALC A0 HOLDINGS LTD']);
  });

  it('files may be given one by one in any order; sdn.csv alone carries fewer fields and says so', async () => {
    const files = ['sdn_comments.csv', 'add.csv', 'sdn.csv', 'alt.csv'].map((f) => join(F, 'ofac-csv', f));
    const all = await parseListFiles('ofac-csv', files);
    const folder = await parseListFiles('ofac-csv', [join(F, 'ofac-csv')]);
    expect(all.entries).toEqual(folder.entries);
    const alone = await parseListFiles('ofac-csv', [join(F, 'ofac-csv', 'sdn.csv')]);
    expect([...alone.outcome.fields].sort()).toEqual(['dates_of_birth', 'entry_type', 'identifiers', 'name', 'programs', 'remarks']);
    expect(alone.outcome.notes.join(' ')).toMatch(/no alt\.csv.*/);
    // Without alt.csv only the weak remark aliases remain; without comments the remark stays cut.
    expect(byId(alone.entries).get('1001')!.aliases).toEqual([{ name: 'NW TRADING', kind: 'aka', weak: true }]);
    expect(byId(alone.entries).get('1004')!.remarks).toMatch(/Linked To: NORTH$/);
  });

  it('a renamed sdn.csv given alone is read as sdn.csv; LF line ends work too', async () => {
    const p = join(dir, 'sdn-2024.csv');
    writeFileSync(p, readFileSync(join(F, 'ofac-csv', 'sdn.csv'), 'latin1').replace(/\r\n/g, '\n'), 'latin1');
    const { entries } = await parseListFiles('ofac-csv', [p]);
    expect(entries).toHaveLength(6);
    expect(entries[5]!.source_line).toBe(6);
  });
});

describe('OFAC SDN.XML', () => {
  it('reads the old and the 2024-05-07 namespace alike, by local element names', async () => {
    const old = await parseListFiles('ofac-xml', [join(F, 'ofac-sdn-2023-namespace.xml')]);
    const now = await parseListFiles('ofac-xml', [join(F, 'ofac-sdn-2024-namespace.xml')]);
    expect(old.outcome.publishDate).toBe('2023-12-29');
    expect(now.outcome.publishDate).toBe('2024-05-10');
    expect(content(now.entries)).toEqual(content(old.entries));
    expect(now.entries).toHaveLength(4);
  });

  it('also with a namespace prefix on every element', async () => {
    const text = readFileSync(join(F, 'ofac-sdn-2024-namespace.xml'), 'utf8')
      .replace(/xmlns="/, 'xmlns:ofac="')
      .replace(/<(\/?)([A-Za-z_]+)/g, (m, slash: string, name: string) => (m.startsWith('<?') ? m : `<${slash}ofac:${name}`));
    const p = join(dir, 'prefixed.xml');
    writeFileSync(p, text);
    const prefixed = await parseListFiles('ofac-xml', [p]);
    const plain = await parseListFiles('ofac-xml', [join(F, 'ofac-sdn-2024-namespace.xml')]);
    expect(content(prefixed.entries)).toEqual(content(plain.entries));
  });

  it('writes names as sdn.csv does and maps ids onto the shared identifier vocabulary', async () => {
    const { entries } = await parseListFiles('ofac-xml', [join(F, 'ofac-sdn-2024-namespace.xml')]);
    const e = byId(entries);
    expect(e.get('1002')).toMatchObject({
      name: 'KARIMOV, Rustam Alievich',
      entry_type: 'person',
      dates_of_birth: ['10 Dec 1968', 'circa 1970'],
      countries: ['Russia', 'Uzbekistan'],
      identifiers: [{ type: 'passport', value: '7512345', country: 'Russia', currency: null }],
      aliases: [
        { name: 'KARIMOV, Rustam', kind: 'aka', weak: false },
        { name: "ABU 'ALI", kind: 'aka', weak: true },
      ],
    });
    expect(e.get('1003')!.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['call_sign:9BXY7', 'imo:1234567', 'mmsi:372123000']);
    expect(e.get('1003')!.aliases).toEqual([{ name: 'OCEAN SPARROW', kind: 'fka', weak: false }]);
    expect(e.get('1001')!.identifiers[0]).toEqual({ type: 'swift_bic', value: 'NWTRAEAD', country: null, currency: null });
    expect(e.get('1004')!.identifiers.map((i) => i.currency)).toEqual(['XBT', 'ETH']);
  });
});

describe('UN consolidated XML', () => {
  it('individuals and entities, alias quality, dates of birth in words, documents, dateGenerated', async () => {
    const { entries, outcome } = await parseListFiles('un-xml', [join(F, 'un-consolidated-small.xml')]);
    expect(outcome).toMatchObject({ listId: 'un-sc-consolidated', publishDate: '2025-03-14' });
    expect(entries.map((e) => [e.entry_id, e.entry_type])).toEqual([
      ['QDi.901', 'person'],
      ['HTi.901', 'person'],
      ['KPe.901', 'company'],
    ]);
    const e = byId(entries);
    expect(e.get('QDi.901')).toMatchObject({
      name: 'AMIR HADI SALEH',
      dates_of_birth: ['1971-03-02', 'approximately 1972', 'between 1970 and 1973'],
      programs: ['Al-Qaida'],
      identifiers: [
        { type: 'passport', value: 'N1234567', country: 'Syrian Arab Republic', currency: null },
        { type: 'national_id', value: '0012-3456', country: null, currency: null },
      ],
      remarks: 'Fictitious record for tests. Second line of the comment.',
    });
    expect(e.get('QDi.901')!.aliases).toEqual([
      { name: 'Amir Saleh', kind: 'aka', weak: false },
      { name: 'Abu Hadi', kind: 'weak', weak: true },
      { name: 'أمير هادي صالح', kind: 'aka', weak: false },
    ]);
    expect(e.get('HTi.901')).toMatchObject({ name: 'JOSÉ ÁLVAREZ', aliases: [], dates_of_birth: [], names: ['JOSE ALVAREZ'] });
    expect(e.get('KPe.901')!.aliases).toEqual([
      { name: 'Eastern Star Shipping', kind: 'aka', weak: false },
      { name: 'Orient Star Maritime', kind: 'fka', weak: false },
    ]);
    expect(e.get('KPe.901')!.remarks).toBe('Fictitious shipping company & operator.');
  });
});

describe('OpenSanctions FollowTheMoney JSON lines', () => {
  it('target schemas become entries; other schemas are counted and skipped', async () => {
    const { entries, outcome } = await parseListFiles('ftm', [join(F, 'opensanctions-small.ftm.jsonl')]);
    expect(outcome.listId).toBe('opensanctions');
    expect(outcome.notes).toEqual(['skipped entities of other schemas: 1 Sanction']);
    expect(entries.map((e) => [e.entry_id, e.entry_type, e.source_line])).toEqual([
      ['os-person-1', 'person', 1],
      ['os-company-1', 'company', 2],
      ['os-vessel-1', 'vessel', 4],
      ['os-plane-1', 'aircraft', 5],
      ['os-org-1', 'company', 7],
    ]);
    const e = byId(entries);
    expect(e.get('os-person-1')).toMatchObject({
      name: 'Rustam Alievich Karimov',
      countries: ['RU', 'UZ'],
      dates_of_birth: ['1968-12-10'],
      programs: ['RUSSIA-EO14024'],
      aliases: [
        { name: 'Rustam Karimov', kind: 'aka', weak: false },
        { name: 'Rustam A. Karimov', kind: 'aka', weak: false },
        { name: 'Abu Ali', kind: 'weak', weak: true },
      ],
    });
    expect(e.get('os-person-1')!.identifiers.map((i) => i.type).sort()).toEqual(['passport', 'tax_id']);
    expect(e.get('os-company-1')).toMatchObject({
      programs: ['IRAN'],
      aliases: [{ name: 'Northwind General Trading', kind: 'fka', weak: false }],
      addresses: [{ address: 'Office 12, Jebel Ali Free Zone, Dubai', city: 'Dubai', country: 'AE' }],
    });
    expect(e.get('os-company-1')!.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['swift_bic:NWTRAEAD', 'registration_number:77123']);
    expect(e.get('os-vessel-1')!.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['imo:1234567', 'mmsi:372123000', 'call_sign:9BXY7']);
    expect(e.get('os-plane-1')!.identifiers.map((i) => i.type)).toEqual(['aircraft_tail_number', 'aircraft_serial_number']);
  });
});

describe('simple list CSV', () => {
  it('reads the header layout, ; lists and type:value identifiers; names stay as written', async () => {
    const { entries, outcome } = await parseListFiles('csv', [join(F, 'internal-list.csv')]);
    expect(outcome.listId).toBe('internal-demo');
    expect([...outcome.fields].sort()).toEqual(['aliases', 'countries', 'entry_type', 'identifiers', 'name', 'programs']);
    const e = byId(entries);
    expect(e.get('WL-0001')).toMatchObject({ aliases: [{ name: 'Golden Crescent Trading', kind: 'aka', weak: false }, { name: 'GCGT FZE', kind: 'aka', weak: false }], countries: ['AE'] });
    expect(e.get('WL-0045')!.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['imo:9312457', 'mmsi:352001234']);
    expect(e.get('WL-0099')!.name).toBe("=cmd|' /C calc'!A0");
    expect(e.get('WL-0100')).toMatchObject({ name: "O'Brien, Seán", countries: ['IE', 'GB'], names: ['O BRIEN SEAN', 'SEAN OBRIEN'], programs: [] });
  });

  it('optional columns may be left out, and a CRLF file with a BOM reads the same', async () => {
    const p = join(dir, 'minimal.csv');
    writeFileSync(p, '\uFEFFlist_id,entry_id,type,name\r\nmy-list,A1,person,Jane Doe\r\n');
    const { entries, outcome } = await parseListFiles('csv', [p]);
    expect(outcome.fields).toEqual(['entry_type', 'name']);
    expect(entries).toMatchObject([{ list_id: 'my-list', entry_id: 'A1', name: 'Jane Doe', aliases: [] }]);
    const copy = join(dir, 'copy.csv');
    copyFileSync(join(F, 'internal-list.csv'), copy);
    expect((await parseListFiles('csv', [copy], { listId: 'internal-demo' })).entries).toHaveLength(4);
  });
});
