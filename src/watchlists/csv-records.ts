/**
 * Streaming RFC 4180 records for the two small CSV list layouts (OFAC legacy set, the internal list).
 *
 * Invariants:
 * - Memory per record is capped (MAX_RECORD_CHARS): a 2 GB line fails as soon as the cap is passed,
 *   with the line it started on, instead of being buffered.
 * - Line numbers are physical lines (1-based) where the record starts, so a quoted line break inside a
 *   remark does not shift the numbers of later records.
 * - A single 0x1A byte (DOS end-of-file mark, as OFAC files end) is accepted only as the last record.
 * - Values are never interpreted: `=cmd|...` is text like any other name.
 */
import { InputError } from '../ingest/input-error.ts';

export const MAX_RECORD_CHARS = 1 << 20;
const MAX_FIELDS = 1000;

export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

const SUB = '\u001a';

export async function* csvRecords(chunks: AsyncIterable<string>, label: string): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let recordChars = 0;
  let quoted = false;
  let inQuotes = false;
  let quotePending = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let pendingSub: number | null = null;
  let pendingCr = false;

  const tooLong = () =>
    new InputError(label, recordLine, null, `a record is longer than ${MAX_RECORD_CHARS / 1024} KiB`, 'The file is damaged or not a list in this format; nothing was stored');

  function endField(): void {
    fields.push(field);
    if (fields.length > MAX_FIELDS) {
      throw new InputError(label, recordLine, null, `a record has more than ${MAX_FIELDS} fields`, 'The file is damaged or not a list in this format; nothing was stored');
    }
    field = '';
    quoted = false;
    afterQuote = false;
  }

  function* endRecord(): Generator<CsvRecord> {
    endField();
    const rec = fields;
    const at = recordLine;
    fields = [];
    recordChars = 0;
    recordLine = line;
    // A blank line is no record.
    if (rec.length === 1 && rec[0] === '') return;
    if (pendingSub !== null) {
      throw new InputError(label, pendingSub, null, 'an end-of-file mark (0x1A) appears before the end of the file', 'The file is damaged; fetch or export it again; nothing was stored');
    }
    if (rec.length === 1 && rec[0] === SUB) {
      pendingSub = at;
      return;
    }
    yield { fields: rec, line: at };
  }

  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (ch === '\n') continue;
      }
      if (++recordChars > MAX_RECORD_CHARS) throw tooLong();
      if (quotePending) {
        // The character after a quote inside a quoted field decides: "" is a literal quote, anything
        // else means the quote closed the field. Deciding here works across chunk boundaries.
        quotePending = false;
        if (ch === '"') {
          field += '"';
          continue;
        }
        inQuotes = false;
        afterQuote = true;
      }
      if (inQuotes) {
        if (ch === '"') quotePending = true;
        else {
          if (ch === '\n') line++;
          field += ch;
        }
        continue;
      }
      if (ch === ',') {
        endField();
      } else if (ch === '\n' || ch === '\r') {
        line++;
        yield* endRecord();
        if (ch === '\r') pendingCr = true;
      } else if (ch === '"' && field === '' && !quoted) {
        quoted = true;
        inQuotes = true;
      } else if (afterQuote) {
        // Spaces after a closing quote are tolerated (some exports pad); anything else is malformed.
        if (ch !== ' ' && ch !== '\t') {
          throw new InputError(label, recordLine, `#${fields.length + 1}`, 'unexpected text after the closing quote of a quoted field', 'The file is damaged or not CSV; nothing was stored');
        }
      } else {
        field += ch;
      }
    }
  }
  if (quotePending) {
    quotePending = false;
    inQuotes = false;
  }
  if (inQuotes) {
    throw new InputError(label, recordLine, `#${fields.length + 1}`, 'a quoted field is not closed before the end of the file', 'The file looks truncated: fetch or export it again; nothing was stored');
  }
  if (field !== '' || fields.length > 0 || quoted) yield* endRecord();
}
