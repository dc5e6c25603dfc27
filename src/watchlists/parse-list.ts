/**
 * Parses a list into normalised entries in memory, without storing anything: for checking a file before
 * loading it and for tests. Large lists should be loaded (load-list streams them to the store).
 */
import { parserFor } from './list-formats.ts';
import type { ParseOutcome } from './list-parser.ts';
import { finaliseEntry, type StoredEntry } from './watchlist-entry.ts';
import { basename } from 'node:path';

export interface ParsedList {
  outcome: ParseOutcome;
  entries: StoredEntry[];
}

export async function parseListFiles(
  format: string,
  paths: readonly string[],
  opts: { listId?: string; resolveCountry?: (raw: string) => string } = {},
): Promise<ParsedList> {
  const parser = parserFor(format, paths[0] ?? '(no file)');
  const files = parser.arrange(paths);
  const entries: StoredEntry[] = [];
  const resolve = opts.resolveCountry ?? ((raw: string) => raw);
  const outcome = await parser.parse(files, { listId: opts.listId }, async ({ entry, file, line }) => {
    entries.push(finaliseEntry(entry, resolve, { file: basename(file), line }));
  });
  return { outcome, entries };
}
