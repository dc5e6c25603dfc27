/**
 * OFAC's legacy CSV set: sdn.csv with the optional alt.csv (aliases), add.csv (addresses) and
 * sdn_comments.csv (remarks overflow), all keyed by ent_num.
 *
 * Invariants:
 * - Layout is fixed and headerless (sdn 12 columns, alt 5, add 6, comments 2); a record with another
 *   count is refused with its line, because a shifted column would silently put a name in the wrong field.
 * - `-0-` (with or without a trailing space) is null; the 0x1A end-of-file mark is accepted at the end.
 * - ent_num, alt_num and add_num must be whole numbers and Tonnage/GRT numbers or null: text there means
 *   the file is not what --format says.
 * - A side file that names an ent_num absent from sdn.csv is refused: it comes from another publication,
 *   and joining it would attach aliases or addresses to the wrong version.
 * - Comments overflow is appended to the remarks exactly (OFAC cuts mid-word), then remarks are parsed.
 * - Fields carried: aliases only with alt.csv, addresses and countries only with add.csv (countries include
 *   address countries), so a diff against a full set does not report those as changes.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../ingest/input-error.ts';
import { csvRecords, type CsvRecord } from './csv-records.ts';
import { decodedText } from './decoded-text.ts';
import { wrongFormatHint } from './format-sniff.ts';
import type { ListFile, ListParser, ParseOutcome } from './list-parser.ts';
import { parseOfacRemarks } from './ofac-remarks.ts';
import { clean, type Address, type Alias, type AliasKind, type EntryField, type EntryType } from './watchlist-entry.ts';

export const OFAC_LIST_ID = 'us-ofac-sdn';
export const OFAC_PUBLISHER = 'US Treasury OFAC';

const ROLES: Readonly<Record<string, string>> = {
  'sdn.csv': 'sdn',
  'alt.csv': 'alt',
  'add.csv': 'add',
  'sdn_comments.csv': 'comments',
};
const ROLE_ORDER = ['sdn', 'alt', 'add', 'comments'];

const LAYOUT: Readonly<Record<string, readonly string[]>> = {
  sdn: ['ent_num', 'SDN_Name', 'SDN_Type', 'Program', 'Title', 'Call_Sign', 'Vess_type', 'Tonnage', 'GRT', 'Vess_flag', 'Vess_owner', 'Remarks'],
  alt: ['ent_num', 'alt_num', 'alt_type', 'alt_name', 'alt_remarks'],
  add: ['ent_num', 'add_num', 'Address', 'City/State/Province/Postal Code', 'Country', 'Add_remarks'],
  comments: ['ent_num', 'Remarks_Extended'],
};

const SDN_TYPES: Readonly<Record<string, EntryType>> = { individual: 'person', vessel: 'vessel', aircraft: 'aircraft' };
const ALT_TYPES: Readonly<Record<string, AliasKind>> = { aka: 'aka', fka: 'fka', nka: 'nka' };

function arrange(paths: readonly string[]): ListFile[] {
  const files: ListFile[] = [];
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new InputError(p, null, null, 'the file does not exist', 'Check the path');
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) {
        const role = ROLES[name.toLowerCase()];
        if (role) files.push({ role, path: join(p, name) });
      }
      continue;
    }
    const role = ROLES[basename(p).toLowerCase()] ?? (paths.length === 1 ? 'sdn' : null);
    if (!role) {
      throw new InputError(p, null, null, 'in an OFAC CSV set each file must be named sdn.csv, alt.csv, add.csv or sdn_comments.csv', 'Rename the files as OFAC publishes them, or give their folder');
    }
    files.push({ role, path: p });
  }
  for (const role of ROLE_ORDER) {
    const same = files.filter((f) => f.role === role);
    if (same.length > 1) throw new InputError(same[1]!.path, null, null, `the set holds two ${role} files`, 'Give each of sdn.csv, alt.csv, add.csv and sdn_comments.csv at most once');
  }
  if (!files.some((f) => f.role === 'sdn')) {
    throw new InputError(paths[0] ?? '(no file)', null, null, 'the OFAC CSV set has no sdn.csv', 'sdn.csv holds the entries; alt.csv, add.csv and sdn_comments.csv only add to it');
  }
  return files.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
}

async function* records(file: ListFile): AsyncGenerator<CsvRecord> {
  const layout = LAYOUT[file.role]!;
  for await (const rec of csvRecords(decodedText(file.path), file.path)) {
    if (rec.fields.length !== layout.length) {
      throw new InputError(
        file.path,
        rec.line,
        null,
        `the record has ${rec.fields.length} fields; OFAC ${file.role === 'comments' ? 'sdn_comments' : file.role}.csv has ${layout.length}`,
        rec.line === 1 ? wrongFormatHint(file.path, 'ofac-csv') : 'The file is damaged or truncated; fetch it again; nothing was stored',
      );
    }
    yield rec;
  }
}

function wholeNumber(file: ListFile, rec: CsvRecord, i: number): string {
  const v = (rec.fields[i] ?? '').trim();
  if (!/^[0-9]{1,12}$/.test(v)) {
    throw new InputError(file.path, rec.line, LAYOUT[file.role]![i]!, 'is not a whole number', rec.line === 1 ? wrongFormatHint(file.path, 'ofac-csv') : 'The file is damaged or not an OFAC CSV file; nothing was stored');
  }
  return String(Number(v));
}

function field(rec: CsvRecord, i: number): string | null {
  return clean(rec.fields[i]);
}

interface SideData {
  aliases: Map<string, Alias[]>;
  addresses: Map<string, Address[]>;
  comments: Map<string, string>;
  /** First line each ent_num appears on per side file, to report orphans exactly. */
  seen: Map<string, { file: string; line: number }>;
}

