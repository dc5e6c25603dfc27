/**
 * Party-name normalisation as DuckDB SQL, for set-based work over every party at once (entity resolution
 * keys and screening blocking keys), where calling the JavaScript normaliser per row would mean moving
 * millions of names through JavaScript.
 *
 * Invariants:
 * - Fixed SQL over a column expression that our code supplies; no input value reaches the SQL text (word
 *   lists are code constants, inlined through quoteString).
 * - It follows the screening normaliser's rules where SQL can (upper case, accents stripped, dots and
 *   apostrophes removed so "L.L.C." is "LLC", punctuation as spaces, company-form words and stop words set
 *   aside, known abbreviations expanded) but it is a blocking key, not the score: names that reach a
 *   decision are always re-normalised and scored by the JavaScript scorer. Scripts other than Latin produce
 *   no tokens here (the JavaScript transliterator handles them when such a name is screened by name).
 * - The resolution key sorts the core tokens, so "ACME TRADING L.L.C.", "Acme Trading LLC" and
 *   "ACME TRADING CO LLC" all have the key "ACME TRADING".
 */
import { quoteString } from '../store/index.ts';
import { GENERIC_WORDS } from '../screening/index.ts';

/** Company-form and stop words set aside from the core (the screening normaliser's FORM_WORDS and phrases). */
export const FORM_AND_STOP_WORDS: readonly string[] = [
  'LLC', 'LTD', 'LIMITED', 'GMBH', 'AG', 'AKTIENGESELLSCHAFT', 'SA', 'SRL', 'BV', 'NV', 'JSC', 'OJSC', 'PJSC', 'CJSC', 'OAO',
  'PAO', 'ZAO', 'OOO', 'TOO', 'CO', 'COMPANY', 'CORP', 'CORPORATION', 'INC', 'INCORPORATED', 'PLC', 'LLP', 'LP', 'SPA',
  'KG', 'AS', 'AB', 'OY', 'SAS', 'SARL', 'PTE', 'PVT', 'BHD', 'SDN', 'FZE', 'FZCO', 'FZC', 'FZ', 'FZLLC', 'KFT', 'DOO',
  'SRO', 'SPZOO', 'EOOD', 'OOD', 'AD', 'SAL', 'WLL', 'EST', 'ESTABLISHMENT', 'TOV', 'UAB', 'SE', 'KK', 'DMCC', 'SAC',
  'CV', 'RL', 'PTY', 'THE', 'OF', 'AND', 'FOR', 'DE',
];

const ABBREVIATIONS: Readonly<Record<string, string>> = {
  INTL: 'INTERNATIONAL', NATL: 'NATIONAL', MFG: 'MANUFACTURING', IND: 'INDUSTRIES', INDS: 'INDUSTRIES', SVCS: 'SERVICES',
  TECH: 'TECHNOLOGY', BROS: 'BROTHERS', GRP: 'GROUP', HLDGS: 'HOLDINGS', TRDG: 'TRADING', MOHD: 'MOHAMMED', MHD: 'MOHAMMED',
};

const list = (xs: readonly string[]) => `[${xs.map(quoteString).join(', ')}]`;
const FORMS = list(FORM_AND_STOP_WORDS);
const GENERIC = list([...GENERIC_WORDS]);
const ABBR_CASE = `CASE x ${Object.entries(ABBREVIATIONS).map(([k, v]) => `WHEN ${quoteString(k)} THEN ${quoteString(v)}`).join(' ')} ELSE x END`;

/** All tokens of a name, upper-case ASCII letters and digits (VARCHAR[]). */
export function allTokensSql(col: string): string {
  return `list_filter(string_split(regexp_replace(regexp_replace(upper(strip_accents(coalesce(${col}, ''))), '[.''’‘´]', '', 'g'), '[^A-Z0-9]+', ' ', 'g'), ' '), lambda x: x <> '')`;
}

/** Core tokens: all tokens without company forms and stop words, abbreviations expanded; all tokens when that leaves none. */
export function coreTokensSql(allTokens: string): string {
  return `(CASE WHEN len(list_filter(${allTokens}, lambda x: NOT list_contains(${FORMS}, x))) = 0 THEN ${allTokens}
    ELSE list_transform(list_filter(${allTokens}, lambda x: NOT list_contains(${FORMS}, x)), lambda x: ${ABBR_CASE}) END)`;
}

/** Informative tokens for blocking: core tokens of two letters or more that are not generic business words. */
export function informativeTokensSql(coreTokens: string): string {
  return `list_filter(${coreTokens}, lambda x: length(x) >= 2 AND NOT list_contains(${GENERIC}, x))`;
}

/** The resolution key: sorted core tokens joined by a space ('' when the name has none). */
export function nameKeySql(col: string): string {
  return `array_to_string(list_sort(${coreTokensSql(allTokensSql(col))}), ' ')`;
}

/**
 * A consonant skeleton of a token as a second blocking key (first letter kept, then vowels, H, W and Y
 * dropped): MOHAMMED and MUHAMMAD share MMMD. Coarser than the scorer's phonetic key by design: it only
 * proposes candidates.
 */
export function skeletonSql(token: string): string {
  return `left(${token}, 1) || regexp_replace(substr(${token}, 2), '[AEIOUYHW]', '', 'g')`;
}
