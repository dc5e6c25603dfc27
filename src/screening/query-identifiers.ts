/**
 * Identifiers a screener gives with a query (`--id TYPE:VALUE`, `id=TYPE:VALUE`, `identifiers: [{type,
 * value}]`): parsed and checked against the identifier vocabulary the watch-list parsers write.
 *
 * Invariants:
 * - A type is accepted only when it is one the list parsers produce (IDENTIFIER_TYPES); labels as lists
 *   write them ("IMO", "SWIFT/BIC", "Tax ID") are folded onto that vocabulary by the same function the
 *   parsers use, so "SWIFT/BIC" given by a user and `swift_bic` stored by a parser compare equal. A
 *   typo'd type is an error, never a silently ignored identifier.
 * - A value must keep at least MIN_ID_CHARS letters or digits once case, spaces and punctuation are set
 *   aside: the scorer ignores shorter values, so accepting one would promise a check that never happens.
 * - Error messages name the option and the type; never the value (a passport or tax number is personal).
 * - real-ofac-identifiers.test.ts checks every type found in the real OFAC files is in the vocabulary.
 */
import { normaliseIdentifierType } from '../watchlists/identifier-types.ts';
import type { QueryIdentifier } from './match-score.ts';

/** The identifier types src/watchlists writes (identifier-types.ts), in one place for validation and help. */
export const IDENTIFIER_TYPES = [
  'imo',
  'mmsi',
  'swift_bic',
  'passport',
  'national_id',
  'tax_id',
  'registration_number',
  'digital_currency_address',
  'lei',
  'duns',
  'isin',
  'bik',
  'call_sign',
  'drivers_license',
  'birth_certificate',
  'aircraft_serial_number',
  'aircraft_tail_number',
  'aircraft_mode_s',
  'email',
  'website',
  'phone',
] as const;

export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];
export const MIN_ID_CHARS = 4;
export const MAX_ID_LENGTH = 200;
export const MAX_QUERY_IDS = 20;

export class IdentifierInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentifierInputError';
  }
}

const known = new Set<string>(IDENTIFIER_TYPES);
const shown = (s: string) => JSON.stringify(s.slice(0, 40).replace(/\p{Cc}/gu, '\uFFFD'));

/** The vocabulary type for a user's label, or null when it is not one the lists use. */
export function identifierType(raw: string): IdentifierType | null {
  const t = normaliseIdentifierType(raw);
  return known.has(t) ? (t as IdentifierType) : null;
}

/** Checks one `{type, value}`; `what` names the option or field for the message. */
export function queryIdentifier(type: string, value: string, what: string): QueryIdentifier {
  const t = identifierType(type);
  if (!t) throw new IdentifierInputError(`${what}: unknown identifier type ${shown(type)}; use one of ${IDENTIFIER_TYPES.join(', ')}`);
  const v = value.trim();
  if (v.length > MAX_ID_LENGTH) throw new IdentifierInputError(`${what}: the ${t} value is longer than ${MAX_ID_LENGTH} characters`);
  if (v.replace(/[^A-Za-z0-9]/g, '').length < MIN_ID_CHARS) {
    throw new IdentifierInputError(`${what}: the ${t} value needs at least ${MIN_ID_CHARS} letters or digits`);
  }
  return { type: t, value: v };
}

/** Reads "TYPE:VALUE" (the first colon separates; values such as URLs may contain more). */
export function parseIdentifierArg(arg: string, what: string): QueryIdentifier {
  const i = arg.indexOf(':');
  if (i <= 0) throw new IdentifierInputError(`${what} takes TYPE:VALUE, e.g. ${what} imo:9187629 (types: ${IDENTIFIER_TYPES.join(', ')})`);
  return queryIdentifier(arg.slice(0, i), arg.slice(i + 1), what);
}

export function parseIdentifierArgs(args: readonly string[] | undefined, what: string): QueryIdentifier[] {
  if (!args?.length) return [];
  if (args.length > MAX_QUERY_IDS) throw new IdentifierInputError(`${what}: at most ${MAX_QUERY_IDS} identifiers per query`);
  return args.map((a) => parseIdentifierArg(a, what));
}
