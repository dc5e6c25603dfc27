/**
 * OFAC SDN.XML (`sdnList` of `sdnEntry`), in both the old tempuri.org namespace and the one used since
 * 2024-05-07: elements are matched by local name only.
 *
 * Invariants:
 * - Names are written as sdn.csv writes them ("LAST, First" for individuals), so versions loaded from
 *   either OFAC form compare by name.
 * - `uid` is the entry id and must be a whole number; `lastName` and `sdnType` are required.
 * - Publish_Date (MM/DD/YYYY) becomes the version's publish date; when the file states Record_Count and
 *   holds a different number of entries it is refused as truncated or edited.
 * - IDs use the same identifier vocabulary as the remarks of sdn.csv; XML ids whose type is a fact rather
 *   than an identifier (Gender, Organization Established Date ...) are not identifiers.
 */
import { InputError } from '../ingest/input-error.ts';
import { wrongFormatHint } from './format-sniff.ts';
import { ofacIdType } from './identifier-types.ts';
import { singleFile, type ListParser, type ParseOutcome } from './list-parser.ts';
import { identifierValue, parseOfacRemarks } from './ofac-remarks.ts';
import { OFAC_LIST_ID, OFAC_PUBLISHER } from './ofac-csv-parser.ts';
import type { Alias, AliasKind, EntryType, Identifier } from './watchlist-entry.ts';
import { childText, childrenNamed, descendantsNamed, readXmlRecords, type XmlElement } from './xml-records.ts';

const SDN_TYPES: Readonly<Record<string, EntryType>> = { individual: 'person', entity: 'company', vessel: 'vessel', aircraft: 'aircraft' };
const AKA_TYPES: Readonly<Record<string, AliasKind>> = { 'a.k.a.': 'aka', 'f.k.a.': 'fka', 'n.k.a.': 'nka' };

function personName(el: XmlElement): string | null {
  const last = childText(el, 'lastName');
  const first = childText(el, 'firstName');
  if (!last) return first;
  return first ? `${last}, ${first}` : last;
}

function publishDate(text: string | null): string | null {
  const m = text ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text) : null;
  if (!m) return null;
  return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}

export const ofacXmlParser: ListParser = {
  format: 'ofac-xml',
  defaultPublisher: OFAC_PUBLISHER,
  arrange: (paths) => singleFile(paths, 'ofac-xml'),
  async parse(files, opts, emit): Promise<ParseOutcome> {
    const file = files[0]!.path;
    const listId = opts.listId ?? OFAC_LIST_ID;
    let date: string | null = null;
    let stated: { count: number; line: number } | null = null;
    let count = 0;
    await readXmlRecords(file, file, {
      notXmlHint: wrongFormatHint(file, 'ofac-xml'),
      capture: new Set(['sdnEntry', 'publshInformation']),
      onRoot(name, _attrs, line) {
        if (name !== 'sdnList') {
          throw new InputError(file, line, null, 'the root element is not sdnList, so this is not an OFAC SDN.XML file', wrongFormatHint(file, 'ofac-xml'));
        }
      },
      async onElement(el) {
        if (el.name === 'publshInformation') {
          const raw = childText(el, 'Publish_Date');
          date = publishDate(raw);
          if (raw && !date) throw new InputError(file, el.line, 'Publish_Date', 'is not a date in the form MM/DD/YYYY', 'The file is damaged or edited; nothing was stored');
          const rc = childText(el, 'Record_Count');
          if (rc !== null) {
            if (!/^[0-9]+$/.test(rc)) throw new InputError(file, el.line, 'Record_Count', 'is not a whole number', 'The file is damaged or edited; nothing was stored');
            stated = { count: Number(rc), line: el.line };
          }
          return;
        }
        const uid = childText(el, 'uid');
        if (uid === null) throw new InputError(file, el.line, 'uid', 'the entry has no uid', 'Every sdnEntry needs its uid; the file is damaged; nothing was stored');
        if (!/^[0-9]{1,12}$/.test(uid)) throw new InputError(file, el.line, 'uid', 'is not a whole number', 'The file is damaged or edited; nothing was stored');
        const name = personName(el);
        if (!name) throw new InputError(file, el.line, 'lastName', 'the entry has no name', 'Every sdnEntry needs a lastName; the file is damaged; nothing was stored');
        const rawType = childText(el, 'sdnType');
        const type = rawType ? SDN_TYPES[rawType.toLowerCase()] : undefined;
        if (!type) throw new InputError(file, el.line, 'sdnType', 'is missing or not Individual, Entity, Vessel or Aircraft', 'The file is damaged or edited; nothing was stored');

        const aliases: Alias[] = [];
        for (const aka of descendantsNamed(el, 'aka')) {
          const n = personName(aka);
          if (!n) continue;
          const kind = AKA_TYPES[(childText(aka, 'type') ?? 'a.k.a.').toLowerCase()] ?? 'aka';
          aliases.push({ name: n, kind, weak: (childText(aka, 'category') ?? '').toLowerCase() === 'weak' });
        }
        const identifiers: Identifier[] = [];
        const vessel = childrenNamed(el, 'vesselInfo')[0];
        const callSign = vessel ? childText(vessel, 'callSign') : null;
        if (callSign) identifiers.push({ type: 'call_sign', value: callSign });
        for (const id of descendantsNamed(el, 'id')) {
          const t = ofacIdType(childText(id, 'idType') ?? '');
          const v = childText(id, 'idNumber');
          if (t && v) identifiers.push({ type: t.type, value: identifierValue(t.type, v), country: childText(id, 'idCountry'), currency: t.currency });
        }
        const countries = [
          ...descendantsNamed(el, 'nationality').map((n) => childText(n, 'country') ?? ''),
          ...descendantsNamed(el, 'citizenship').map((n) => childText(n, 'country') ?? ''),
          ...(vessel ? [childText(vessel, 'vesselFlag') ?? ''] : []),
        ];
        const addresses = descendantsNamed(el, 'address').map((a) => ({
          address: [childText(a, 'address1'), childText(a, 'address2'), childText(a, 'address3')].filter((x) => x).join(', ') || null,
          city: [childText(a, 'city'), childText(a, 'stateOrProvince'), childText(a, 'postalCode')].filter((x) => x).join(' ') || null,
          country: childText(a, 'country'),
        }));
        countries.push(...addresses.map((a) => a.country ?? ''));
        const remarks = childText(el, 'remarks');
        // Older SDN.XML files still carry weak aliases and some facts only in the remarks.
        const facts = parseOfacRemarks(remarks);
        count++;
        await emit({
          file,
          line: el.line,
          entry: {
            list_id: listId,
            entry_id: uid,
            entry_type: type,
            name,
            aliases: [...aliases, ...facts.aliases],
            countries: [...countries, ...facts.countries],
            dates_of_birth: [...descendantsNamed(el, 'dateOfBirthItem').map((d) => childText(d, 'dateOfBirth') ?? ''), ...facts.dates_of_birth],
            identifiers: [...identifiers, ...facts.identifiers],
            programs: descendantsNamed(el, 'program').map((p) => p.text.trim()),
            addresses,
            remarks,
          },
        });
      },
    });
    const st = stated as { count: number; line: number } | null;
    if (st && st.count !== count) {
      throw new InputError(file, st.line, 'Record_Count', `the file states ${st.count} entries but holds ${count}`, 'The file is truncated or edited: fetch it again; nothing was stored');
    }
    return {
      listId,
      publishDate: date,
      fields: ['entry_type', 'name', 'aliases', 'countries', 'dates_of_birth', 'identifiers', 'programs', 'addresses', 'remarks'],
      notes: [],
    };
  },
};
