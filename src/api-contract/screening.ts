/**
 * HTTP contract of screening: a name (and identifiers) against the watch lists, and two names compared.
 *
 * Invariants: pure types (the web imports this file); src/server/screen-routes.ts returns these shapes,
 * checked by `tsc`. Explanations are the scorer's own numbers, so the page can show why a candidate scored.
 */

export interface Explanation {
  name_similarity: number;
  token_pairs: { a: string; b: string; similarity: number; how: string }[];
  phonetic_agreement: number;
  coverage_shorter: number;
  coverage_both: number;
  joined_form: number;
  type: { query: string | null; entry: string; adjustment: number };
  country: { query: string | null; entry: readonly string[]; adjustment: number };
  identifiers: { matched: string[]; floor: number | null };
  penalties: { short_name: number; weak_alias: number };
}

export interface QueryIdentifier {
  type?: string | null;
  value: string;
}

/** A screening explanation: the query identifiers that matched the entry exactly are listed too. */
export type ScreenExplanation = Explanation & { identifiers: Explanation['identifiers'] & { matched_ids: QueryIdentifier[] } };

export interface ScreenResult {
  score: number;
  match: boolean;
  entry_id: string;
  list: string;
  list_version: string;
  entry_type: string;
  entry_name: string;
  matched_name: string;
  weak_alias: boolean;
  explanation: ScreenExplanation;
  algorithm_version: string;
}

/** GET and POST /api/screen. */
export interface ScreenResponse {
  algorithm_version: string;
  threshold: number;
  list_versions: string[];
  candidates_scored: number;
  results: ScreenResult[];
}

/** GET /api/screen/compare. */
export interface CompareResult {
  name_a: string;
  name_b: string;
  score: number;
  match: boolean;
  threshold: number;
  algorithm_version: string;
  explanation: ScreenExplanation;
}

/** GET /api/watchlist-hits?entry=LIST:ENTRY: the parties whose stored screening hits name those list entries. */
export interface EntryHits {
  hits: {
    list: string;
    entry_id: string;
    hit_id: string;
    party_id: string;
    party_name: string;
    score: number;
    status: string;
    decision: string | null;
  }[];
}
