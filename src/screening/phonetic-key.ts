/**
 * A phonetic key per token: a consonant skeleton in the spirit of Metaphone, small enough to audit.
 *
 * Invariants:
 * - Pure; input is an upper-case ASCII token (normalise-name output); output is upper-case ASCII, maybe
 *   empty for a token of vowels only.
 * - The first letter is kept as a class (vowels -> 'A') so keys stay anchored: names that differ in the
 *   first sound rarely share a key.
 * - After the first letter, vowels, H, W and Y are dropped and doubled letters collapse, and spelling
 *   pairs that sound alike map together (PH/F, CK/K/C/Q, X/KS, Z/S, V/F, B/P, D/T and DH/TH, G/K and
 *   KH/GH, G before E/I/Y as J). This is what makes romanisations agree: MOHAMMED, MUHAMMAD, MOHAMED -> MMT; DIXON and
 *   DICKSON -> TKSN.
 * Why not full Double Metaphone: its hundreds of English-specific rules help English names little and
 * cost readability; screening uses the key as one signal (a bonus and a blocking key), not a verdict.
 */

const VOWELS = new Set(['A', 'E', 'I', 'O', 'U', 'Y']);

export function phoneticKey(token: string): string {
  if (!token) return '';
  let s = token.replace(/[^A-Z0-9]/g, '');
  if (!s) return '';
  if (/^\d+$/.test(s)) return s;
  s = s
    .replace(/PH/g, 'F')
    .replace(/CK/g, 'K')
    .replace(/SCH/g, 'S')
    .replace(/SH/g, 'S')
    .replace(/CH/g, 'S')
    .replace(/TH/g, 'T')
    .replace(/DH/g, 'T')
    .replace(/KH/g, 'K')
    .replace(/GH/g, 'K')
    .replace(/Q/g, 'K')
    .replace(/X/g, 'KS')
    .replace(/C(?=[EIY])/g, 'S')
    .replace(/C/g, 'K')
    .replace(/G(?=[EIY])/g, 'J')
    .replace(/Z/g, 'S')
    .replace(/V/g, 'F')
    .replace(/(?<=.)W/g, '')
    .replace(/D/g, 'T')
    .replace(/B/g, 'P')
    .replace(/G/g, 'K');
  const first = VOWELS.has(s[0]!) ? 'A' : s[0]!;
  let out = first;
  let prev = first;
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (VOWELS.has(c) || c === 'H') {
      // A vowel between two equal consonants keeps them apart (MAMA), H and vowels otherwise vanish.
      prev = '';
      continue;
    }
    if (c === prev) continue;
    out += c;
    prev = c;
  }
  return out;
}
