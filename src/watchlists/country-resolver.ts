/**
 * Country names as lists write them -> ISO 3166 alpha-2, from the store's reference tables (countries and
 * their aliases, so a replaced reference table takes effect) plus the spellings only watch lists use.
 *
 * Invariants:
 * - Unknown text is returned unchanged, never dropped or guessed: "former Soviet Union" stays as written.
 * - Matching is on upper-case text with spacing collapsed; nothing fuzzy.
 * - Read once per load (a few hundred keys), so parsing does not query the store per entry.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Spellings of OFAC ("Korea, North"), the UN ("Iran (Islamic Republic of)") and FtM absent from the references. */
const LIST_SPELLINGS: Readonly<Record<string, string>> = {
  'KOREA, NORTH': 'KP',
  'KOREA, SOUTH': 'KR',
  "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA": 'KP',
  'NORTH KOREA': 'KP',
  'SOUTH KOREA': 'KR',
  BURMA: 'MM',
  'MAN, ISLE OF': 'IM',
  'CONGO, DEMOCRATIC REPUBLIC OF THE': 'CD',
  'CONGO, REPUBLIC OF THE': 'CG',
  'THE GAMBIA': 'GM',
  'GAMBIA, THE': 'GM',
  'BAHAMAS, THE': 'BS',
  "COTE D'IVOIRE": 'CI',
  'IVORY COAST': 'CI',
  'CZECH REPUBLIC': 'CZ',
  TURKEY: 'TR',
  'TÜRKIYE': 'TR',
  TURKIYE: 'TR',
  RUSSIA: 'RU',
  IRAN: 'IR',
  SYRIA: 'SY',
  VENEZUELA: 'VE',
  BOLIVIA: 'BO',
  TANZANIA: 'TZ',
  LAOS: 'LA',
  VIETNAM: 'VN',
  MOLDOVA: 'MD',
  MACAU: 'MO',
  'HONG KONG': 'HK',
  TAIWAN: 'TW',
  'WEST BANK': 'PS',
  GAZA: 'PS',
  PALESTINIAN: 'PS',
  'STATE OF PALESTINE': 'PS',
  'UNITED KINGDOM': 'GB',
  'UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND': 'GB',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  'BRUNEI': 'BN',
  'CAPE VERDE': 'CV',
  'SWAZILAND': 'SZ',
  'MACEDONIA': 'MK',
  'NORTH MACEDONIA, THE REPUBLIC OF': 'MK',
  'MICRONESIA, FEDERATED STATES OF': 'FM',
  'ST. KITTS AND NEVIS': 'KN',
  'ST. LUCIA': 'LC',
  'ST. VINCENT AND THE GRENADINES': 'VC',
  UK: 'GB',
  'VIRGIN ISLANDS, BRITISH': 'VG',
  'VIRGIN ISLANDS, U.S.': 'VI',
  'COTE D IVOIRE': 'CI',
  'MACEDONIA, THE FORMER YUGOSLAV REPUBLIC OF': 'MK',
};

export type CountryResolver = (raw: string) => string;

function key(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toUpperCase();
}

export function countryResolver(known: ReadonlyMap<string, string>): CountryResolver {
  return (raw) => {
    const k = key(raw);
    return known.get(k) ?? LIST_SPELLINGS[k] ?? raw.replace(/\s+/g, ' ').trim();
  };
}

export async function loadCountryResolver(c: DuckDBConnection): Promise<CountryResolver> {
  const r = await c.runAndReadAll(`
    SELECT key, alpha2 FROM (
      SELECT 1 AS p, upper(alpha2) AS key, alpha2 FROM ref_countries UNION ALL
      SELECT 2, upper(alpha3), alpha2 FROM ref_countries WHERE alpha3 IS NOT NULL UNION ALL
      SELECT 3, upper(name), alpha2 FROM ref_countries WHERE name IS NOT NULL UNION ALL
      SELECT 4, upper(official_name), alpha2 FROM ref_countries WHERE official_name IS NOT NULL UNION ALL
      SELECT 5, upper(alias), alpha2 FROM ref_country_aliases)
    WHERE key IS NOT NULL AND alpha2 IS NOT NULL
    ORDER BY p, key`);
  const known = new Map<string, string>();
  for (const [k, a2] of r.getRows()) {
    const kk = key(String(k));
    // The first source wins: an alpha-2 code is never re-pointed by a name that happens to spell it.
    if (!known.has(kk)) known.set(kk, String(a2).toUpperCase());
  }
  return countryResolver(known);
}
