/**
 * Reading a CSV of name pairs (name_a, name_b, optional type, optional label) for batch comparison.
 *
 * Invariants:
 * - RFC 4180 records through the same streaming reader as the CSV watch lists (capped record size,
 *   physical line numbers).
 * - Any problem is an InputError naming the file, the line and the column, never the cell's value: the
 *   values are names of people and companies.
 * - Pairs come back in input order; blank lines are skipped.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../ingest/input-error.ts';
import { csvRecords } from '../watchlists/csv-records.ts';
import type { ScreenType } from './normalise-name.ts';

export interface NamePair {
  line: number;
  name_a: string;
  name_b: string;
  type: ScreenType | null;
  label: 0 | 1 | null;
}

const TYPES = new Set(['person', 'company', 'vessel', 'aircraft']);

export async function readPairsFile(path: string): Promise<NamePair[]> {
  const label = basename(path);
  let stream: AsyncIterable<string>;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
  } catch {
    throw new InputError(label, null, null, 'cannot be opened', 'Check the path.');
  }
  const out: NamePair[] = [];
  let header: string[] | null = null;
  let col = { a: -1, b: -1, type: -1, label: -1 };
  try {
    for await (const rec of csvRecords(stream, label)) {
      if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') continue;
      if (!header) {
        header = rec.fields.map((f) => f.replace(/^\uFEFF/, '').trim().toLowerCase());
        col = { a: header.indexOf('name_a'), b: header.indexOf('name_b'), type: header.indexOf('type'), label: header.indexOf('label') };
        if (col.a < 0) throw new InputError(label, rec.line, 'name_a', 'the header has no name_a column', 'The first line must name the columns name_a,name_b and optionally type,label.');
        if (col.b < 0) throw new InputError(label, rec.line, 'name_b', 'the header has no name_b column', 'The first line must name the columns name_a,name_b and optionally type,label.');
        continue;
      }
      if (rec.fields.length !== header.length) {
        throw new InputError(label, rec.line, null, `has ${rec.fields.length} fields where the header has ${header.length}`, 'Quote values that contain commas.');
      }
      const a = rec.fields[col.a]!.trim();
      const b = rec.fields[col.b]!.trim();
      if (!a) throw new InputError(label, rec.line, 'name_a', 'is empty', 'Every pair needs two names.');
      if (!b) throw new InputError(label, rec.line, 'name_b', 'is empty', 'Every pair needs two names.');
      const t = col.type >= 0 ? rec.fields[col.type]!.trim().toLowerCase() : '';
      if (t && !TYPES.has(t)) throw new InputError(label, rec.line, 'type', 'is not a known type', 'Use person, company, vessel, aircraft or leave it empty.');
      const l = col.label >= 0 ? rec.fields[col.label]!.trim() : '';
      if (l && l !== '0' && l !== '1') throw new InputError(label, rec.line, 'label', 'is not 0 or 1', 'Use 1 for a true match, 0 for a non-match, or leave it empty.');
      out.push({ line: rec.line, name_a: a, name_b: b, type: (t || null) as ScreenType | null, label: l === '' ? null : (Number(l) as 0 | 1) });
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException)?.code;
    throw new InputError(label, null, null, code === 'ENOENT' ? 'does not exist' : 'cannot be read', 'Check the path and that the file is UTF-8 CSV.');
  }
  if (!header) throw new InputError(label, null, null, 'is empty', 'The first line must name the columns name_a,name_b.');
  return out;
}
