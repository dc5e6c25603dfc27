/**
 * A labelled set of name pairs built at evaluation time from public sanctions lists (../shared/data/sanctions:
 * the OFAC SDN legacy CSV set of 2021-07 and the UN consolidated list), for measuring the screening matcher on
 * far more than the hand-made fixture, with a tuning part and a held-out part. Nothing of it is stored in the
 * repository (the lists stay in ../shared).
 *
 * True matches (label 1), per entry:
 * - alias: the entry's primary name against each of its aliases the list marks as a.k.a. and not as low
 *   quality (up to 4 per entry) that shares at least one distinctive word with it (after transliteration to
 *   Latin letters and upper case; three letters or more, not a common business word, found in at most 20
 *   names of that type on the list): a spelling of the same name ("TU'MA, Kamal Eddin" ~ "TU'MA, Kamal
 *   Al-Din"), not a translation that shares only "BANK" and "IRAN".
 * - transliteration: an alias written in another script than the name (UN lists the original script).
 * - other-name (label 1, reported apart and left out of the headline figures): an a.k.a. sharing no distinctive
 *   word with the name is another name, not a spelling of it — a pseudonym, a translation, an acronym ("EUZKADI TA
 *   ASKATASUNA" ~ "BASQUE FATHERLAND AND LIBERTY"); no name matcher can find it and a miss there says nothing
 *   about the matcher, so its recall is shown for completeness only.
 * Former names (f.k.a., n.k.a.: a renamed company or ship) and the list's weak aliases are left out altogether:
 * they are not the name's spellings either (identifiers find them).
 * - variant: one spelling variant of the primary name from a fixed noise model, chosen by a hash of the entry:
 *   a one-letter slip (substitution, deletion, transposition) in a word of five letters or more; two words
 *   written as one; for persons "LAST, First" written "First LAST" or a middle name left out; for companies
 *   the legal form written out, abbreviated or dropped; for vessels a numeral written the other way (III ↔ 3)
 *   or a prefix (MV, M/V, MT).
 * Non-matches (label 0), graded, between different entries of one list and one type:
 * - neighbour: the next entry in alphabetical order of the normalised name (shares a prefix: hard);
 * - shared-token: an entry sharing one distinctive word (a surname, a place) and nothing else it needs;
 * - common-words: companies whose names share a common business word (TRADING, SHIPPING, ...);
 * - random: a random entry of the same type (easy).
 * Pairs of different entries that share a name or alias after normalisation (namesakes, or one body listed
 * twice) are left out: no name matcher can tell them apart, other facts must.
 *
 * Split: each entry falls into 'tune' or 'heldout' by a hash of (list, entry id), half and half; an entry's
 * positives go with it, a negative pair is kept only when both entries fall in the same part. Deterministic.
 * Types: person (OFAC individual, UN individual), company (OFAC entity, UN entity), vessel (OFAC vessel).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { transliterate } from '../../src/screening/transliterate.ts';
import { normaliseName, parseListFiles, type StoredEntry } from '../../src/watchlists/index.ts';

export type PairType = 'person' | 'company' | 'vessel';
export interface LabelledPair {
  a: string;
  b: string;
  type: PairType;
  label: 0 | 1;
  kind: 'alias' | 'transliteration' | 'other-name' | 'variant' | 'neighbour' | 'shared-token' | 'common-words' | 'random';
  part: 'tune' | 'heldout';
  list: string;
}

const MAX_ALIASES = 4;

/**
 * Common business words for the common-words non-matches and to keep shared-token non-matches distinctive: a
 * fixed list of this file (not the matcher's), so changing the matcher never changes the pairs it is judged on.
 */
const COMMON_WORDS: ReadonlySet<string> = new Set([
  'TRADING', 'TRADE', 'GENERAL', 'INTERNATIONAL', 'GROUP', 'HOLDING', 'HOLDINGS', 'INDUSTRIES', 'INDUSTRIAL',
  'ENTERPRISE', 'ENTERPRISES', 'SERVICES', 'SERVICE', 'BANK', 'SHIPPING', 'COMMERCIAL', 'INVESTMENT',
  'INVESTMENTS', 'DEVELOPMENT', 'TECHNOLOGY', 'TECHNOLOGIES', 'IMPORT', 'EXPORT', 'GLOBAL', 'NATIONAL',
  'MANAGEMENT', 'SOLUTIONS', 'PETROLEUM', 'OIL', 'GAS', 'ENERGY', 'MARINE', 'MARITIME', 'LOGISTICS',
  'CONSTRUCTION', 'ENGINEERING', 'MANUFACTURING', 'COMMERCE', 'CENTER', 'CENTRE', 'AND', 'PARTNERS',
  'NAVIGATION', 'TRANSPORT', 'CONSULTING', 'EXCHANGE', 'FINANCE', 'FINANCIAL', 'ELECTRONICS', 'CHEMICAL',
  'CHEMICALS', 'METALS', 'STEEL', 'INDUSTRY', 'FOUNDATION', 'ASSOCIATION', 'ORGANIZATION', 'AGENCY',
]);

