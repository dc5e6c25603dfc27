/**
 * Turns an engine error raised while reading a user's file into an InputError without leaking data.
 *
 * DuckDB's CSV errors quote the offending line ("Original Line: ..."), which may hold names or tax ids.
 * Only the first line of the message is kept, quoted fragments are removed, and the line number DuckDB
 * reports is lifted into the structured error.
 */
import { InputError } from './input-error.ts';

export function sanitiseEngineMessage(message: string): { summary: string; line: number | null } {
  const firstLine = message.split('\n')[0] ?? '';
  const line = /Line:\s*([0-9]+)/.exec(message);
  const summary = firstLine
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 160);
  return { summary, line: line ? Number(line[1]) : null };
}

export function engineReadError(file: string, e: unknown): InputError {
  const { summary, line } = sanitiseEngineMessage(String((e as Error)?.message ?? e));
  return new InputError(file, line, null, `the file could not be read (${summary})`, 'Check the file format, encoding and profile; nothing was stored');
}
