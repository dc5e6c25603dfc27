/**
 * OpenSanctions FollowTheMoney entities as JSON lines: `{"id", "schema", "properties": {name: [...], ...}}`.
 *
 * Invariants:
 * - Only target schemas become entries (Person; Company, Organization, LegalEntity, PublicBody as company;
 *   Vessel; Airplane as aircraft). Other schemas in an export (Sanction, Address, Ownership ...) are
 *   counted and skipped, and the version says how many; their facts are read only where the export nests
 *   them inside the target (`sanctions`, `addressEntity`), because joining separate lines by id would hold
 *   the whole file in memory.
 * - Every property is a list; a value that is not text (or a nested entity where one is expected) is
 *   refused with its line and property name.
 * - The name is `properties.name[0]` (or `caption`); further names are aliases, as FtM intends.
 */
import { InputError } from '../ingest/input-error.ts';
import { wrongFormatHint } from './format-sniff.ts';
import { normaliseIdentifierType } from './identifier-types.ts';
import { jsonLines } from './json-lines.ts';
import { singleFile, type ListParser, type ParseOutcome } from './list-parser.ts';
import type { Address, Alias, EntryType, Identifier } from './watchlist-entry.ts';

export const FTM_LIST_ID = 'opensanctions';
export const FTM_PUBLISHER = 'OpenSanctions';

const TARGETS: Readonly<Record<string, EntryType>> = {
  Person: 'person',
  Company: 'company',
  Organization: 'company',
  LegalEntity: 'company',
  PublicBody: 'company',
  Vessel: 'vessel',
  Airplane: 'aircraft',
};

/** FtM property -> identifier type; Airplane registrationNumber is its tail number. */
const IDENTIFIER_PROPS = ['imoNumber', 'mmsi', 'swiftBic', 'taxNumber', 'vatCode', 'innCode', 'registrationNumber', 'ogrnCode', 'leiCode', 'passportNumber', 'idNumber', 'callSign', 'serialNumber', 'email', 'website', 'phone'] as const;
const FIXED_TYPES: Readonly<Record<string, string>> = { serialNumber: 'aircraft_serial_number', vatCode: 'tax_id', email: 'email', website: 'website', phone: 'phone' };
const COUNTRY_PROPS = ['country', 'nationality', 'citizenship', 'jurisdiction', 'mainCountry', 'flag'] as const;

type Props = Record<string, unknown>;