function fnv(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

const ROMAN: Record<string, string> = { I: '1', II: '2', III: '3', IV: '4', V: '5', VI: '6', VII: '7', VIII: '8', IX: '9', X: '10' };
const ARABIC = Object.fromEntries(Object.entries(ROMAN).map(([r, a]) => [a, r]));
const FORM_SWAPS: [RegExp, string][] = [
  [/\bLTD\.?$/i, 'LIMITED'], [/\bLIMITED$/i, 'LTD'], [/\bCO\.?$/i, 'COMPANY'], [/\bCOMPANY$/i, 'CO'],
  [/\bCORP\.?$/i, 'CORPORATION'], [/\bCORPORATION$/i, 'CORP'], [/\bINC\.?$/i, 'INCORPORATED'], [/\bLLC$/i, 'L.L.C.'],
];

/** One spelling variant of a name by the noise model in the header; null when the name offers none. */
export function variantOf(name: string, type: PairType, h: number): string | null {
  const words = name.split(/\s+/).filter(Boolean);
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => /^[A-Za-z]{5,}$/.test(w.replace(/[,.]$/, '')));
  const slip = () => {
    if (!long.length) return null;
    const [w, i] = long[h % long.length]!;
    const core = w.replace(/[,.]$/, '');
    const tail = w.slice(core.length);
    const p = 1 + ((h >>> 8) % (core.length - 2));
    const op = (h >>> 16) % 3;
    const ch = String.fromCharCode(97 + ((h >>> 20) % 26));
    const edited = op === 0 ? core.slice(0, p) + (core[p] === core[p]!.toUpperCase() ? ch.toUpperCase() : ch) + core.slice(p + 1) : op === 1 ? core.slice(0, p) + core.slice(p + 1) : core.slice(0, p) + core[p + 1] + core[p] + core.slice(p + 2);
    return words.map((x, j) => (j === i ? edited + tail : x)).join(' ');
  };
  const join2 = () => {
    // Two words of one part of the name written as one ("ABDUL RAHMAN" ~ "ABDULRAHMAN"), never across the comma.
    const at = words.map((_, i) => i).filter((i) => i + 1 < words.length && !/[,.]$/.test(words[i]!) && /^[A-Za-z'-]+$/.test(words[i]!) && /^[A-Za-z'-]+$/.test(words[i + 1]!));
    if (!at.length) return null;
    const i = at[h % at.length]!;
    return [...words.slice(0, i), words[i]! + words[i + 1], ...words.slice(i + 2)].join(' ');
  };
  const typed = (): string | null => {
    if (type === 'person') {
      const m = /^([^,]+),\s*(.+)$/.exec(name);
      if (!m) return null;
      const given = m[2]!.split(/\s+/);
      if ((h >>> 4) % 2 === 0 || given.length < 2) return `${m[2]} ${m[1]}`;
      return `${given[0]} ${m[1]}`;
    }
    if (type === 'company') {
      for (const [re, to] of FORM_SWAPS) if (re.test(name)) return name.replace(re, to);
      return null;
    }
    const last = words.at(-1)!;
    if (ROMAN[last.toUpperCase()]) return [...words.slice(0, -1), ROMAN[last.toUpperCase()]].join(' ');
    if (ARABIC[last]) return [...words.slice(0, -1), ARABIC[last]].join(' ');
    return `${['MV', 'M/V', 'MT'][(h >>> 4) % 3]} ${name}`;
  };
  const order = [slip, join2, typed];
  for (let k = 0; k < order.length; k++) {
    const v = order[(h + k) % order.length]!();
    if (v && normaliseName(v) !== normaliseName(name)) return v;
  }
  return null;
}

/** Latin letters only (with punctuation, digits and accents): a name written in another script fails. */
const LATIN = /^[\p{Script=Latin}\p{M}\p{N}\p{P}\p{S}\s]*$/u;
const words3 = (name: string) => new Set(normaliseName(transliterate(name)).split(' ').filter((w) => w.length >= 3 && !COMMON_WORDS.has(w)));
/** Whether two names share a word that few names of the list (`freq`: names per word) carry. */
function sharesWord(a: string, b: string, freq: ReadonlyMap<string, number>): boolean {
  const wa = words3(a);
  return [...words3(b)].some((w) => wa.has(w) && (freq.get(w) ?? 0) <= DISTINCTIVE_MAX);
}
const DISTINCTIVE_MAX = 20;

