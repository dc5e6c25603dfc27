/**
 * The contract between a list format and the loader.
 *
 * Invariants:
 * - A parser streams: it hands each entry to `emit` as soon as it is complete, so a large list never sits
 *   in memory whole (OFAC's side files alt/add/comments are the exception: they are small and are joined
 *   to sdn.csv by ent_num).
 * - A parser either reads the whole file set or throws an InputError naming file, line (or element line)
 *   and field. It never writes anything; the loader stores only after a complete, clean parse.
 * - `fields` says which entry fields this file set actually carries (an sdn.csv without alt.csv carries no
 *   strong aliases), so a diff compares like with like instead of reporting absences as changes.
 */
import type { EntryField, WatchlistEntry } from './watchlist-entry.ts';
import type { ListFormat } from './format-sniff.ts';
import { InputError } from '../ingest/input-error.ts';

export interface ListFile {
  /** What the file is within its set: `sdn`, `alt`, `add`, `comments`, or `list` for one-file formats. */
  readonly role: string;
  readonly path: string;
}

export interface ParsedEntry {
  readonly entry: WatchlistEntry;
  /** The file and line where the record starts, for errors and provenance. */
  readonly file: string;
  readonly line: number;
}

export interface ParseOutcome {
  readonly listId: string;
  /** ISO date the file states as its publication date, if it states one. */
  readonly publishDate: string | null;
  readonly fields: readonly EntryField[];
  /** Plain-language remarks about the load (skipped records, absent side files). */
  readonly notes: readonly string[];
}

export interface ParseOptions {
  /** Overrides the list id a format implies (OFAC -> us-ofac-sdn); the simple CSV must agree with it. */
  readonly listId?: string | undefined;
}

export interface ListParser {
  readonly format: ListFormat;
  readonly defaultPublisher: string | null;
  /** Orders and checks the given paths (a folder or files); throws InputError for an unusable set. */
  arrange(paths: readonly string[]): ListFile[];
  parse(files: readonly ListFile[], opts: ParseOptions, emit: (e: ParsedEntry) => Promise<void>): Promise<ParseOutcome>;
}

/** What a list id may look like: it becomes the `provider` a scope names, so it is a plain token. */
export const LIST_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** One-file formats: exactly one path. */
export function singleFile(paths: readonly string[], format: ListFormat): ListFile[] {
  if (paths.length !== 1) {
    throw new InputError(paths[0] ?? '(no file)', null, null, `--format ${format} reads one file per list version, ${paths.length} were given`, 'Load each file as its own list version');
  }
  return [{ role: 'list', path: paths[0]! }];
}
