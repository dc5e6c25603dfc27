/**
 * What a file is before we let the engine read it: its size, format and header row, and (separately) its
 * SHA-256, the batch identity. Reading the header ourselves means a missing required column fails in milliseconds with the
 * exact column name, before DuckDB scans gigabytes.
 *
 * Only the first line is parsed here (bounded to 1 MiB); rows are never parsed in JavaScript.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { InputError } from './input-error.ts';

export type SourceFormat = 'csv' | 'parquet';

export interface SourceFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly format: SourceFormat;
  readonly gzip: boolean;
  /** First line decoded as text, without its line ending; empty for parquet. */
  readonly firstLine: string;
}

const MAX_HEADER_BYTES = 1 << 20;
/** Bytes after the header line looked at for binary content before the engine reads the file. */
const BINARY_PEEK = 64 * 1024;
/** Eight NUL bytes in a row: never text in any encoding this reads (UTF-16 files are refused before). */
const NUL_RUN = Buffer.alloc(8);

export interface FileScan {
  readonly sha256: string;
}

/**
 * The SHA-256 of the bytes (the batch identity). For gzip the same pass inflates the stream in zlib and
 * discards it, because DuckDB's reader accepts a truncated gzip file silently and would load half a file as
 * if it were whole.
 */
export async function scanFile(path: string, gzip: boolean, signal?: AbortSignal): Promise<FileScan> {
  const hash = createHash('sha256');
  const gunzip = gzip ? createGunzip({ chunkSize: 1 << 20 }) : null;
  const verified = gunzip
    ? new Promise<void>((resolve, reject) => {
        gunzip.on('data', () => undefined);
        gunzip.on('end', resolve);
        gunzip.on('error', reject);
      })
    : Promise.resolve();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    hash.update(chunk as Buffer);
    if (gunzip && !gunzip.write(chunk)) await new Promise((r) => gunzip.once('drain', r));
  }
  gunzip?.end();
  try {
    await verified;
  } catch (e) {
    throw new InputError(path, null, null, `the gzip stream is damaged or truncated (${(e as Error).message})`, 'The file could not be read; fetch or export it again');
  }
  return { sha256: hash.digest('hex') };
}

function readPrefix(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const read = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * The start of a gzip file's text: its first line and up to BINARY_PEEK bytes after it, inflating only as much
 * as needed (a zip bomb never inflates whole).
 */
async function gzipPrefix(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const src = createReadStream(path);
    const gunzip = createGunzip();
    const done = (b: Buffer) => {
      src.destroy();
      gunzip.destroy();
      resolve(b);
    };
    gunzip.on('data', (c: Buffer) => {
      chunks.push(c);
      total += c.length;
      const all = Buffer.concat(chunks);
      const nl = all.indexOf(0x0a);
      if ((nl >= 0 && all.length >= nl + 1 + BINARY_PEEK) || total > MAX_HEADER_BYTES + BINARY_PEEK) done(all);
    });
    gunzip.on('end', () => resolve(Buffer.concat(chunks)));
    gunzip.on('error', (e) => reject(new InputError(path, 1, null, `not a readable gzip file (${e.message})`, 'Check the file is complete and really gzip-compressed')));
    src.pipe(gunzip);
  });
}

/** Size, format and first line; the SHA-256 is a separate pass (scanFile) so it can run alongside a read. */
export async function inspectSource(path: string): Promise<SourceFile> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch {
    throw new InputError(path, null, null, 'cannot read the file', 'Check the path and that you may read it');
  }
  if (size === 0) throw new InputError(path, null, null, 'the file is empty', 'Nothing to load; check the export that produced it');
  const magic = readPrefix(path, 4);
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const parquet = magic.toString('latin1') === 'PAR1';
  if (magic[0] === 0x50 && magic[1] === 0x4b) {
    throw new InputError(path, null, null, 'this is a zip archive', 'Unzip it and load the CSV or Parquet files inside');
  }
  if (parquet) return { path, sizeBytes: size, format: 'parquet', gzip: false, firstLine: '' };
  const prefix = gzip ? await gzipPrefix(path) : readPrefix(path, Math.min(size, MAX_HEADER_BYTES + BINARY_PEEK));
  let first = prefix.subarray(0, MAX_HEADER_BYTES);
  const nl = first.indexOf(0x0a);
  if (nl >= 0) first = first.subarray(0, nl);
  else if (first.length >= MAX_HEADER_BYTES) {
    throw new InputError(path, 1, null, 'the first line is longer than 1 MiB', 'This is not a delimited text file with a header; check the format');
  }
  if (first.length > 0 && first[first.length - 1] === 0x0d) first = first.subarray(0, first.length - 1);
  // UTF-8 BOM is legal at the start of a CSV and must not become part of the first column name.
  if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) first = first.subarray(3);
  if (first[0] === 0xff && first[1] === 0xfe) {
    throw new InputError(path, 1, null, 'the file is UTF-16 encoded', 'Re-export it as UTF-8, or use a profile with "encoding": "utf-16"');
  }
  // Delimited text does not hold runs of NUL bytes: a header followed by binary data (a disk image, a
  // zero-filled file, a corrupt export) is refused here, before the engine reads gigabytes of it and finds
  // no record. A stray NUL inside a field is left to the per-field check, which quarantines its record.
  const body = nl >= 0 ? prefix.subarray(nl + 1, nl + 1 + BINARY_PEEK) : Buffer.alloc(0);
  const utf16 = (prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff);
  const binary = (b: Buffer) => b.indexOf(NUL_RUN) >= 0;
  if (!utf16 && (binary(body) || (nl < 0 && binary(first)))) {
    const at = nl >= 0 ? nl + 1 + body.indexOf(NUL_RUN) : first.indexOf(NUL_RUN);
    throw new InputError(
      path,
      nl >= 0 ? 2 : 1,
      null,
      `the file holds binary data (a NUL byte at byte ${at} of its ${gzip ? 'decompressed ' : ''}text), not delimited text`,
      'Check that this is the CSV export and that it is not damaged; nothing was stored',
    );
  }
  const text = first.toString('utf8');
  if (text.includes('\uFFFD')) {
    throw new InputError(path, 1, null, 'the header line is not valid UTF-8', 'Re-export the file as UTF-8, or use a profile with "encoding": "latin-1"');
  }
  return { path, sizeBytes: size, format: 'csv', gzip, firstLine: text };
}

const CANDIDATE_DELIMITERS = ['\t', ';', '|', ','];

export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    const n = firstLine.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Split one header line; quotes are honoured so "a,b" stays one name. */
export function splitHeader(line: string, delimiter: string, quote: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote && ch === quote) {
      if (quoted && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function looksLikeData(cells: readonly string[]): boolean {
  return cells.every((c) => /^\s*[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*$/.test(c));
}
