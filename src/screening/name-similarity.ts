/**
 * Similarity of two normalised names (0..1), with the numbers that explain it.
 *
 * Invariants:
 * - Pure and symmetric in its score; independent of token order (best pairs are chosen greedily from all
 *   token pairs, each token used at most once).
 * - Token similarity: equal = 1; an initial against a name starting with it = 0.75 (weak: "J." may be
 *   anyone whose name starts with J); an abbreviation (a short token whose letters appear in order in a
 *   longer one starting the same way, INTL ~ INTERNATIONAL) = 0.85; otherwise Jaro–Winkler, lifted halfway
 *   to 1 when the phonetic keys agree (romanisations: MOHAMMED ~ MUHAMMAD) and squared when they do not.
 * - Generic business words (TRADING, GENERAL, INTERNATIONAL ...) and name particles (BIN, BEN, DE ...) weigh
 *   a quarter of a normal token, so two companies that share only "GENERAL TRADING" do not match.
 * - A shorter name of two informative words or more whose every word is found in the longer one scores at least
 *   its coverage less 0.03 per further informative word of the longer name ("HUSSEIN, Saddam" ~ "AL-TIKRITI,
 *   Saddam Hussein"): dropped given names and patronymics are the commonest variation on lists. One informative
 *   word of seven letters or more matched exactly counts like two ("SYRIATEL" ~ "SYRIATEL MOBILE TELECOM").
 * - The name score blends coverage of the shorter name (a missing middle name or patronymic costs
 *   little) with coverage of both names (extra distinctive words do cost).
 * - Short names are penalised: a name whose informative part has fewer than 4 letters only matches a name
 *   that is the same after normalisation (core or with its forms: "SES INTERNATIONAL CORP" ~ "SES
 *   INTERNATIONALCORP"), so "ALI" or "ABC" cannot match every longer name containing it.
 * - The joined form rescues spacing differences ("JSC ARGUMENT" ~ "JSCARGUMENT"), only when one side is a
 *   single token or the joined forms are equal, because joined strings of long names look alike too easily.
 */
import { jaroWinkler } from './jaro-winkler.ts';
import { phoneticKey } from './phonetic-key.ts';
import type { NormalisedName } from './normalise-name.ts';

export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  'TRADING', 'TRADE', 'GENERAL', 'INTERNATIONAL', 'GROUP', 'HOLDING', 'HOLDINGS', 'INDUSTRIES', 'INDUSTRIAL',
  'ENTERPRISE', 'ENTERPRISES', 'SERVICES', 'SERVICE', 'BANK', 'SHIPPING', 'COMMERCIAL', 'INVESTMENT',
  'INVESTMENTS', 'DEVELOPMENT', 'TECHNOLOGY', 'TECHNOLOGIES', 'IMPORT', 'EXPORT', 'GLOBAL', 'NATIONAL',
  'MANAGEMENT', 'SOLUTIONS', 'PETROLEUM', 'OIL', 'GAS', 'ENERGY', 'MARINE', 'MARITIME', 'LOGISTICS',
  'CONSTRUCTION', 'ENGINEERING', 'MANUFACTURING', 'COMMERCE', 'CENTER', 'CENTRE', 'AND', 'PARTNERS',
  'NAVIGATION', 'TRANSPORT', 'CONSULTING', 'EXCHANGE', 'FINANCE', 'FINANCIAL', 'ELECTRONICS', 'CHEMICAL',
  'CHEMICALS', 'METALS', 'STEEL', 'INDUSTRY', 'FOUNDATION', 'ASSOCIATION', 'ORGANIZATION', 'AGENCY',
  'ORGANISATION', 'INSTITUTE', 'RESEARCH', 'COUNCIL', 'NETWORK', 'SOCIETY', 'TRUST', 'CHARITY', 'CHARITABLE',
  'COMMITTEE', 'BRANCH', 'OFFICE', 'DEPARTMENT', 'MINISTRY', 'FACTORY', 'PRODUCTS', 'SYSTEMS', 'TELECOM',
  'BROTHERS', 'FIRM', 'HOUSE', 'COMPLEX',
]);
/**
 * Name particles (son of, of, from: BIN, BEN, IBN, UL, DE, VAN ...): part of a name, but shared by so many that
 * they weigh like generic business words, and a missing one costs little ("Nabil BEN ATTIA" ~ "BEN ATTIA,
 * Nabil Ben Mohamed Ben Ali").
 */
export const NAME_PARTICLES: ReadonlySet<string> = new Set(['BIN', 'BEN', 'IBN', 'BINT', 'UL', 'UD', 'DE', 'DEL', 'DA', 'DI', 'DOS', 'DAS', 'VAN', 'VON', 'DER', 'LA', 'LE', 'Y']);
const GENERIC_WEIGHT = 0.25;
const SUBSET_COVERAGE = 0.95;
const SUBSET_EXTRA = 0.03;
const SUBSET_LONE_LETTERS = 7;
const SHORT_NAME_LETTERS = 4;
const SHORT_NAME_FACTOR = 0.8;

