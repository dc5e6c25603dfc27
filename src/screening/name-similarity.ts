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
 * - Generic business words (TRADING, GENERAL, INTERNATIONAL ...) weigh a quarter of a normal token, so two
 *   companies that share only "GENERAL TRADING" do not match.
 * - The name score blends coverage of the shorter name (a missing middle name or patronymic costs
 *   little) with coverage of both names (extra distinctive words do cost).
 * - Short names are penalised: a name whose informative part has fewer than 4 letters only matches a name
 *   that is the same after normalisation, so "ALI" or "ABC" cannot match every longer name containing it.
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
]);
const GENERIC_WEIGHT = 0.25;
const SHORT_NAME_LETTERS = 4;
const SHORT_NAME_FACTOR = 0.8;

export interface TokenPair {
  a: string;
  b: string;
  similarity: number;
  how: 'exact' | 'initial' | 'abbreviation' | 'phonetic' | 'jaro-winkler';
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

const weight = (t: string) => (GENERIC_WORDS.has(t) ? GENERIC_WEIGHT : 1);
const sum = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);

/** Per-name totals, computed once per normalised name object (list names are scored many times). */
const totals = new WeakMap<NormalisedName, { weight: number; letters: number }>();
function totalsOf(n: NormalisedName): { weight: number; letters: number } {
  let t = totals.get(n);
  if (!t) {
    t = { weight: sum(n.tokens.map(weight)), letters: sum(n.tokens.filter((x) => !GENERIC_WORDS.has(x)).map((x) => x.length)) };
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
  // Greedy best pairs: optimal enough for names of a few tokens, and O(n·m log) rather than Hungarian.
  for (const p of all as (TokenPair & { i: number; j: number })[]) {
    if (usedA[p.i] || usedB[p.j]) continue;
    usedA[p.i] = 1;
    usedB[p.j] = 1;
    pairs.push({ a: p.a, b: p.b, similarity: p.similarity, how: p.how });
  }
  const wa = totalsOf(a).weight;
  const wb = totalsOf(b).weight;
  const matchedA = sum(pairs.map((p) => p.similarity * weight(p.a)));
  const matchedB = sum(pairs.map((p) => p.similarity * weight(p.b)));
  const coverageShorter = wa <= wb ? matchedA / wa : matchedB / wb;
  const coverageBoth = (matchedA + matchedB) / (wa + wb);
  let score = 0.6 * coverageShorter + 0.4 * coverageBoth;

  let joined = 0;
  if (a.joinedAll === b.joinedAll || a.joined === b.joined) joined = 0.98;
  else if ((ta.length === 1) !== (tb.length === 1)) {
    joined = 0.95 * Math.max(jaroWinkler(a.joined, b.joined), jaroWinkler(a.joinedAll, b.joinedAll));
  }
  score = Math.max(score, joined);

  // Short-name penalty: few informative letters on the shorter side and not the same name.
  const shortest = Math.min(totalsOf(a).letters, totalsOf(b).letters);
  let penalty = 0;
  if (shortest < SHORT_NAME_LETTERS && a.joined !== b.joined) {
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