async function readSideFiles(files: readonly ListFile[]): Promise<SideData> {
  const side: SideData = { aliases: new Map(), addresses: new Map(), comments: new Map(), seen: new Map() };
  for (const f of files) {
    if (f.role === 'sdn') continue;
    for await (const rec of records(f)) {
      const ent = wholeNumber(f, rec, 0);
      if (!side.seen.has(`${f.role}:${ent}`)) side.seen.set(`${f.role}:${ent}`, { file: f.path, line: rec.line });
      if (f.role === 'alt') {
        wholeNumber(f, rec, 1);
        const kind = ALT_TYPES[(field(rec, 2) ?? '').toLowerCase()];
        if (!kind) throw new InputError(f.path, rec.line, 'alt_type', 'is not aka, fka or nka', 'The file is damaged or not an OFAC alt.csv; nothing was stored');
        const name = field(rec, 3);
        if (!name) throw new InputError(f.path, rec.line, 'alt_name', 'is empty', 'Every alias needs a name; the file is damaged; nothing was stored');
        side.aliases.set(ent, [...(side.aliases.get(ent) ?? []), { name, kind, weak: false }]);
      } else if (f.role === 'add') {
        wholeNumber(f, rec, 1);
        const a: Address = { address: field(rec, 2), city: field(rec, 3), country: field(rec, 4) };
        side.addresses.set(ent, [...(side.addresses.get(ent) ?? []), a]);
      } else {
        // Overflow continues the remarks mid-word: join without a separator, and keep its own spacing.
        side.comments.set(ent, (side.comments.get(ent) ?? '') + (rec.fields[1] ?? ''));
      }
    }
  }
  return side;
}

function programs(text: string | null): string[] {
  if (!text) return [];
  return text
    .split(/\]\s*\[/)
    .map((p) => p.replace(/^\[|\]$/g, '').trim())
    .filter((p) => p !== '');
}

export const ofacCsvParser: ListParser = {
  format: 'ofac-csv',
  defaultPublisher: OFAC_PUBLISHER,
  arrange,
  async parse(files, opts, emit): Promise<ParseOutcome> {
    const listId = opts.listId ?? OFAC_LIST_ID;
    const side = await readSideFiles(files);
    const sdn = files.find((f) => f.role === 'sdn')!;
    const entNums = new Set<string>();
    for await (const rec of records(sdn)) {
      const ent = wholeNumber(sdn, rec, 0);
      entNums.add(ent);
      const name = field(rec, 1);
      if (!name) throw new InputError(sdn.path, rec.line, 'SDN_Name', 'is empty', 'Every entry needs a name; the file is damaged; nothing was stored');
      const rawType = field(rec, 2);
      const type: EntryType | undefined = rawType === null ? 'company' : SDN_TYPES[rawType.toLowerCase()];
      if (!type) {
        throw new InputError(sdn.path, rec.line, 'SDN_Type', 'is not individual, vessel, aircraft or -0-', 'The file is damaged or not an OFAC sdn.csv; nothing was stored');
      }
      for (const i of [7, 8]) {
        const v = field(rec, i);
        if (v !== null && !/^[0-9][0-9,]*(\.[0-9]+)?$/.test(v)) {
          throw new InputError(sdn.path, rec.line, LAYOUT['sdn']![i]!, 'is not a number', 'The file is damaged or not an OFAC sdn.csv; nothing was stored');
        }
      }
      const overflow = side.comments.get(ent);
      const remarks = overflow !== undefined ? `${rec.fields[11] ?? ''}${overflow}` : field(rec, 11);
      const facts = parseOfacRemarks(clean(remarks));
      const addresses = side.addresses.get(ent) ?? [];
      const callSign = field(rec, 5);
      const flag = field(rec, 9);
      await emit({
        file: sdn.path,
        line: rec.line,
        entry: {
          list_id: listId,
          entry_id: ent,
          entry_type: type,
          name,
          aliases: [...(side.aliases.get(ent) ?? []), ...facts.aliases],
          countries: [...facts.countries, ...(flag ? [flag] : []), ...addresses.map((a) => a.country ?? '')],
          dates_of_birth: facts.dates_of_birth,
          identifiers: [...(callSign ? [{ type: 'call_sign', value: callSign }] : []), ...facts.identifiers],
          programs: programs(field(rec, 3)),
          addresses,
          remarks,
        },
      });
    }
    for (const [key, at] of side.seen) {
      const ent = key.slice(key.indexOf(':') + 1);
      if (!entNums.has(ent)) {
        throw new InputError(at.file, at.line, 'ent_num', 'names an entry that sdn.csv does not hold', 'The side files come from another publication than sdn.csv: use files of the same date; nothing was stored');
      }
    }
    const has = (role: string) => files.some((f) => f.role === role);
    const fields: EntryField[] = ['entry_type', 'name', 'dates_of_birth', 'identifiers', 'programs', 'remarks'];
    const notes: string[] = [];
    if (has('alt')) fields.push('aliases');
    else notes.push('no alt.csv: aliases are only the weak ones written in the remarks');
    if (has('add')) fields.push('addresses', 'countries');
    else notes.push('no add.csv: no addresses, and countries are only nationalities and vessel flags');
    return { listId, publishDate: null, fields, notes };
  },
};
