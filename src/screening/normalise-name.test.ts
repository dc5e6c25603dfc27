import { describe, expect, it } from 'vitest';
import { normaliseScreeningName as n } from './normalise-name.ts';
import { transliterate } from './transliterate.ts';

describe('normaliseScreeningName', () => {
  it('upper-cases, removes diacritics and punctuation, keeps digits', () => {
    expect(n('José Müller-Lüdenscheidt').tokens).toEqual(['JOSE', 'MULLER', 'LUDENSCHEIDT']);
    expect(n("O'Brien, Seán").tokens).toEqual(['SEAN', 'OBRIEN']);
    expect(n('Adrian Darya-1').tokens).toEqual(['ADRIAN', 'DARYA', '1']);
    expect(n('Jürgen Groß').tokens).toEqual(['JURGEN', 'GROSS']);
  });
  it('transliterates Cyrillic, Greek, Arabic and Chinese script', () => {
    expect(n('Сергей Иванов').tokens).toEqual(['SERGEY', 'IVANOV']);
    expect(transliterate('Αθήνα')).toBe('Athina');
    expect(n('محمد').tokens).toEqual(['MHMD']);
    expect(n('北京').tokens).toEqual(['BEIJING']);
  });
  it('separates company forms, at the end and at the start, with or without dots', () => {
    expect(n('ACME, Inc.')).toMatchObject({ tokens: ['ACME'], forms: ['INC'] });
    expect(n('Acme L.L.C.')).toMatchObject({ tokens: ['ACME'], forms: ['LLC'] });
    expect(n('ACME LIMITED').forms).toEqual(['LTD']);
    expect(n('Grupo Foo S.A. de C.V.')).toMatchObject({ tokens: ['GRUPO', 'FOO'], forms: ['SADECV'] });
    expect(n('Huawei Technologies Co., Ltd.')).toMatchObject({ tokens: ['HUAWEI', 'TECHNOLOGIES'], forms: ['COLTD'] });
    expect(n('OOO Romashka')).toMatchObject({ tokens: ['ROMASHKA'], forms: ['LLC'] });
    expect(n('Public Joint Stock Company Sberbank')).toMatchObject({ tokens: ['SBERBANK'], forms: ['PJSC'] });
    // A name that is only a form word keeps it: a name never becomes empty.
    expect(n('COMPANY').tokens).toEqual(['COMPANY']);
    // "TRADING" is a word of the name, not a company form.
    expect(n('Northwind Trading FZE').tokens).toEqual(['NORTHWIND', 'TRADING']);
  });
  it('joined forms let "JSC ARGUMENT" meet "JSCARGUMENT"', () => {
    expect(n('JSC ARGUMENT').joinedAll).toBe(n('JSCARGUMENT').joinedAll);
    expect(n('JSC ARGUMENT').joined).toBe('ARGUMENT');
  });
  it('reorders "LAST, First" for persons and unknown types, not for companies', () => {
    expect(n('KARIMOV, Rustam Alievich', 'person').tokens).toEqual(['RUSTAM', 'ALIEVICH', 'KARIMOV']);
    expect(n('SMITH, John').tokens).toEqual(['JOHN', 'SMITH']);
    expect(n('Smith, Jones', 'company').tokens).toEqual(['SMITH', 'JONES']);
  });
  it('drops stop words and expands abbreviations', () => {
    expect(n('The Bank of Foo & Bar').tokens).toEqual(['BANK', 'FOO', 'BAR']);
    expect(n('ACME INTL').tokens).toEqual(['ACME', 'INTERNATIONAL']);
    expect(n('Mohd Yusof').tokens).toEqual(['MOHAMMED', 'YUSOF']);
  });
  it('strips ship-type prefixes only for vessels', () => {
    expect(n('M/V SEA SPARROW', 'vessel').tokens).toEqual(['SEA', 'SPARROW']);
    expect(n('MT EVEREST', 'company').tokens).toEqual(['MOUNT', 'EVEREST']);
  });
});
