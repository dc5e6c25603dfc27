/**
 * A list file as a stream of checked UTF-8 text chunks.
 *
 * Invariants:
 * - Text is strict UTF-8 (a leading BOM is dropped). A byte sequence that is not UTF-8 fails with the
 *   line it is on, instead of turning names into replacement characters that would never match.
 * - NUL never reaches a parser: it means the file is UTF-16 or binary, and DuckDB cannot store it.
 * - Memory is bounded by the chunk size; consumers enforce their own record and line limits.
 * - Errors name the file and line, never the bytes.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../ingest/input-error.ts';

const CHUNK_BYTES = 1 << 16;

function countNewlines(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function notUtf8(label: string, line: number, utf16: boolean): InputError {
  return new InputError(
    label,
    line,
    null,
    utf16 ? 'the file is UTF-16, not UTF-8' : 'the file is not valid UTF-8 text',
    'Save or export the list as UTF-8 and load it again; nothing was stored',
  );
}

/**
 * Yields the file's text in chunks. `label` is the name errors use (the path as the user gave it).
 */
export async function* decodedText(path: string, label: string = path): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let linesBefore = 1;
  let first = true;
  for await (const raw of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const chunk = raw as Buffer;
    if (first) {
      first = false;
      const utf16 = chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff));
      if (utf16) throw notUtf8(label, 1, true);
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // Locate the first undecodable byte: a lenient decode marks it with U+FFFD at the same position.
      const lenient = new TextDecoder('utf-8', { fatal: false }).decode(chunk);
      const at = lenient.indexOf('\uFFFD');
      throw notUtf8(label, linesBefore + countNewlines(lenient, at === -1 ? 0 : at), false);
    }
    const nul = text.indexOf('\u0000');
    if (nul !== -1) {
      throw new InputError(
        label,
        linesBefore + countNewlines(text, nul),
        null,
        'the file contains NUL bytes, so it is binary or UTF-16 rather than UTF-8 text',
        'Save or export the list as UTF-8 text and load it again; nothing was stored',
      );
    }
    linesBefore += countNewlines(text);
    if (text) yield text;
  }
  try {
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch {
    throw new InputError(label, linesBefore, null, 'the file ends in the middle of a UTF-8 character', 'The file looks truncated: fetch or export it again; nothing was stored');
  }
}