export interface TokenPair {
  a: string;
  b: string;
  similarity: number;
  how: 'exact' | 'initial' | 'abbreviation' | 'phonetic' | 'jaro-winkler' | 'joined-words';
}

export interface NameSimilarity {
  score: number;
  pairs: TokenPair[];
  /** Share of paired tokens whose phonetic keys agree. */
  phonetic_agreement: number;
  coverage_shorter: number;
  coverage_both: number;
  joined: number;
  short_name_penalty: number;
}

const keyCache = new Map<string, string>();
/** Phonetic keys memoised: list tokens repeat a lot and keys are pure. Bounded so memory stays flat. */
export function cachedKey(token: string): string {
  let k = keyCache.get(token);
  if (k === undefined) {
    k = phoneticKey(token);
    if (keyCache.size > 200_000) keyCache.clear();
    keyCache.set(token, k);
  }
  return k;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (short[i] === long[j]) i++;
  return i === short.length;
}

export function tokenSimilarity(a: string, b: string): TokenPair {
  if (a === b) return { a, b, similarity: 1, how: 'exact' };
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  if (s.length === 1) return { a, b, similarity: l.startsWith(s) ? 0.75 : 0, how: 'initial' };
  if (s.length >= 3 && l.length >= s.length + 3 && s[0] === l[0] && /\D/.test(s) && isSubsequence(s, l)) {
    return { a, b, similarity: 0.85, how: 'abbreviation' };
  }
  const jw = jaroWinkler(a, b);
  const ka = cachedKey(a);
  if (ka.length >= 2 && ka === cachedKey(b)) return { a, b, similarity: Math.max(jw, (jw + 1) / 2), how: 'phonetic' };
  // Squared: plain Jaro–Winkler is generous to different words that share a prefix (SUNRISE/SUNSET 0.89,
  // NORTH/SOUTH 0.73); a spelling that sounds the same was handled above, so what is left is mostly a
  // different word or a typo, and squaring keeps typos high (0.96 -> 0.92) while sinking the rest.
  return { a, b, similarity: jw * jw, how: 'jaro-winkler' };
}

const weight = (t: string) => (GENERIC_WORDS.has(t) || NAME_PARTICLES.has(t) ? GENERIC_WEIGHT : 1);
const sum = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);

/** Per-name totals, computed once per normalised name object (list names are scored many times). */
const totals = new WeakMap<NormalisedName, { weight: number; letters: number; informative: number }>();
function totalsOf(n: NormalisedName): { weight: number; letters: number; informative: number } {
  let t = totals.get(n);
  if (!t) {
    t = {
      weight: sum(n.tokens.map(weight)),
      letters: sum(n.tokens.filter((x) => weight(x) === 1).map((x) => x.length)),
      informative: n.tokens.filter((x) => weight(x) === 1).length,
    };
    totals.set(n, t);
  }
  return t;
}

/**
 * `memo` (optional) caches token similarities for the duration of one screen: list tokens repeat across
 * entries and aliases, so a query meets the same token pairs many times.
 */
