/**
 * The simple CSV for internal lists (the demo generator writes it too):
 * `list_id,entry_id,type,name,aliases,country,identifiers,program`, aliases/countries/programs separated
 * by `;`, identifiers written `type:value;type:value`.
 *
 * Invariants:
 * - The header is required; list_id, entry_id, type and name must be present, other known columns are
 *   optional, and an unknown column is refused (a misspelt "aliasses" would otherwise drop data silently).
 * - One file is one version of one list: every row carries the same list_id.
 * - Values are data only: a name like `=cmd|...` is stored as written and never evaluated.
 */
import { InputError } from '../ingest/input-error.ts';
import { csvRecords } from './csv-records.ts';
import { decodedText } from './decoded-text.ts';
import { wrongFormatHint } from './format-sniff.ts';
import { normaliseIdentifierType } from './identifier-types.ts';
import { LIST_ID_RE, singleFile, type ListParser, type ParseOutcome } from './list-parser.ts';
import { clean, type EntryType, type Identifier } from './watchlist-entry.ts';

const COLUMNS = ['list_id', 'entry_id', 'type', 'name', 'aliases', 'country', 'identifiers', 'program'] as const;
const REQUIRED = ['list_id', 'entry_id', 'type', 'name'] as const;
type Column = (typeof COLUMNS)[number];

const TYPES: Readonly<Record<string, EntryType>> = {
  person: 'person',
  individual: 'person',
  company: 'company',
  entity: 'company',
  organisation: 'company',
  organization: 'company',
  vessel: 'vessel',
  aircraft: 'aircraft',
  other: 'other',
};

function split(text: string | null): string[] {
  return text ? text.split(';').map((s) => s.trim()).filter((s) => s !== '') : [];
}

export const simpleCsvParser: ListParser = {
  format: 'csv',
  defaultPublisher: null,
  arrange: (paths) => singleFile(paths, 'csv'),
  async parse(files, opts, emit): Promise<ParseOutcome> {
    const file = files[0]!.path;
    let index: Partial<Record<Column, number>> | null = null;
    let width = 0;
    let listId: string | null = opts.listId ?? null;
    for await (const rec of csvRecords(decodedText(file), file)) {
      if (!index) {
        const idx: Partial<Record<Column, number>> = {};
        rec.fields.forEach((raw, i) => {
          const name = raw.trim().toLowerCase();
          if (!(COLUMNS as readonly string[]).includes(name)) {
            throw new InputError(file, rec.line, `#${i + 1}`, 'the header names a column this format does not have', `The header must use only ${COLUMNS.join(', ')}. ${wrongFormatHint(file, 'csv')}`);
          }
          if (idx[name as Column] !== undefined) throw new InputError(file, rec.line, name, 'the header names this column twice', 'Keep one column of each name; nothing was stored');
          idx[name as Column] = i;
        });
        for (const need of REQUIRED) {
          if (idx[need] === undefined) throw new InputError(file, rec.line, need, 'required column is missing', `The header needs ${REQUIRED.join(', ')}; nothing was stored`);
        }
        index = idx;
        width = rec.fields.length;
        continue;
      }
      if (rec.fields.length !== width) {
        throw new InputError(file, rec.line, null, `the record has ${rec.fields.length} fields, the header ${width}`, 'The line is damaged or truncated, or a value with a comma is not quoted; nothing was stored');
      }
      const get = (c: Column): string | null => {
        const i = index![c];
        return i === undefined ? null : clean(rec.fields[i]);
      };
      for (const need of REQUIRED) {
        if (get(need) === null) throw new InputError(file, rec.line, need, 'is empty', 'Every row needs list_id, entry_id, type and name; nothing was stored');
      }
      const rowList = get('list_id')!;
      if (!LIST_ID_RE.test(rowList)) {
        throw new InputError(file, rec.line, 'list_id', 'is not a list id (letters, digits and . _ : -, at most 64 characters)', 'Use a short plain id such as internal-demo; nothing was stored');
      }
      if (listId === null) listId = rowList;
      else if (rowList !== listId) {
        throw new InputError(file, rec.line, 'list_id', 'differs from the list id of the rows above (or of --list-id)', 'One file is one version of one list: split the file by list_id; nothing was stored');
      }
      const type = TYPES[get('type')!.toLowerCase()];
      if (!type) throw new InputError(file, rec.line, 'type', 'is not person, company, vessel, aircraft or other', 'Use one of these types; nothing was stored');
      const identifiers: Identifier[] = split(get('identifiers')).map((pair) => {
        const i = pair.indexOf(':');
        if (i <= 0 || i === pair.length - 1) {
          throw new InputError(file, rec.line, 'identifiers', 'an identifier is not written type:value', 'Write identifiers as type:value separated by ;, e.g. IMO:9187629;MMSI:572469210; nothing was stored');
        }
        return { type: normaliseIdentifierType(pair.slice(0, i)), value: pair.slice(i + 1).trim() };
      });
      await emit({
        file,
        line: rec.line,
        entry: {
          list_id: listId,
          entry_id: get('entry_id')!,
          entry_type: type,
          name: get('name')!,
          aliases: split(get('aliases')).map((name) => ({ name, kind: 'aka', weak: false })),
          countries: split(get('country')),
          dates_of_birth: [],
          identifiers,
          programs: split(get('program')),
          addresses: [],
          remarks: null,
        },
      });
    }
    if (!index) throw new InputError(file, 1, null, 'the file is empty', 'A list CSV needs a header row and at least one entry; nothing was stored');
    const fields = (['entry_type', 'name', 'aliases', 'countries', 'identifiers', 'programs'] as const).filter((f) => {
      const col: Record<string, Column> = { aliases: 'aliases', countries: 'country', identifiers: 'identifiers', programs: 'program' };
      return !(f in col) || index![col[f]!] !== undefined;
    });
    return { listId: listId ?? '', publishDate: null, fields, notes: [] };
  },
};