export const ftmParser: ListParser = {
  format: 'ftm',
  defaultPublisher: FTM_PUBLISHER,
  arrange: (paths) => singleFile(paths, 'ftm'),
  async parse(files, opts, emit): Promise<ParseOutcome> {
    const file = files[0]!.path;
    const listId = opts.listId ?? FTM_LIST_ID;
    const skipped = new Map<string, number>();
    for await (const { value: obj, line } of jsonLines(file, wrongFormatHint(file, 'ftm'))) {
      const fail = (field: string, problem: string) =>
        new InputError(file, line, field, problem, line === 1 ? wrongFormatHint(file, 'ftm') : 'The line is not a FollowTheMoney entity; nothing was stored');
      const id = obj['id'];
      const schema = obj['schema'];
      if (typeof id !== 'string' || !id.trim()) throw fail('id', 'is missing or not text');
      if (typeof schema !== 'string' || !schema) throw fail('schema', 'is missing or not text');
      const props = obj['properties'] ?? {};
      if (typeof props !== 'object' || props === null || Array.isArray(props)) throw fail('properties', 'is not an object');
      const type = TARGETS[schema];
      if (!type) {
        // Only schema-like names go into the note: the field is the file's text.
        const key = /^[A-Z][A-Za-z]{1,40}$/.test(schema) ? schema : 'unrecognised';
        skipped.set(key, (skipped.get(key) ?? 0) + 1);
        continue;
      }

      const texts = (p: Props, key: string, where = 'properties'): string[] => {
        const v = p[key];
        if (v === undefined || v === null) return [];
        if (!Array.isArray(v)) throw fail(`${where}.${key}`, 'is not a list');
        return v.map((x) => {
          if (typeof x !== 'string') throw fail(`${where}.${key}`, 'holds a value that is not text');
          return x;
        });
      };
      const nested = (p: Props, key: string): Props[] => {
        const v = p[key];
        if (v === undefined || v === null) return [];
        if (!Array.isArray(v)) throw fail(`properties.${key}`, 'is not a list');
        // Flat exports put the related entity's id here (a string): nothing to read without the other line.
        return v.flatMap((x) => {
          if (typeof x === 'string') return [];
          if (typeof x !== 'object' || x === null || Array.isArray(x)) throw fail(`properties.${key}`, 'holds a value that is neither an id nor an entity');
          const inner = (x as Record<string, unknown>)['properties'] ?? {};
          if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw fail(`properties.${key}`, 'holds an entity whose properties are not an object');
          return [inner as Props];
        });
      };

      const p = props as Props;
      const names = texts(p, 'name');
      const caption = typeof obj['caption'] === 'string' ? (obj['caption'] as string) : null;
      const name = names[0] ?? caption;
      if (!name || !name.trim()) throw fail('properties.name', 'the entity has no name');
      const aliases: Alias[] = [
        ...names.slice(1).map((n) => ({ name: n, kind: 'aka' as const, weak: false })),
        ...texts(p, 'alias').map((n) => ({ name: n, kind: 'aka' as const, weak: false })),
        ...texts(p, 'previousName').map((n) => ({ name: n, kind: 'fka' as const, weak: false })),
        ...texts(p, 'weakAlias').map((n) => ({ name: n, kind: 'weak' as const, weak: true })),
      ];
      const identifiers: Identifier[] = [];
      for (const prop of IDENTIFIER_PROPS) {
        const t = type === 'aircraft' && prop === 'registrationNumber' ? 'aircraft_tail_number' : FIXED_TYPES[prop] ?? normaliseIdentifierType(prop);
        for (const v of texts(p, prop)) identifiers.push({ type: t, value: v });
      }
      const addresses: Address[] = [
        ...texts(p, 'address').map((a) => ({ address: a })),
        ...nested(p, 'addressEntity').map((a) => ({
          address: texts(a, 'full', 'addressEntity')[0] ?? texts(a, 'street', 'addressEntity')[0] ?? null,
          city: texts(a, 'city', 'addressEntity')[0] ?? null,
          country: texts(a, 'country', 'addressEntity')[0]?.toUpperCase() ?? null,
        })),
      ];
      const programs = [
        ...texts(p, 'program'),
        ...texts(p, 'programId'),
        ...nested(p, 'sanctions').flatMap((s) => [...texts(s, 'program', 'sanctions'), ...texts(s, 'programId', 'sanctions')]),
      ];
      const notes = texts(p, 'notes');
      await emit({
        file,
        line,
        entry: {
          list_id: listId,
          entry_id: id.trim(),
          entry_type: type,
          name: name.trim(),
          aliases,
          countries: [...COUNTRY_PROPS.flatMap((c) => texts(p, c).map((x) => x.toUpperCase())), ...addresses.map((a) => a.country ?? '')],
          dates_of_birth: texts(p, 'birthDate'),
          identifiers,
          programs,
          addresses,
          remarks: notes.length ? notes.join(' ') : null,
        },
      });
    }
    const notes = skipped.size
      ? [`skipped entities of other schemas: ${[...skipped].map(([s, n]) => `${n} ${s}`).join(', ')}`]
      : [];
    return {
      listId,
      publishDate: null,
      fields: ['entry_type', 'name', 'aliases', 'countries', 'dates_of_birth', 'identifiers', 'programs', 'addresses', 'remarks'],
      notes,
    };
  },
};