export function nameSimilarity(a: NormalisedName, b: NormalisedName, memo?: Map<string, TokenPair>): NameSimilarity {
  const ta = a.tokens;
  const tb = b.tokens;
  const none: NameSimilarity = { score: 0, pairs: [], phonetic_agreement: 0, coverage_shorter: 0, coverage_both: 0, joined: 0, short_name_penalty: 0 };
  if (!ta.length || !tb.length) return none;
  const all: TokenPair[] = [];
  for (let i = 0; i < ta.length; i++) for (let j = 0; j < tb.length; j++) {
    let p: TokenPair | undefined;
    if (memo) {
      const key = `${ta[i]!}\u0001${tb[j]!}`;
      p = memo.get(key);
      if (!p) memo.set(key, (p = tokenSimilarity(ta[i]!, tb[j]!)));
    } else p = tokenSimilarity(ta[i]!, tb[j]!);
    if (p.similarity >= 0.5) all.push({ ...p, i, j } as TokenPair);
  }
  all.sort((p, q) => q.similarity - p.similarity);
  const usedA = new Uint8Array(ta.length);
  const usedB = new Uint8Array(tb.length);
  const pairs: TokenPair[] = [];
  // First: two words on one side written as one on the other ("NAFT IRAN" ~ "NAFTIRAN", "ABDUL RAHMAN" ~
  // "ABDULRAHMAN"): the joined word pairs with both, counted once on each side by its own weight; before
  // the greedy pairs, which would pair the joined word with one of its parts by Jaro-Winkler.
  const joinedPairs = (x: readonly string[], usedX: Uint8Array, y: readonly string[], usedY: Uint8Array, xIsA: boolean) => {
    for (let i = 0; i < x.length; i++) {
      if (usedX[i] || x[i]!.length < 5) continue;
      for (let j = 0; j + 1 < y.length; j++) {
        // Lengths first: no string is built for the (usual) pairs that cannot be the word split in two.
        if (usedY[j] || usedY[j + 1] || y[j]!.length + y[j + 1]!.length !== x[i]!.length || !x[i]!.startsWith(y[j]!) || !x[i]!.endsWith(y[j + 1]!)) continue;
        usedX[i] = 1;
        usedY[j] = 1;
        usedY[j + 1] = 1;
        for (const part of [y[j]!, y[j + 1]!]) pairs.push(xIsA ? { a: x[i]!, b: part, similarity: 1, how: 'joined-words' } : { a: part, b: x[i]!, similarity: 1, how: 'joined-words' });
        break;
      }
    }
  };
  joinedPairs(ta, usedA, tb, usedB, true);
  joinedPairs(tb, usedB, ta, usedA, false);
  // Greedy best pairs: optimal enough for names of a few tokens, and O(n·m log) rather than Hungarian.
  for (const p of all as (TokenPair & { i: number; j: number })[]) {
    if (usedA[p.i] || usedB[p.j]) continue;
    usedA[p.i] = 1;
    usedB[p.j] = 1;
    pairs.push({ a: p.a, b: p.b, similarity: p.similarity, how: p.how });
  }
  const wa = totalsOf(a).weight;
  const wb = totalsOf(b).weight;
  // A joined word appears in two pairs: half of it in each.
  const share = (mine: string, other: string, how: TokenPair['how']) => (how === 'joined-words' && mine.length > other.length ? 0.5 : 1);
  const matchedA = sum(pairs.map((p) => p.similarity * weight(p.a) * share(p.a, p.b, p.how)));
  const matchedB = sum(pairs.map((p) => p.similarity * weight(p.b) * share(p.b, p.a, p.how)));
  const coverageShorter = wa <= wb ? matchedA / wa : matchedB / wb;
  const coverageBoth = (matchedA + matchedB) / (wa + wb);
  let score = 0.6 * coverageShorter + 0.4 * coverageBoth;
  // Contained names: every informative word of the shorter name (two at least) found in the longer one is the
  // commonest variation of all (given names, patronymics, a place or a branch left out); each further word of
  // the longer name costs SUBSET_EXTRA instead of diluting the blend.
  const shorter = wa <= wb ? a : b;
  // One long informative word matched exactly is as distinctive as two ("SYRIATEL" ~ "SYRIATEL MOBILE TELECOM").
  const contained = totalsOf(shorter).informative >= 2 || pairs.some((p) => p.how === 'exact' && weight(p.a) === 1 && p.a.length >= SUBSET_LONE_LETTERS);
  if (contained && totalsOf(shorter).informative >= 1 && coverageShorter >= SUBSET_COVERAGE) {
    const longer = shorter === a ? b : a;
    const paired = new Set(pairs.map((p) => (shorter === a ? p.b : p.a)));
    const extra = longer.tokens.filter((tk) => weight(tk) === 1 && !paired.has(tk)).length;
    score = Math.max(score, coverageShorter * (1 - SUBSET_EXTRA * extra));
  }

  let joined = 0;
  if (a.joinedAll === b.joinedAll || a.joined === b.joined) joined = 0.98;
  else if ((ta.length === 1) !== (tb.length === 1)) {
    joined = 0.95 * Math.max(jaroWinkler(a.joined, b.joined), jaroWinkler(a.joinedAll, b.joinedAll));
  } else if (ta.length === 1 && (a.joinedAll !== a.joined || b.joinedAll !== b.joined)) {
    // One word each after a dropped article or form: compare as written ("AL-QAIDA" ~ "ALQAIDA").
    joined = 0.95 * jaroWinkler(a.joinedAll, b.joinedAll);
  }
  score = Math.max(score, joined);

  // Short-name penalty: few informative letters on the shorter side and not the same name.
  const shortest = Math.min(totalsOf(a).letters, totalsOf(b).letters);
  let penalty = 0;
  if (shortest < SHORT_NAME_LETTERS && a.joined !== b.joined && a.joinedAll !== b.joinedAll) {
    penalty = score * (1 - SHORT_NAME_FACTOR);
    score -= penalty;
  }
  const phon = pairs.length ? pairs.filter((p) => p.how === 'exact' || (cachedKey(p.a) !== '' && cachedKey(p.a) === cachedKey(p.b))).length / pairs.length : 0;
  return {
    score: Math.min(1, Math.max(0, score)),
    pairs,
    phonetic_agreement: phon,
    coverage_shorter: coverageShorter,
    coverage_both: coverageBoth,
    joined,
    short_name_penalty: penalty,
  };
}
