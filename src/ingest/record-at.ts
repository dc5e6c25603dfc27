/**
 * The raw text of one record the engine's reader rejected, read from the file at the byte position the reader
 * reports, so the quarantine shows the right record and the right reason even where the reader's own report
 * is wrong (DuckDB reports a record longer than its line limit inside quotes as an "unquoted value", with the
 * text of the record before it).
 *
 * Invariants:
 * - The record is found from the position of the error, which the reader reports reliably (its line start and
 *   line text are not): it starts after the last line break before that position (a record whose quoted
 *   fields span lines is cut at the last of them).
 * - Bounded work: at most 2 x `limit` bytes are read per record, only for the first few rejected records
 *   (ingest-file.ts), so a file of bad lines costs milliseconds here; rows are still never parsed in JavaScript
 *   for loading, only a rejected record is looked at to describe it.
 * - Gzip files are inflated from the start up to the record, and only for records within the first
 *   MAX_GZIP_OFFSET bytes of inflated text (null beyond: the reader's own report stands).
 * - Quote-aware from the record's start: a line break inside a quoted field does not end it; a doubled quote
 *   inside quotes is an escaped quote.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export interface RecordAt {
  /** The first `keep` bytes of the record as text. */
  readonly text: string;
  /** The record ends within `limit` bytes (otherwise it is longer than the reader's limit). */
  readonly endsWithin: boolean;
  /** It was still inside a quoted field where the scan stopped. */
  readonly openQuote: boolean;
  /** The part examined holds NUL bytes (binary data, not text). */
  readonly hasNul: boolean;
  /** Bytes examined (the record's length when it ends within the limit). */
  readonly bytes: number;
}

export const MAX_GZIP_OFFSET = 64 * 1024 * 1024;

function scan(buf: Buffer, quote: number, keep: number, limit: number, eof: boolean): RecordAt {
  let inQuote = false;
  let hasNul = false;
  let end = -1;
  const n = Math.min(buf.length, limit + 1);
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0) hasNul = true;
    if (b === quote) {
      if (inQuote && buf[i + 1] === quote) i++;
      else inQuote = !inQuote;
    } else if (b === 0x0a && !inQuote) {
      end = i;
      break;
    }
  }
  // The end of the file ends the last record (its line break may be missing).
  if (end < 0 && eof && buf.length <= limit) end = buf.length;
  const length = end >= 0 ? end : n;
  const text = buf.subarray(0, Math.min(length, keep)).toString('utf8').replace(/\r$/, '');
  return { text, endsWithin: end >= 0 && end <= limit, openQuote: end < 0 && inQuote, hasNul, bytes: length };
}

/** Bytes [from, to) of the file's text (inflated for gzip), or null when that lies beyond what is inflated for this. */
async function window(path: string, gzip: boolean, from: number, to: number): Promise<Buffer | null> {
  if (!gzip) {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(to - from);
      const { bytesRead } = await fh.read(buf, 0, to - from, from);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  if (from > MAX_GZIP_OFFSET) return null;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const src = createReadStream(path);
    const gunzip = createGunzip();
    const done = () => {
      src.destroy();
      gunzip.destroy();
      resolve(Buffer.concat(chunks));
    };
    gunzip.on('data', (c: Buffer) => {
      const lo = Math.max(0, from - seen);
      const hi = Math.min(c.length, to - seen);
      seen += c.length;
      if (hi > lo) chunks.push(c.subarray(lo, hi));
      if (seen >= to) done();
    });
    gunzip.on('end', done);
    gunzip.on('error', reject);
    src.pipe(gunzip);
  });
}

/**
 * The record holding byte `errorAt` of the file's text (the reader's position of the error, which it reports
 * reliably where its line start is not): it starts after the last line break before that byte.
 */
export async function recordAt(path: string, gzip: boolean, errorAt: number, o: { quote: string; limit: number; keep: number }): Promise<RecordAt | null> {
  const quote = (o.quote || '"').charCodeAt(0);
  const from = Math.max(0, errorAt - o.limit);
  const to = errorAt + o.limit + 1;
  const buf = await window(path, gzip, from, to);
  if (!buf) return null;
  const nl = errorAt > from ? buf.lastIndexOf(0x0a, errorAt - from - 1) : -1;
  return scan(buf.subarray(nl + 1), quote, o.keep, o.limit, buf.length < to - from);
}
