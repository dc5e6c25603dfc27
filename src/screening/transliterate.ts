/**
 * Transliteration of a name to ASCII letters, digits and separators, for screening only.
 *
 * Invariants:
 * - Pure and total: every input gives a string; a character with no mapping becomes a space, never an
 *   error, so a name in an unexpected script degrades to fewer tokens instead of failing a screen.
 * - Latin diacritics go through Unicode NFKD (the mark is dropped); letters NFKD cannot split (ß, Ø, Ł,
 *   Æ ...) and Cyrillic, Greek and Arabic letters use the small tables below. The tables follow common
 *   romanisations (BGN/PCGN-like for Cyrillic, a simple consonant skeleton for Arabic) because list
 *   publishers romanise that way; the phonetic key then absorbs the remaining spelling variance.
 * Why no library: the project adds no dependency for ~150 table rows, and a table we own is reviewable.
 */

const LATIN: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'TH', ı: 'i', ħ: 'h', Ħ: 'H', ŀ: 'l', Ŀ: 'L', ŋ: 'ng', Ŋ: 'NG', ĸ: 'k',
};

const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l',
  м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g',
  ў: 'u', ј: 'j', љ: 'lj', њ: 'nj', ћ: 'c', ђ: 'dj', џ: 'dz', ќ: 'k', ѓ: 'g', ѕ: 'dz', қ: 'q', ғ: 'gh',
  ұ: 'u', ү: 'u', һ: 'h', ө: 'o', ә: 'a', ң: 'ng',
};

const GREEK: Record<string, string> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n',
  ξ: 'x', ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
};

/** Arabic and Persian letters; short vowels are not written, so the result is a consonant skeleton. */
const ARABIC: Record<string, string> = {
  ا: 'a', أ: 'a', إ: 'i', آ: 'a', ب: 'b', ت: 't', ث: 'th', ج: 'j', ح: 'h', خ: 'kh', د: 'd', ذ: 'dh',
  ر: 'r', ز: 'z', س: 's', ش: 'sh', ص: 's', ض: 'd', ط: 't', ظ: 'z', ع: '', غ: 'gh', ف: 'f', ق: 'q',
  ك: 'k', ل: 'l', م: 'm', ن: 'n', ه: 'h', و: 'w', ي: 'y', ى: 'a', ة: 'a', ء: '', ؤ: 'w', ئ: 'y',
  پ: 'p', چ: 'ch', ژ: 'zh', گ: 'g', ک: 'k', ی: 'y',
};

function mapChar(ch: string): string {
  const latin = LATIN[ch];
  if (latin !== undefined) return latin;
  const lower = ch.toLowerCase();
  const t = CYRILLIC[lower] ?? GREEK[lower] ?? ARABIC[ch];
  if (t === undefined) return ch;
  return ch !== lower ? t.toUpperCase() : t;
}

/** ASCII rendering of `text`: letters and digits kept, other characters left for the caller to split on. */
export function transliterate(text: string): string {
  const decomposed = text.normalize('NFKD').replace(/\p{M}+/gu, '');
  let out = '';
  for (const ch of decomposed) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) {
      out += ch;
      continue;
    }
    const m = mapChar(ch);
    // Anything still outside ASCII (CJK, unmapped scripts) becomes a separator rather than noise.
    out += /^[\x00-\x7f]*$/.test(m) ? m : ' ';
  }
  return out;
}
