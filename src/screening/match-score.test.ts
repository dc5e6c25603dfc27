import { describe, expect, it } from 'vitest';
import { ALGORITHM_VERSION, DEFAULT_THRESHOLD, IDENTIFIER_FLOOR, scoreEntry, type CandidateEntry } from './match-score.ts';
import { nameSimilarity, tokenSimilarity } from './name-similarity.ts';
import { normaliseScreeningName as n } from './normalise-name.ts';
import { compareNames } from './screen-name.ts';

const entry = (over: Partial<CandidateEntry> & { name?: string; alias?: string } = {}): CandidateEntry => ({
  entry_type: over.entry_type ?? 'company',
  countries: over.countries ?? [],
  identifiers: over.identifiers ?? [],
  names: [
    { text: over.name ?? 'SEA SPARROW', normalised: n(over.name ?? 'SEA SPARROW'), weak: false },
    ...(over.alias ? [{ text: over.alias, normalised: n(over.alias), weak: true }] : []),
  ],
});

describe('name similarity', () => {
  it('is independent of token order and symmetric', () => {
    expect(nameSimilarity(n('JOHN SMITH'), n('SMITH JOHN')).score).toBe(1);
    const ab = nameSimilarity(n('Mohammed Ali Hassan'), n('Muhammad Hasan'));
    const ba = nameSimilarity(n('Muhammad Hasan'), n('Mohammed Ali Hassan'));
    expect(ab.score).toBeCloseTo(ba.score, 12);
  });
  it('treats initials weakly and abbreviations well', () => {
    expect(tokenSimilarity('J', 'JOHN')).toMatchObject({ similarity: 0.75, how: 'initial' });
    expect(tokenSimilarity('J', 'MARY').similarity).toBe(0);
    expect(tokenSimilarity('INTNL', 'INTERNATIONAL')).toMatchObject({ similarity: 0.85, how: 'abbreviation' });
    expect(compareNames('J. SMITH', 'JOHN SMITH', { type: 'person' }).match).toBe(false);
  });
  it('penalises short names so "ALI" or "ABC" does not match every longer name', () => {
    expect(compareNames('ALI', 'ALI HASSAN').match).toBe(false);
    expect(compareNames('ABC', 'ABC TRADING LLC').match).toBe(false);
    expect(compareNames('ALI', 'ALI').match).toBe(true);
    expect(compareNames('ABC', 'ABC TRADING LLC').explanation.penalties.short_name).toBeGreaterThan(0);
  });
  it('generic words alone do not make a match', () => {
    expect(compareNames('GENERAL TRADING LLC', 'GOLDEN CRESCENT GENERAL TRADING FZE').match).toBe(false);
  });
  it('uses the joined form for spacing differences', () => {
    const r = compareNames('JSC ARGUMENT', 'JSCARGUMENT', { type: 'company' });
    expect(r.match).toBe(true);
    expect(r.explanation.joined_form).toBeGreaterThan(0.9);
  });
});

describe('scoreEntry qualifiers', () => {
  const q = (over: { type?: 'person' | 'company' | 'vessel'; country?: string; ids?: { type?: string; value: string }[] } = {}) => ({
    name: n('SEA SPARROW'),
    type: over.type ?? null,
    country: over.country ?? null,
    identifiers: over.ids ?? [],
  });
  it('a vessel is not a person; person vs company is penalised less; unknown type is neutral', () => {
    const same = scoreEntry(q({ type: 'vessel' }), entry({ entry_type: 'vessel' }));
    const thing = scoreEntry(q({ type: 'person' }), entry({ entry_type: 'vessel' }));
    const party = scoreEntry(q({ type: 'person' }), entry({ entry_type: 'company' }));
    const unknown = scoreEntry(q(), entry({ entry_type: 'vessel' }));
    expect(same.score).toBe(1);
    expect(unknown.score).toBe(1);
    expect(thing.match).toBe(false);
    expect(thing.explanation.type.adjustment).toBeLessThan(party.explanation.type.adjustment);
    expect(party.explanation.type.adjustment).toBeLessThan(0);
  });
  it('country agrees, clashes, or is neutral when either side is unknown', () => {
    expect(scoreEntry(q({ country: 'PA' }), entry({ countries: ['PA'] })).explanation.country.adjustment).toBeGreaterThan(0);
    expect(scoreEntry(q({ country: 'IR' }), entry({ countries: ['PA'] })).explanation.country.adjustment).toBeLessThan(0);
    expect(scoreEntry(q({ country: 'IR' }), entry()).explanation.country.adjustment).toBe(0);
  });
  it('an exact identifier match is strong evidence even when the name differs', () => {
    const e = entry({ name: 'OCEAN MARAUDER', identifiers: [{ type: 'imo', value: '9312457' }] });
    const r = scoreEntry(q({ ids: [{ type: 'imo', value: 'IMO 9312457'.replace('IMO ', '') }] }), e);
    expect(r.score).toBeGreaterThanOrEqual(IDENTIFIER_FLOOR);
    expect(r.explanation.identifiers.matched).toEqual(['imo']);
    expect(scoreEntry(q(), e).match).toBe(false);
  });
  it('reports a weak alias match and charges for it', () => {
    const r = scoreEntry({ name: n('NW TRADING') }, entry({ name: 'NORTHWIND TRADING FZE', alias: 'NW TRADING' }));
    expect(r).toMatchObject({ matched_name: 'NW TRADING', weak_alias: true });
    expect(r.score).toBeLessThan(1);
    expect(r.explanation.penalties.weak_alias).toBeGreaterThan(0);
  });
  it('match is exactly score >= threshold and the version is stated', () => {
    const r = compareNames('ACME INTL LTD', 'ACME INTERNATIONAL LIMITED');
    expect(r).toMatchObject({ score: 1, match: true, threshold: DEFAULT_THRESHOLD, algorithm_version: ALGORITHM_VERSION });
    expect(compareNames('A B', 'C D', { threshold: 0 }).match).toBe(true);
  });
});
