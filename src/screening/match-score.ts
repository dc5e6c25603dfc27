/**
 * The screening score of a query against one watch-list entry: name similarity adjusted by qualifiers,
 * with every number that produced it.
 *
 * Invariants:
 * - Pure; the score is in [0, 1] and `match` is exactly `score >= threshold`.
 * - Name similarity is the best over the entry's name and aliases; a weak alias (a.k.a. the list itself
 *   marks low quality) costs WEAK_ALIAS_PENALTY and is reported.
 * - Qualifiers only adjust when both sides know the fact: an unknown type or country is neutral, never a
 *   penalty, because lists and queries often lack them.
 * - Type: a vessel or aircraft against a person or company is a different kind of thing (large
 *   penalty); person against company is penalised less (lists type some entities loosely).
 * - An exact identifier match (IMO, MMSI, BIC, tax id ...; same type and value, ignoring case and
 *   spacing) is strong evidence on its own: the score is lifted to at least IDENTIFIER_FLOOR.
 * - ALGORITHM_VERSION changes whenever a rule or a constant here or in name-similarity changes, or when
 *   normalisation changes scores (match-2: transliteration by any-ascii; match-3: titles and the Arabic
 *   article dropped, name particles weighing a quarter, contained names, joined words, vessel numerals), so a
 *   stored result says which rules made it.
 */
import { nameSimilarity, type NameSimilarity, type TokenPair } from './name-similarity.ts';
import type { NormalisedName, ScreenType } from './normalise-name.ts';

export const ALGORITHM_VERSION = 'match-3';
/**
 * Checked on the tuning half of the pairs built from the public lists (bench/eval/screening-pairs.ts, npm run
 * eval:screening): F1 there rises slowly below 0.88 (0.914 at 0.88, 0.919 at 0.86) while precision falls, and an
 * initial alone ("J. SMITH" ~ "JOHN SMITH", 0.875) would start to match; those pairs are balanced and live
 * screening meets far more non-matches, so 0.88 stays. Held-out figures are reported by the same script.
 */
export const DEFAULT_THRESHOLD = 0.88;
export const WEAK_ALIAS_PENALTY = 0.03;
export const IDENTIFIER_FLOOR = 0.97;
const COUNTRY_AGREES = 0.02;
const COUNTRY_CLASHES = -0.05;
const PERSON_VS_COMPANY = -0.15;
const THING_VS_PARTY = -0.3;

export interface QueryIdentifier {
  type?: string | null;
  value: string;
}

export interface ScreenQuery {
  name: NormalisedName;
  type?: ScreenType | null;
  country?: string | null;
  identifiers?: readonly QueryIdentifier[];
}

export interface CandidateName {
  /** The name as the list writes it. */
  text: string;
  normalised: NormalisedName;
  weak: boolean;
}

export interface CandidateEntry {
  entry_type: string;
  countries: readonly string[];
  identifiers: readonly { type: string; value: string }[];
  names: readonly CandidateName[];
}

export interface Explanation {
  name_similarity: number;
  token_pairs: Pick<TokenPair, 'a' | 'b' | 'similarity' | 'how'>[];
  phonetic_agreement: number;
  coverage_shorter: number;
  coverage_both: number;
  joined_form: number;
  type: { query: string | null; entry: string; adjustment: number };
  country: { query: string | null; entry: readonly string[]; adjustment: number };
  identifiers: { matched: string[]; floor: number | null };
  penalties: { short_name: number; weak_alias: number };
}

export interface MatchScore {
  score: number;
  match: boolean;
  matched_name: string;
  weak_alias: boolean;
  explanation: Explanation;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const canonId = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

export function typeAdjustment(query: string | null | undefined, entry: string): number {
  if (!query || entry === 'other' || query === entry) return 0;
  const thing = (t: string) => t === 'vessel' || t === 'aircraft';
  if (thing(query) !== thing(entry)) return THING_VS_PARTY;
  return thing(query) ? THING_VS_PARTY : PERSON_VS_COMPANY;
}

export function countryAdjustment(query: string | null | undefined, entry: readonly string[]): number {
  if (!query || !entry.length) return 0;
  return entry.some((c) => c.toUpperCase() === query.toUpperCase()) ? COUNTRY_AGREES : COUNTRY_CLASHES;
}

export function identifierMatches(query: readonly QueryIdentifier[] | undefined, entry: CandidateEntry['identifiers']): string[] {
  if (!query?.length) return [];
  const out: string[] = [];
  for (const q of query) {
    const v = canonId(q.value);
    if (v.length < 4) continue;
    for (const e of entry) {
      if (canonId(e.value) === v && (!q.type || q.type === e.type)) out.push(e.type);
    }
  }
  return [...new Set(out)];
}

export function scoreEntry(q: ScreenQuery, e: CandidateEntry, threshold = DEFAULT_THRESHOLD, memo?: Map<string, TokenPair>): MatchScore {
  let best: { sim: NameSimilarity; name: CandidateName; adjusted: number } | null = null;
  for (const n of e.names) {
    const sim = nameSimilarity(q.name, n.normalised, memo);
    const adjusted = sim.score - (n.weak ? WEAK_ALIAS_PENALTY : 0);
    if (!best || adjusted > best.adjusted) best = { sim, name: n, adjusted };
  }
  const sim = best?.sim ?? nameSimilarity(q.name, { tokens: [], forms: [], joined: '', joinedAll: '' });
  const typeAdj = typeAdjustment(q.type, e.entry_type);
  const countryAdj = countryAdjustment(q.country, e.countries);
  const ids = identifierMatches(q.identifiers, e.identifiers);
  const weakPenalty = best?.name.weak ? WEAK_ALIAS_PENALTY : 0;
  let score = (best?.adjusted ?? 0) + typeAdj + countryAdj;
  if (ids.length) score = Math.max(score, IDENTIFIER_FLOOR);
  score = round(Math.min(1, Math.max(0, score)));
  return {
    score,
    match: score >= threshold,
    matched_name: best?.name.text ?? '',
    weak_alias: best?.name.weak ?? false,
    explanation: {
      name_similarity: round(sim.score),
      token_pairs: sim.pairs.map((p) => ({ a: p.a, b: p.b, similarity: round(p.similarity), how: p.how })),
      phonetic_agreement: round(sim.phonetic_agreement),
      coverage_shorter: round(sim.coverage_shorter),
      coverage_both: round(sim.coverage_both),
      joined_form: round(sim.joined),
      type: { query: q.type ?? null, entry: e.entry_type, adjustment: typeAdj },
      country: { query: q.country ?? null, entry: e.countries, adjustment: countryAdj },
      identifiers: { matched: ids, floor: ids.length ? IDENTIFIER_FLOOR : null },
      penalties: { short_name: round(sim.short_name_penalty), weak_alias: weakPenalty },
    },
  };
}
