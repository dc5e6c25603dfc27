/**
 * Transliteration of a name to ASCII, for screening only: the first step of `normaliseScreeningName`,
 * which then upper-cases, drops apostrophes and splits on everything that is not a letter or a digit.
 *
 * Invariants:
 * - Pure and total: every input (lone surrogates and unassigned code points included) gives a string of
 *   ASCII characters only, never an error, so a name in an unexpected script degrades to fewer tokens
 *   instead of failing a screen. ASCII input comes back unchanged.
 * - Letters of every script are romanised by the maintained `any-ascii` library (character by character,
 *   no context): Latin diacritics and extra letters (Müller → Muller, Straße → Strasse, Łódź → Lodz,
 *   Øresund → Oresund, Æ → Ae), Cyrillic close to BGN/PCGN as list publishers write it (Х → Kh, Щ → Shch,
 *   Ж → Zh, Й → Y), Greek, Arabic and Hebrew as a consonant skeleton (short vowels are not written: محمد
 *   → mhmd; for Arabic the long a is kept, see LIST_ROMANISATION), Chinese as pinyin syllables without
 *   tones, Korean by Revised Romanization, Japanese kana, Thai, Devanagari and the rest. Case is not
 *   meaningful (the caller upper-cases).
 * - What it does not do: it knows no names. Chinese characters give Mandarin syllables run together
 *   (中国石油 → ZhongGuoShiYou, also for Japanese kanji: 東京 → DongJing, not Tokyo), Korean gives
 *   Revised Romanization (김정은 → GimJeongEun, where lists write KIM Jong Un), Arabic and Hebrew give a
 *   skeleton without short vowels (ישראל → ysr'l); a list's own romanisation of such a name may therefore
 *   not match, and only the list's Latin spelling or alias finds it. Smaller variance (Khodorkovskiy ~
 *   KHODORKOVSKY, Sergey ~ SERGEI) is left to Jaro–Winkler and the phonetic key.
 * - Punctuation the library emits (the soft sign and hamza as ', ain as `) is left for the caller, which
 *   removes apostrophes inside a word and splits on the rest.
 * - A non-ASCII symbol (currency, maths, emoji, ©, °) becomes a space, not the library's word for it
 *   (€ → EUR, 👑 → :crown:), so a symbol never adds a token the name does not contain. A character the
 *   library maps to nothing becomes a space when it is unknown (unassigned, private use, a control), so
 *   the words around it stay apart; it is dropped when it is silent by design (a combining mark, a
 *   joiner or soft hyphen, the katakana length mark), so the word around it stays whole.
 * - Input is NFC-composed first, so a decomposed "u + diaeresis" and Hangul jamo read like the composed
 *   forms.
 * Why a library: the product asks for diacritics and transliteration to ASCII with a maintained library;
 * any-ascii (ISC, no dependencies) covers every script, where the former hand tables covered four.
 */
import anyAscii from 'any-ascii';

const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** One non-ASCII code point (a lone surrogate counts as one). */
const NON_ASCII = /[^\x00-\x7f]/gu;
/** Currency, maths and other symbols (emoji included); modifier symbols (´ ¨) are left to the library. */
const SYMBOL = /^[\p{Sc}\p{Sm}\p{So}]$/u;
/** Characters the library drops on purpose: letters such as alif, marks, format characters (ZWJ, soft hyphen). */
const SILENT = /^[\p{L}\p{M}\p{Cf}\p{Sk}]$/u;

/**
 * The only departures from any-ascii: six Arabic-script letters where the library follows a scholarly
 * romanisation and list publishers do not. Measured on the UN consolidated list, whose 378 names in
 * original script (366 Arabic-script) are compared with the list's own Latin spelling of the same entry
 * (../shared/data; transliterate.test.ts keeps the floor): plain any-ascii matches 28 of them, the former
 * hand tables 71, any-ascii with these six rows 73.
 * - Alif and its hamza forms: any-ascii writes alif as nothing and hamza as an apostrophe, but lists
 *   write the long vowel (SADDAM, IBRAHIM, AHMAD, the article AL-): ابراهيم is "abrahym", not "brhym".
 * - Ta marbuta: lists end HAMZA, FATIMA, not HAMZAH.
 * - Zah: lists write Z (NAZAR, NAZMI, MAHFOUZ, AZIM; Persian and Pashto names say z), not DH.
 */
const LIST_ROMANISATION: Readonly<Record<string, string>> = { ا: 'a', أ: 'a', إ: 'a', آ: 'a', ة: 'a', ظ: 'z' };

function mapChar(ch: string): string {
  const listed = LIST_ROMANISATION[ch];
  if (listed !== undefined) return listed;
  if (SYMBOL.test(ch)) return ' ';
  const ascii = anyAscii(ch);
  if (ascii === '') return SILENT.test(ch) ? '' : ' ';
  return ASCII_ONLY.test(ascii) ? ascii : ' ';
}

/** ASCII rendering of `text`: letters and digits kept, other characters left for the caller to split on. */
export function transliterate(text: string): string {
  if (ASCII_ONLY.test(text)) return text;
  return text.normalize('NFC').replace(NON_ASCII, mapChar);
}
