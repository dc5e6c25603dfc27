/**
 * An in-memory candidate index over the entries of one list version, so a screen scores tens or hundreds
 * of entries instead of the whole list.
 *
 * Invariants:
 * - Built once per list version from rows the caller read through the scoped query layer; immutable
 *   afterwards (a list version never changes, so the index never goes stale).
 * - Blocking keys per name and alias: 3-letter prefixes and phonetic keys of each informative token, the
 *   first 4 letters of the joined forms, and trigrams of the joined form. A query gets the same keys;
 *   an entry is a candidate when it shares a token/joined key, or at least TRIGRAM_SHARE of the query's
 *   trigrams (which catches spacing variants and typos in the first letters).
 * - Generic business words make no token keys unless a name has nothing else, because "TRADING" would
 *   otherwise make every trading company a candidate.
 * - At most MAX_CANDIDATES entries are scored, chosen by the keys they share weighted by how rare each key
 *   is: the cost of a query is bounded whatever the name.
 * - Identifier values (upper case, letters and digits only) are indexed too, so an IMO or BIC given with
 *   a query always brings its entry in.
 */
import { cachedKey, GENERIC_WORDS } from './name-similarity.ts';
import { normaliseScreeningName, type NormalisedName, type ScreenType } from './normalise-name.ts';
import type { CandidateEntry, QueryIdentifier } from './match-score.ts';

export const MAX_CANDIDATES = 80;
const TRIGRAM_SHARE = 0.6;
/** Names per entry addressable in the index; longer alias lists are cut (OFAC's longest is far shorter). */
const NAME_SLOTS = 1024;

export interface EntryRow {
  entry_id: string;
  entry_type: string;
  name: string;
  aliases: readonly { name: string; kind?: string | null; weak?: boolean | null }[] | null;
  countries: readonly string[] | null;
  identifiers: readonly { type: string; value: string }[] | null;
}

export interface IndexedEntry extends CandidateEntry {
  entry_id: string;
  name: string;
}

function tokenKeys(n: NormalisedName, out: Set<string>): void {
  const informative = n.tokens.filter((t) => !GENERIC_WORDS.has(t));
  for (const t of informative.length ? informative : n.tokens) {
    if (t.length < 2) continue;
    out.add(`P:${t.slice(0, 3)}`);
    const k = cachedKey(t);
    if (k.length >= 2) out.add(`K:${k}`);
  }
  if (n.joined.length >= 4) out.add(`J:${n.joined.slice(0, 4)}`);
  if (n.joinedAll.length >= 4) out.add(`J:${n.joinedAll.slice(0, 4)}`);
}

function trigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return out;
}

const canonId = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

export class ScreeningIndex {
  readonly entries: IndexedEntry[] = [];
  private readonly keys = new Map<string, number[]>();
  private readonly grams = new Map<string, number[]>();
  private readonly ids = new Map<string, number[]>();
  /** Per indexed name: entry index * NAME_SLOTS + position of the name in the entry. */
  private readonly nameRefs: number[] = [];

  constructor(rows: Iterable<EntryRow>) {
    const push = (m: Map<string, number[]>, k: string, i: number) => {
      const list = m.get(k);
      if (!list) m.set(k, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    for (const r of rows) {
      const i = this.entries.length;
      const type = r.entry_type as ScreenType | 'other';
      const names = [{ text: r.name, weak: false }, ...(r.aliases ?? []).map((a) => ({ text: a.name, weak: a.weak === true }))].slice(0, NAME_SLOTS).map((n) => ({
        ...n,
        normalised: normaliseScreeningName(n.text, type),
      }));
      this.entries.push({
        entry_id: r.entry_id,
        name: r.name,
        entry_type: r.entry_type,
        countries: r.countries ?? [],
        identifiers: r.identifiers ?? [],
        names,
      });
      for (let ni = 0; ni < names.length; ni++) {
        const id = this.nameRefs.length;
        this.nameRefs.push(i * NAME_SLOTS + ni);
        const ks = new Set<string>();
        tokenKeys(names[ni]!.normalised, ks);
        for (const k of ks) push(this.keys, k, id);
        for (const g of trigrams(names[ni]!.normalised.joinedAll)) push(this.grams, g, id);
      }
      for (const id of r.identifiers ?? []) {
        const v = canonId(id.value);
        if (v.length >= 4) push(this.ids, v, i);
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Candidate entries for a normalised query name, best-sharing first, at most `max`, each with the
   * positions of its names that share keys with the query (only those are scored: an entry with forty
   * aliases costs only the aliases that look like the query). Identifier hits come first with all names.
   */
  candidates(q: NormalisedName, identifiers: readonly QueryIdentifier[] = [], max = MAX_CANDIDATES): Map<number, number[]> {
    const counts = new Map<number, number>();
    const ks = new Set<string>();
    tokenKeys(q, ks);
    // Rare keys count more (inverse frequency): sharing "P:KAR" says less than sharing "K:KRMF".
    for (const k of ks) {
      const list = this.keys.get(k);
      if (!list) continue;
      const w = 1 / Math.log2(2 + list.length);
      for (const n of list) counts.set(n, (counts.get(n) ?? 0) + w);
    }
    const qg = trigrams(q.joinedAll);
    if (qg.size) {
      const shared = new Map<number, number>();
      for (const g of qg) for (const n of this.grams.get(g) ?? []) shared.set(n, (shared.get(n) ?? 0) + 1);
      const need = Math.max(2, Math.ceil(TRIGRAM_SHARE * qg.size));
      for (const [n, c] of shared) if (c >= need) counts.set(n, (counts.get(n) ?? 0) + c / qg.size);
    }
    const out = new Map<number, number[]>();
    for (const id of identifiers) {
      for (const i of this.ids.get(canonId(id.value)) ?? []) out.set(i, this.entries[i]!.names.map((_, k) => k));
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    for (const [n] of ranked) {
      const ref = this.nameRefs[n]!;
      const entry = Math.floor(ref / NAME_SLOTS);
      const slot = ref % NAME_SLOTS;
      const names = out.get(entry);
      if (names) {
        if (!names.includes(slot)) names.push(slot);
      } else {
        if (out.size >= max) continue;
        out.set(entry, [slot]);
      }
    }
    return out;
  }
}
