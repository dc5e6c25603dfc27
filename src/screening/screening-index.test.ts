import { describe, expect, it } from 'vitest';
import { normaliseScreeningName as n } from './normalise-name.ts';
import { ScreeningIndex, type EntryRow } from './screening-index.ts';

const rows: EntryRow[] = [
  { entry_id: 'E1', entry_type: 'company', name: 'JSC ARGUMENT', aliases: [], countries: ['RU'], identifiers: [] },
  { entry_id: 'E2', entry_type: 'person', name: 'KARIMOV, Rustam Alievich', aliases: [{ name: "ABU 'ALI", weak: true }], countries: [], identifiers: [] },
  { entry_id: 'E3', entry_type: 'vessel', name: 'SEA SPARROW', aliases: [], countries: [], identifiers: [{ type: 'imo', value: '1234567' }] },
  { entry_id: 'E4', entry_type: 'company', name: 'Golden Crescent General Trading FZE', aliases: null, countries: null, identifiers: null },
  { entry_id: 'E5', entry_type: 'person', name: 'Muhammad Abdallah', aliases: [], countries: [], identifiers: [] },
  ...Array.from({ length: 500 }, (_, i) => ({ entry_id: `F${i}`, entry_type: 'company', name: `FILLER ${i} GENERAL TRADING`, aliases: [], countries: [], identifiers: [] })),
];
const index = new ScreeningIndex(rows);
const ids = (name: string, idents: { value: string }[] = []) => [...index.candidates(n(name), idents).keys()].map((i) => index.entries[i]!.entry_id);

describe('ScreeningIndex', () => {
  it('candidates include the true entry for spelling, order, spacing and script variants', () => {
    expect(ids('JSCARGUMENT')).toContain('E1');
    expect(ids('ARGUMENT')).toContain('E1');
    expect(ids('Rustam Karimov')).toContain('E2');
    expect(ids('Рустам Каримов')).toContain('E2');
    expect(ids('KARIMOFF RUSTAM')).toContain('E2');
    expect(ids('Mohamed Abdullah')).toContain('E5');
    expect(ids('SEA SPAROW')).toContain('E3');
  });
  it('names only the aliases that share keys with the query', () => {
    const e2 = index.entries.findIndex((e) => e.entry_id === 'E2');
    expect(index.candidates(n('ABU ALI')).get(e2)).toContain(1);
    expect(index.candidates(n('RUSTAM KARIMOV')).get(e2)).toEqual([0]);
  });
  it('an identifier brings its entry in whatever the name', () => {
    expect(ids('UNRELATED NAME', [{ value: '1234567' }])).toContain('E3');
  });
  it('does not make every entry sharing a generic word a candidate, and bounds the candidate count', () => {
    expect(ids('Golden Crescent General Trading').length).toBeLessThan(50);
    expect(ids('Golden Crescent General Trading')).toContain('E4');
    expect(index.candidates(n('FILLER GENERAL TRADING'), [], 100).size).toBeLessThanOrEqual(100);
  });
});
