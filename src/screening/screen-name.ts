/**
 * Screening a name against list versions, and comparing two names: the API the CLI and HTTP routes call.
 *
 * Invariants:
 * - Every read goes through the caller's ScopedDb: the versions a caller may see decide what is screened,
 *   and a version's entries are read in one scoped query when its index is first built.
 * - Indexes are cached per list version content (version id, SHA-256 and list id), never per caller:
 *   the cache holds what a scoped read returned for a whole version, and a later caller uses it only
 *   after its own scoped read of the versions table showed that version, so no scope is widened.
 * - The cache is bounded (MAX_CACHED_VERSIONS, least recently used evicted) so a long-running server
 *   holding many versions does not grow without limit.
 * - Nothing here logs or throws with the screened name in the message.
 * - A query may be identifiers alone (empty name): the index brings in entries by identifier value, and an
 *   exact identifier match alone lifts the score to IDENTIFIER_FLOOR; with no identifier hit such a query
 *   has no candidates. The explanation names which of the query's identifiers matched (type and value as
 *   given), so a reviewer sees the number that decided it.
 */
import type { ScopedDb } from '../query/index.ts';
import { getVersion, listVersions, WatchlistLookupError, type ListVersion } from '../watchlists/index.ts';
import { ALGORITHM_VERSION, DEFAULT_THRESHOLD, identifierMatches, scoreEntry, type CandidateEntry, type Explanation, type QueryIdentifier } from './match-score.ts';
import { normaliseScreeningName, type ScreenType } from './normalise-name.ts';
import { ScreeningIndex, type EntryRow } from './screening-index.ts';
import type { TokenPair } from './name-similarity.ts';

export const SCREEN_TYPES = ['person', 'company', 'vessel', 'aircraft'] as const;
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Results below this score are not reported at all: they are noise, not candidates for review. */
export const MIN_REPORTED_SCORE = 0.6;
const MAX_CACHED_VERSIONS = 8;

export interface ScreenOptions {
  type?: ScreenType | null | undefined;
  country?: string | null | undefined;
  identifiers?: readonly QueryIdentifier[] | undefined;
  /** One list version id; default: the latest version of every list the caller may read. */
  listVersion?: string | null | undefined;
  limit?: number | undefined;
  threshold?: number | undefined;
}

/** The score's explanation, with the query identifiers that matched the entry exactly. */
export type ScreenExplanation = Explanation & { identifiers: Explanation['identifiers'] & { matched_ids: QueryIdentifier[] } };

/** Which of the query's identifiers matched the entry (each as the query gave it, with the entry's type). */
export function matchedIdentifiers(query: readonly QueryIdentifier[], entry: CandidateEntry['identifiers']): QueryIdentifier[] {
  const out: QueryIdentifier[] = [];
  for (const q of query) for (const type of identifierMatches([q], entry)) out.push({ type, value: q.value });
  return out;
}

const withIds = (e: Explanation, query: readonly QueryIdentifier[], entry: CandidateEntry['identifiers']): ScreenExplanation => ({
  ...e,
  identifiers: { ...e.identifiers, matched_ids: e.identifiers.matched.length ? matchedIdentifiers(query, entry) : [] },
});

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

export interface ScreenResponse {
  algorithm_version: string;
  threshold: number;
  list_versions: string[];
  candidates_scored: number;
  results: ScreenResult[];
}

const cache = new Map<string, Promise<ScreeningIndex>>();
const cacheKey = (v: ListVersion) => `${v.version_id}\u0001${v.sha256}\u0001${v.list_id}`;

async function readEntries(db: ScopedDb, versionId: string): Promise<EntryRow[]> {
  const rows = await db.db
    .selectFrom('watchlist_entries')
    .select(['entry_id', 'entry_type', 'name', 'aliases', 'countries', 'identifiers'])
    .where('version_id', '=', versionId)
    .orderBy('seq')
    .execute();
  return rows as EntryRow[];
}

