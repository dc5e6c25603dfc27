/**
 * JSON lines, one object per line, with a per-line size limit.
 *
 * Invariants:
 * - A line longer than MAX_LINE_CHARS fails as soon as the limit is passed (a 2 GB line is never
 *   buffered), naming its line.
 * - Blank lines are skipped; every other line must be one JSON object. Parse errors report the line only:
 *   JSON.parse messages quote the text, and the text may be a name.
 */
import { InputError } from '../ingest/input-error.ts';
import { decodedText } from './decoded-text.ts';

export const MAX_LINE_CHARS = 16 << 20;

export interface JsonLine {
  readonly value: Record<string, unknown>;
  readonly line: number;
}

export async function* jsonLines(path: string, badFirstLineHint: string): AsyncGenerator<JsonLine> {
  let buf = '';
  let line = 1;
  const parse = (text: string, at: number): JsonLine | null => {
    const t = text.trim();
    if (!t) return null;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      throw new InputError(path, at, null, 'the line is not valid JSON (a truncated or damaged line?)', at === 1 ? badFirstLineHint : 'Fetch or export the file again; nothing was stored');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(path, at, null, 'the line is JSON but not an object', at === 1 ? badFirstLineHint : 'Each line must be one JSON object; nothing was stored');
    }
    return { value: value as Record<string, unknown>, line: at };
  };
  for await (const chunk of decodedText(path)) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const text = buf + chunk.slice(start, nl);
      buf = '';
      if (text.length > MAX_LINE_CHARS) throw tooLong(path, line);
      const r = parse(text, line);
      if (r) yield r;
      line++;
      start = nl + 1;
    }
    buf += chunk.slice(start);
    if (buf.length > MAX_LINE_CHARS) throw tooLong(path, line);
  }
  const r = parse(buf, line);
  if (r) yield r;
}

function tooLong(path: string, line: number): InputError {
  return new InputError(path, line, null, `the line is longer than ${MAX_LINE_CHARS >> 20} MiB`, 'The file is damaged or not JSON lines; nothing was stored');
}
