/**
 * The facts OFAC packs into the Remarks column of sdn.csv: `;`-separated, e.g.
 * `DOB 10 Dec 1948; POB Cairo, Egypt; nationality Egypt; Passport 1084010 (Egypt); a.k.a. 'ABU X'.`
 *
 * Invariants:
 * - Pure: text in, facts out. The full remarks text is kept on the entry besides, so a fact this parser
 *   does not know (Linked To, Gender, POB ...) is never lost, only not structured.
 * - `alt. ` (an alternative value of the same fact) is read like the fact itself.
 * - Aliases in remarks are OFAC's weak (low-quality) aliases; the kind (a/f/n.k.a.) is kept as written.
 *   Their text runs from the first to the last quote, because names contain apostrophes (ABU 'UMAR).
 * - Identifier values stop before the issuing country in parentheses and before "issued"/"expires".
 */
import type { Alias, AliasKind, Identifier } from './watchlist-entry.ts';
import { matchOfacLabel } from './identifier-types.ts';

export interface RemarkFacts {
  aliases: Alias[];
  dates_of_birth: string[];
  /** Nationality, citizenship and nationality of registration, as written. */
  countries: string[];
  identifiers: Identifier[];
}

const ALIAS = /^([afn])\.k\.a\.\s+'/;
/** Types whose whole text is the value (parentheses in a phone number are not a country). */
const UNSPLIT = new Set(['digital_currency_address', 'email', 'website', 'phone']);

/** Splits "<value> (<country>) issued 1 Jan 2000 expires ..." into value and country. */
export function splitIdentifierRest(rest: string): { value: string; country: string | null } {
  let text = rest.replace(/\s*,?\s+(issued|expires|Issue Date|Expiration Date)\b.*$/i, '').trim();
  let country: string | null = null;
  const paren = /\(([^()]*)\)\s*$/.exec(text);
  // Only a name is a country: "(98)(21)(66153220)" in a phone number is not.
  if (paren && /^\p{L}[\p{L} .,'()-]*$/u.test(paren[1]!.trim())) country = paren[1]!.trim();
  const firstParen = text.indexOf(' (');
  if (firstParen > 0) text = text.slice(0, firstParen);
  return { value: text.trim().replace(/[,:]$/, '').trim(), country };
}

/** An identifier value as stored: IMO numbers lose their "IMO " prefix so both OFAC forms compare equal. */
export function identifierValue(type: string, value: string): string {
  return type === 'imo' ? value.replace(/^IMO\s*/i, '').trim() : value;
}

export function parseOfacRemarks(remarks: string | null): RemarkFacts {
  const facts: RemarkFacts = { aliases: [], dates_of_birth: [], countries: [], identifiers: [] };
  if (!remarks) return facts;
  const text = remarks.trim().replace(/\.$/, '');
  for (const part of text.split(';')) {
    const fact = part.trim().replace(/^alt\.\s+/i, '');
    if (!fact) continue;
    const alias = ALIAS.exec(fact);
    if (alias) {
      const first = fact.indexOf("'");
      const last = fact.lastIndexOf("'");
      const name = last > first ? fact.slice(first + 1, last).trim() : '';
      if (name) facts.aliases.push({ name, kind: `${alias[1]!}ka` as AliasKind, weak: true });
      continue;
    }
    let m = /^DOB\s+(.+)$/.exec(fact);
    if (m) {
      facts.dates_of_birth.push(m[1]!.trim());
      continue;
    }
    m = /^(?:nationality|citizen|Nationality of Registration)\s+(.+)$/.exec(fact);
    if (m) {
      facts.countries.push(m[1]!.trim());
      continue;
    }
    const id = matchOfacLabel(fact);
    if (id) {
      const { value, country } = UNSPLIT.has(id.type)
        ? { value: id.rest.trim(), country: null }
        : splitIdentifierRest(id.rest);
      if (value) facts.identifiers.push({ type: id.type, value: identifierValue(id.type, value), country, currency: id.currency });
    }
  }
  return facts;
}