/** The index of a version the caller has just been shown through its scope. */
export async function indexFor(db: ScopedDb, v: ListVersion): Promise<ScreeningIndex> {
  const key = cacheKey(v);
  let p = cache.get(key);
  if (p) {
    cache.delete(key);
    cache.set(key, p);
    return p;
  }
  p = readEntries(db, v.version_id).then((rows) => new ScreeningIndex(rows));
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  while (cache.size > MAX_CACHED_VERSIONS) cache.delete(cache.keys().next().value as string);
  return p;
}

/** The latest version (highest load sequence) of every list the scope shows. */
export async function latestVersions(db: ScopedDb): Promise<ListVersion[]> {
  const byList = new Map<string, ListVersion>();
  for (const v of await listVersions(db)) byList.set(v.list_id, v);
  return [...byList.values()];
}

export async function screenName(db: ScopedDb, name: string, opts: ScreenOptions = {}): Promise<ScreenResponse> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(opts.limit ?? DEFAULT_LIMIT)));
  let versions: ListVersion[];
  if (opts.listVersion) {
    const v = await getVersion(db, opts.listVersion);
    if (!v) throw new WatchlistLookupError(`no list version ${opts.listVersion}: list them with parallax lists`);
    versions = [v];
  } else versions = await latestVersions(db);
  const query = {
    name: normaliseScreeningName(name, opts.type ?? null),
    type: opts.type ?? null,
    country: opts.country ?? null,
    identifiers: opts.identifiers ?? [],
  };
  const results: ScreenResult[] = [];
  let scored = 0;
  const memo = new Map<string, TokenPair>();
  for (const v of versions) {
    const index = await indexFor(db, v);
    const cands = index.candidates(query.name, query.identifiers);
    scored += cands.size;
    for (const [i, slots] of cands) {
      const e = index.entries[i]!;
      const s = scoreEntry(query, { ...e, names: slots.map((k) => e.names[k]!) }, threshold, memo);
      if (s.score < MIN_REPORTED_SCORE) continue;
      results.push({
        score: s.score,
        match: s.match,
        entry_id: e.entry_id,
        list: v.list_id,
        list_version: v.version_id,
        entry_type: e.entry_type,
        entry_name: e.name,
        matched_name: s.matched_name,
        weak_alias: s.weak_alias,
        explanation: withIds(s.explanation, query.identifiers, e.identifiers),
        algorithm_version: ALGORITHM_VERSION,
      });
    }
  }
  results.sort((a, b) => b.score - a.score || a.list.localeCompare(b.list) || a.entry_id.localeCompare(b.entry_id));
  return { algorithm_version: ALGORITHM_VERSION, threshold, list_versions: versions.map((v) => v.version_id), candidates_scored: scored, results: results.slice(0, limit) };
}

export interface CompareResult {
  name_a: string;
  name_b: string;
  score: number;
  match: boolean;
  threshold: number;
  algorithm_version: string;
  explanation: ScreenExplanation;
}

export interface CompareOptions {
  type?: ScreenType | null | undefined;
  threshold?: number;
  /** Identifiers of `a` (the query) and of `b` (as if the list entry's); an exact match lifts the score. */
  identifiersA?: readonly QueryIdentifier[] | undefined;
  identifiersB?: readonly QueryIdentifier[] | undefined;
}

/** Two names as if `b` were a list entry of the given type (or of unknown type). */
export function compareNames(a: string, b: string, opts: CompareOptions = {}): CompareResult {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const type = opts.type ?? null;
  const idsA = opts.identifiersA ?? [];
  const idsB = (opts.identifiersB ?? []).map((x) => ({ type: x.type ?? 'other', value: x.value }));
  const s = scoreEntry(
    { name: normaliseScreeningName(a, type), type, identifiers: idsA },
    { entry_type: type ?? 'other', countries: [], identifiers: idsB, names: [{ text: b, normalised: normaliseScreeningName(b, type), weak: false }] },
    threshold,
  );
  return { name_a: a, name_b: b, score: s.score, match: s.match, threshold, algorithm_version: ALGORITHM_VERSION, explanation: withIds(s.explanation, idsA, idsB) };
}
