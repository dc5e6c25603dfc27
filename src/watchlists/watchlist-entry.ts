/**
 * The one normalised watch-list entry every parser produces, whatever list it reads.
 *
 * Invariants:
 * - `entry_id` is the list's own identifier (OFAC ent_num/uid, UN reference number, FtM id, the internal
 *   list's id): versions of one list are compared and later screening hits are reported by it.
 * - Values are the list's text, trimmed; nothing is guessed. Dates of birth stay as the list states them
 *   ("circa 1951", "10 Dec 1948") because lists mix precision and a parsed date would invent days.
 * - Countries become ISO 3166 alpha-2 where the reference tables know the name, otherwise stay as given,
 *   so an unknown spelling is visible rather than dropped.
 * - Lists inside an entry are de-duplicated but keep first-seen order; comparison sorts them itself.
 * - `names` (normalised upper-case name and aliases) is derived here once, so every list is searchable
 *   the same way and later screening does not re-implement normalisation per format.
 */

export const ENTRY_TYPES = ['person', 'company', 'vessel', 'aircraft', 'other'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export const ALIAS_KINDS = ['aka', 'fka', 'nka', 'weak'] as const;
export type AliasKind = (typeof ALIAS_KINDS)[number];

export interface Alias {
  name: string;
  kind: AliasKind;
  /** The list marks it low quality (OFAC remarks a.k.a., UN quality Low, FtM weakAlias): match with care. */
  weak: boolean;
}

export interface Identifier {
  /** Lower snake case: imo, mmsi, swift_bic, passport, national_id, tax_id, registration_number, ... */
  type: string;
  value: string;
  /** Issuing country where the list states one (alpha-2 where resolvable). */
  country?: string | null;
  /** For digital currency addresses: the currency code the list gives (XBT, ETH, USDT ...). */
  currency?: string | null;
}

export interface Address {
  address?: string | null;
  city?: string | null;
  country?: string | null;
}

export interface WatchlistEntry {
  list_id: string;
  entry_id: string;
  entry_type: EntryType;
  name: string;
  aliases: Alias[];
  countries: string[];
  dates_of_birth: string[];
  identifiers: Identifier[];
  programs: string[];
  addresses: Address[];
  remarks: string | null;
}

/** The fields of an entry that a version can carry and a diff can compare. */
export const ENTRY_FIELDS = ['entry_type', 'name', 'aliases', 'countries', 'dates_of_birth', 'identifiers', 'programs', 'addresses', 'remarks'] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

/** An entry as stored: normalised, with its search names and where it starts in the source. */
export interface StoredEntry extends WatchlistEntry {
  names: string[];
  source_file: string;
  source_line: number;
}

/**
 * Upper case, accents removed, every run of non-letters/digits one space. Letters of any script are kept
 * (a name in Arabic or Cyrillic script stays searchable); "O'BRIEN" and "O BRIEN" become the same.
 */
export function normaliseName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Trimmed text, or null for empty text and the usual spellings of "no value". */
export function clean(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const t = text.replace(/\s+/g, ' ').trim();
  return t === '' || t === '-0-' ? null : t;
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const it of items) {
    const k = key(it);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(it);
  }
  return out;
}

/**
 * The stored form of a parsed entry: countries resolved, empty values dropped, lists de-duplicated, and
 * the search names derived. `resolveCountry` returns alpha-2 or the text unchanged.
 */
export function finaliseEntry(
  e: WatchlistEntry,
  resolveCountry: (raw: string) => string,
  source: { file: string; line: number },
): StoredEntry {
  const country = (c: string | null | undefined): string | null => {
    const t = clean(c);
    return t === null ? null : resolveCountry(t);
  };
  const name = clean(e.name) ?? e.name;
  const aliases = uniqueBy(
    e.aliases
      .map((a) => ({ name: clean(a.name) ?? '', kind: a.kind, weak: a.weak }))
      .filter((a) => a.name !== '' && a.name !== name),
    (a) => `${a.kind}\u0001${a.name}`,
  );
  const identifiers = uniqueBy(
    e.identifiers
      .map((i) => ({ type: i.type, value: clean(i.value) ?? '', country: country(i.country), currency: clean(i.currency) }))
      .filter((i) => i.value !== ''),
    (i) => `${i.type}\u0001${i.value}\u0001${i.country ?? ''}\u0001${i.currency ?? ''}`,
  );
  const addresses = uniqueBy(
    e.addresses
      .map((a) => ({ address: clean(a.address), city: clean(a.city), country: country(a.country) }))
      .filter((a) => a.address !== null || a.city !== null || a.country !== null),
    (a) => `${a.address ?? ''}\u0001${a.city ?? ''}\u0001${a.country ?? ''}`,
  );
  const texts = (xs: readonly string[]) => uniqueBy(xs.map((x) => clean(x)).filter((x): x is string => x !== null), (x) => x);
  const countries = uniqueBy(
    e.countries.map((c) => country(c)).filter((c): c is string => c !== null),
    (c) => c,
  );
  const names = uniqueBy([name, ...aliases.map((a) => a.name)].map(normaliseName).filter((n) => n !== ''), (n) => n);
  return {
    list_id: e.list_id,
    entry_id: e.entry_id,
    entry_type: e.entry_type,
    name,
    aliases,
    countries,
    dates_of_birth: texts(e.dates_of_birth),
    identifiers,
    programs: texts(e.programs),
    addresses,
    remarks: clean(e.remarks),
    names,
    source_file: source.file,
    source_line: source.line,
  };
}
