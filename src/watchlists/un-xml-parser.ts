/**
 * The UN Security Council consolidated list XML: CONSOLIDATED_LIST with INDIVIDUALS/INDIVIDUAL and
 * ENTITIES/ENTITY records.
 *
 * Invariants:
 * - The entry id is REFERENCE_NUMBER (e.g. CDi.001): the public, stable designation the UN cites; DATAID
 *   is checked to be a whole number but is an internal key.
 * - The name is FIRST_NAME .. FOURTH_NAME in order, as the UN prints it; NAME_ORIGINAL_SCRIPT is an alias.
 * - Alias QUALITY: "Low" is a weak alias, "f.k.a." a former name, anything else (Good, a.k.a.) a strong
 *   a.k.a.; empty alias elements (the UN writes <ALIAS_NAME/>) are no alias.
 * - Dates of birth keep the UN's precision in words: "1971", "approximately 1966", "between 1973 and 1974".
 * - dateGenerated on the root is the version's publish date.
 */
import { InputError } from '../ingest/input-error.ts';
import { wrongFormatHint } from './format-sniff.ts';
import { normaliseIdentifierType } from './identifier-types.ts';
import { singleFile, type ListParser, type ParseOutcome } from './list-parser.ts';
import type { Alias, Identifier } from './watchlist-entry.ts';
import { childText, childrenNamed, descendantsNamed, readXmlRecords, type XmlElement } from './xml-records.ts';

export const UN_LIST_ID = 'un-sc-consolidated';
export const UN_PUBLISHER = 'UN Security Council';

function alias(a: XmlElement): Alias | null {
  const name = childText(a, 'ALIAS_NAME');
  if (!name) return null;
  const q = (childText(a, 'QUALITY') ?? '').toLowerCase();
  if (q === 'low') return { name, kind: 'weak', weak: true };
  if (q === 'f.k.a.') return { name, kind: 'fka', weak: false };
  if (q === 'n.k.a.') return { name, kind: 'nka', weak: false };
  return { name, kind: 'aka', weak: false };
}

function dateOfBirth(d: XmlElement): string | null {
  const type = (childText(d, 'TYPE_OF_DATE') ?? '').toUpperCase();
  const exact = childText(d, 'DATE') ?? childText(d, 'YEAR');
  if (type === 'BETWEEN') {
    const from = childText(d, 'FROM_YEAR');
    const to = childText(d, 'TO_YEAR');
    return from && to ? `between ${from} and ${to}` : from ?? to;
  }
  if (!exact) return null;
  return type === 'APPROXIMATELY' ? `approximately ${exact}` : exact;
}

function documentType(raw: string | null): string {
  const t = (raw ?? '').toLowerCase();
  if (t.includes('passport') || t.includes('pasaporte') || t.includes('passeport')) return 'passport';
  if (t.includes('national identification') || t.includes('identity')) return 'national_id';
  return raw ? normaliseIdentifierType(raw) : 'other_id';
}

export const unXmlParser: ListParser = {
  format: 'un-xml',
  defaultPublisher: UN_PUBLISHER,
  arrange: (paths) => singleFile(paths, 'un-xml'),
  async parse(files, opts, emit): Promise<ParseOutcome> {
    const file = files[0]!.path;
    const listId = opts.listId ?? UN_LIST_ID;
    let date: string | null = null;
    await readXmlRecords(file, file, {
      notXmlHint: wrongFormatHint(file, 'un-xml'),
      capture: new Set(['INDIVIDUAL', 'ENTITY']),
      onRoot(name, attrs, line) {
        if (name !== 'CONSOLIDATED_LIST') {
          throw new InputError(file, line, null, 'the root element is not CONSOLIDATED_LIST, so this is not a UN consolidated list', wrongFormatHint(file, 'un-xml'));
        }
        const generated = attrs['dateGenerated'];
        if (generated !== undefined) {
          const m = /^(\d{4}-\d{2}-\d{2})(T|$)/.exec(generated.trim());
          if (!m) throw new InputError(file, line, 'dateGenerated', 'is not an ISO date', 'The file is damaged or edited; nothing was stored');
          date = m[1]!;
        }
      },
      async onElement(el) {
        const person = el.name === 'INDIVIDUAL';
        const dataId = childText(el, 'DATAID');
        if (dataId !== null && !/^[0-9]{1,15}$/.test(dataId)) {
          throw new InputError(file, el.line, 'DATAID', 'is not a whole number', 'The file is damaged or edited; nothing was stored');
        }
        const ref = childText(el, 'REFERENCE_NUMBER');
        if (!ref) throw new InputError(file, el.line, 'REFERENCE_NUMBER', 'the record has no reference number', 'Every UN record needs its REFERENCE_NUMBER; the file is damaged; nothing was stored');
        const name = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'].map((n) => childText(el, n)).filter((x) => x).join(' ');
        if (!name) throw new InputError(file, el.line, 'FIRST_NAME', 'the record has no name', 'Every UN record needs a FIRST_NAME; the file is damaged; nothing was stored');

        const aliases: Alias[] = childrenNamed(el, person ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS')
          .map(alias)
          .filter((a): a is Alias => a !== null);
        const original = childText(el, 'NAME_ORIGINAL_SCRIPT');
        if (original) aliases.push({ name: original, kind: 'aka', weak: false });

        const addresses = childrenNamed(el, person ? 'INDIVIDUAL_ADDRESS' : 'ENTITY_ADDRESS').map((a) => ({
          address: childText(a, 'STREET'),
          city: [childText(a, 'CITY'), childText(a, 'STATE_PROVINCE'), childText(a, 'ZIP_CODE')].filter((x) => x).join(' ') || null,
          country: childText(a, 'COUNTRY'),
        }));
        const identifiers: Identifier[] = childrenNamed(el, 'INDIVIDUAL_DOCUMENT')
          .map((d) => ({
            type: documentType(childText(d, 'TYPE_OF_DOCUMENT')),
            value: childText(d, 'NUMBER') ?? '',
            country: childText(d, 'ISSUING_COUNTRY') ?? childText(d, 'COUNTRY_OF_ISSUE'),
          }))
          .filter((d) => d.value !== '');
        const nationalities = childrenNamed(el, 'NATIONALITY').flatMap((n) => childrenNamed(n, 'VALUE').map((v) => v.text));
        const remarks = ['COMMENTS1', 'COMMENTS2', 'COMMENTS3'].map((n) => childText(el, n)).filter((x) => x).join(' ') || null;

        await emit({
          file,
          line: el.line,
          entry: {
            list_id: listId,
            entry_id: ref,
            entry_type: person ? 'person' : 'company',
            name,
            aliases,
            countries: [...nationalities, ...addresses.map((a) => a.country ?? '')],
            dates_of_birth: descendantsNamed(el, 'INDIVIDUAL_DATE_OF_BIRTH').map(dateOfBirth).filter((d): d is string => d !== null),
            identifiers,
            programs: [childText(el, 'UN_LIST_TYPE') ?? ''],
            addresses,
            remarks,
          },
        });
      },
    });
    return {
      listId,
      publishDate: date,
      fields: ['entry_type', 'name', 'aliases', 'countries', 'dates_of_birth', 'identifiers', 'programs', 'addresses', 'remarks'],
      notes: [],
    };
  },
};
