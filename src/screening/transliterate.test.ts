import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transliterate } from './transliterate.ts';
import { normaliseScreeningName as n } from './normalise-name.ts';
import { compareNames } from './screen-name.ts';

const ASCII = /^[\x00-\x7f]*$/;

describe('transliterate', () => {
  it('removes Latin diacritics and spells out letters without a decomposition', () => {
    expect(transliterate('Müller')).toBe('Muller');
    expect(transliterate('Mu\u0308ller')).toBe('Muller');
    expect(transliterate('São Paulo')).toBe('Sao Paulo');
    expect(transliterate('Łódź')).toBe('Lodz');
    expect(transliterate('Øresund')).toBe('Oresund');
    expect(transliterate('Straße')).toBe('Strasse');
    expect(transliterate('Æsir Þór')).toBe('Aesir Thor');
    expect(n('Jürgen Groß').tokens).toEqual(['JURGEN', 'GROSS']);
  });

  it('romanises Cyrillic as lists do (Kh, Shch, Zh)', () => {
    expect(transliterate('Иванов')).toBe('Ivanov');
    expect(transliterate('Щукин')).toBe('Shchukin');
    expect(transliterate('Жуков')).toBe('Zhukov');
    expect(transliterate('Ходорковский')).toBe('Khodorkovskiy');
    expect(transliterate('Віктор Янукович')).toBe('Viktor Yanukovich');
    // The soft sign comes out as an apostrophe, which the normaliser removes inside the word.
    expect(transliterate('Ельцин')).toBe("El'tsin");
    expect(n('Борис Ельцин').tokens).toEqual(['BORIS', 'ELTSIN']);
    expect(compareNames('Mikhail Khodorkovsky', 'Михаил Ходорковский', { type: 'person' }).match).toBe(true);
  });

  it('romanises Greek', () => {
    expect(transliterate('Αθήνα')).toBe('Athina');
    expect(transliterate('Θεσσαλονίκη')).toBe('Thessaloniki');
  });

  it('writes Arabic as a consonant skeleton with the long a that lists write', () => {
    expect(transliterate('محمد')).toBe('mhmd');
    expect(transliterate('ابراهيم')).toBe('abrahym');
    // Names and Latin spellings from the UN consolidated list; none matches with plain any-ascii, each
    // matches with the override rows (alif and hamza forms, ta marbuta, zah).
    expect(compareNames('SALIM AHMAD SALIM HAMDAN', 'سالم أحمد سالم حمدان', { type: 'person' }).match).toBe(true);
    expect(compareNames('MUHAMMAD HAMZA ZUBAIDI', 'محمد حمزة زبيدي', { type: 'person' }).match).toBe(true);
    expect(compareNames('AL-QAIDA', 'القاعدة', { type: 'company' }).match).toBe(true);
    expect(compareNames('IYAD NAZMI SALIH KHALIL', 'إياد نظمي صالح خليل', { type: 'person' }).match).toBe(true);
    expect(compareNames('KHAIRULLAH BARAKZAI KHUDAI NAZAR', 'خيرالله بارکزی خدای نظر', { type: 'person' }).match).toBe(true);
  });

  it('gives ASCII syllables for Chinese, Korean and Hebrew (not the list romanisation)', () => {
    expect(transliterate('中国石油')).toBe('ZhongGuoShiYou');
    expect(n('中国石油').joined).toBe('ZHONGGUOSHIYOU');
    expect(transliterate('北京')).toBe('BeiJing');
    expect(transliterate('김정은')).toBe('GimJeongEun');
    expect(transliterate('ישראל')).toBe("ysr'l");
    expect(n('ישראל').tokens).toEqual(['YSRL']);
  });

  it('keeps ASCII as it is and transliterates mixed scripts in place', () => {
    expect(transliterate('')).toBe('');
    expect(transliterate('ACME Trading L.L.C. & Co (No. 2)')).toBe('ACME Trading L.L.C. & Co (No. 2)');
    expect(transliterate('Газпром Neft 中国')).toBe('Gazprom Neft ZhongGuo');
    expect(n('ООО «Ромашка»').tokens).toEqual(['ROMASHKA']);
    // A typographic apostrophe becomes ASCII, so the normaliser joins the name as for "O'Brien".
    expect(n('O’Brien, Seán').tokens).toEqual(['SEAN', 'OBRIEN']);
  });

  it('turns symbols and emoji into spaces, never into words', () => {
    expect(transliterate('👑')).toBe(' ');
    expect(transliterate('€')).toBe(' ');
    expect(n('😀 ACME® €100 °').tokens).toEqual(['ACME', '100']);
    expect(n('👨‍👩‍👧 Acme 🇷🇺').tokens).toEqual(['ACME']);
  });

  it('splits on unknown characters and drops silent ones', () => {
    expect(transliterate('A\uE000B')).toBe('A B');
    expect(transliterate('A\uD800B')).toBe('A B');
    expect(transliterate('A\u0378B')).toBe('A B');
    expect(transliterate('Mül\u00ADler')).toBe('Muller');
    expect(transliterate('A\u200DB')).toBe('AB');
  });

  it('is total: any string, lone surrogates included, gives ASCII only; ASCII is unchanged', () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
        const out = transliterate(s);
        expect(typeof out).toBe('string');
        expect(ASCII.test(out)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii' }), (s) => transliterate(s) === s));
  });
});

const UN = resolve('../shared/data/sanctions/un-consolidated/un-consolidated.xml');

describe.skipIf(!existsSync(UN))(`original-script names on the UN list${existsSync(UN) ? '' : ' (absent: skipped)'}`, () => {
  it('meet their Latin spelling at least as often as with the former hand tables (71)', () => {
    const xml = readFileSync(UN, 'utf8');
    const tag = (b: string, t: string) => b.match(new RegExp(`<${t}>([^<]*)</${t}>`))?.[1]?.trim() ?? '';
    let total = 0;
    let matched = 0;
    for (const m of xml.matchAll(/<(INDIVIDUAL|ENTITY)>([\s\S]*?)<\/\1>/g)) {
      const original = tag(m[2]!, 'NAME_ORIGINAL_SCRIPT');
      if (!original) continue;
      const latin = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'].map((t) => tag(m[2]!, t)).filter(Boolean).join(' ');
      total++;
      if (compareNames(latin, original, { type: m[1] === 'INDIVIDUAL' ? 'person' : 'company' }).match) matched++;
    }
    console.log(`UN consolidated: ${total} names in original script; ${matched} match their Latin spelling`);
    expect(total).toBeGreaterThan(300);
    expect(matched).toBeGreaterThanOrEqual(71);
  });
});