const typeOf = (e: StoredEntry): PairType | null => (e.entry_type === 'person' || e.entry_type === 'company' || e.entry_type === 'vessel' ? e.entry_type : null);

function pairsOfList(list: string, entries: readonly StoredEntry[]): LabelledPair[] {
  const out: LabelledPair[] = [];
  const part = (e: StoredEntry) => (fnv(`${list}|${e.entry_id}`) % 2 === 0 ? 'tune' : 'heldout') as LabelledPair['part'];
  const norms = new Map(entries.map((e) => [e, new Set([e.name, ...e.aliases.map((a) => a.name)].map(normaliseName))]));
  const namesake = (x: StoredEntry, y: StoredEntry) => [...norms.get(x)!].some((n) => norms.get(y)!.has(n));
  const negative = (x: StoredEntry, y: StoredEntry, type: PairType, kind: LabelledPair['kind']) => {
    if (x === y || part(x) !== part(y) || namesake(x, y)) return;
    out.push({ a: x.name, b: y.name, type, label: 0, kind, part: part(x), list });
  };
  for (const type of ['person', 'company', 'vessel'] as const) {
    const es = entries.filter((e) => typeOf(e) === type);
    const freq = new Map<string, number>();
    for (const e of es) for (const w of words3(e.name)) freq.set(w, (freq.get(w) ?? 0) + 1);
    for (const e of es) {
      const h = fnv(`${list}|${e.entry_id}|variant`);
      for (const a of e.aliases.filter((x) => x.kind === 'aka' && !x.weak).slice(0, MAX_ALIASES)) {
        if (normaliseName(a.name) === normaliseName(e.name)) continue;
        const kind = !LATIN.test(a.name) || !LATIN.test(e.name) ? 'transliteration' : sharesWord(e.name, a.name, freq) ? 'alias' : 'other-name';
        out.push({ a: e.name, b: a.name, type, label: 1, kind, part: part(e), list });
      }
      const v = variantOf(e.name, type, h);
      if (v) out.push({ a: e.name, b: v, type, label: 1, kind: 'variant', part: part(e), list });
    }
    const sorted = [...es].sort((x, y) => normaliseName(x.name).localeCompare(normaliseName(y.name)) || x.entry_id.localeCompare(y.entry_id));
    for (let i = 0; i + 1 < sorted.length; i++) negative(sorted[i]!, sorted[i + 1]!, type, 'neighbour');
    // Distinctive words: not generic business words, at least 4 letters, shared by 2 to 50 entries.
    const byToken = new Map<string, StoredEntry[]>();
    for (const e of es) {
      for (const tok of new Set(normaliseName(e.name).split(' '))) {
        if (tok.length < 4 || COMMON_WORDS.has(tok) || /^\d+$/.test(tok)) continue;
        (byToken.get(tok) ?? byToken.set(tok, []).get(tok)!).push(e);
      }
    }
    for (const [tok, group] of [...byToken].sort((x, y) => x[0].localeCompare(y[0]))) {
      if (group.length < 2 || group.length > 50) continue;
      for (let i = 0; i + 1 < group.length && i < 6; i++) negative(group[i]!, group[(i + 1 + (fnv(tok) % (group.length - 1))) % group.length]!, type, 'shared-token');
    }
    if (type === 'company') {
      for (const w of [...COMMON_WORDS].sort()) {
        const group = es.filter((e) => normaliseName(e.name).split(' ').includes(w));
        for (let i = 0; i + 1 < group.length && i < 10; i++) negative(group[i]!, group[group.length - 1 - i]!, type, 'common-words');
      }
    }
    for (const e of sorted) negative(e, sorted[fnv(`${list}|${e.entry_id}|random`) % sorted.length]!, type, 'random');
  }
  return out;
}
export interface PairSources {
  ofac: string;
  un: string;
}

export const DEFAULT_SOURCES: PairSources = {
  ofac: '../shared/data/sanctions/ofac-sdn-2021-07',
  un: '../shared/data/sanctions/un-consolidated/un-consolidated.xml',
};

export function sourcesPresent(s: PairSources = DEFAULT_SOURCES): boolean {
  return existsSync(join(s.ofac, 'sdn.csv')) && existsSync(s.un);
}

/** Every labelled pair of both lists, tune and held-out parts together (filter on `part`). */
export async function buildScreeningPairs(s: PairSources = DEFAULT_SOURCES): Promise<LabelledPair[]> {
  const ofac = await parseListFiles('ofac-csv', ['sdn.csv', 'alt.csv', 'add.csv', 'sdn_comments.csv'].map((f) => join(s.ofac, f)).filter(existsSync));
  const un = await parseListFiles('un-xml', [s.un]);
  return [...pairsOfList('ofac', ofac.entries), ...pairsOfList('un', un.entries)];
}
