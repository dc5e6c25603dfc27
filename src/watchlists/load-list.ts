/**
 * Loads a watch-list file (or OFAC file set) as one list version.
 *
 * Invariants:
 * - Parse completely first, store after: the entries are parsed and checked into a temporary JSON-lines
 *   file in the data directory (removed afterwards), and only a clean parse reaches the store. A broken file changes nothing already stored.
 * - Atomic: the version row and all its entries are written in one DuckDB transaction, in bulk
 *   (INSERT ... SELECT FROM read_json), never one statement per entry.
 * - Idempotent: the same bytes (SHA-256) read as the same format are a no-op that returns the existing
 *   version and says so (under another --format they are parsed, so a wrong format still fails). For a
 *   file set the hash covers each file's role, size and bytes in role order, so the same files hash the
 *   same in any order and no two different sets can collide by moving bytes between files.
 * - Entry ids are unique within a version; a repeat is refused with both lines.
 * - The list versions table is the registry of list loads: one DuckDB transaction needs no control-store
 *   record or crash recovery.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnalyticalStore } from '../store/index.ts';
import { quoteString } from '../store/index.ts';
import { InputError } from '../ingest/input-error.ts';
import { loadCountryResolver } from './country-resolver.ts';
import { parserFor } from './list-formats.ts';
import { LIST_ID_RE, type ListFile, type ParseOutcome } from './list-parser.ts';
import { ENTRY_COLUMNS } from './watchlist-schema.ts';
import { finaliseEntry, type EntryField } from './watchlist-entry.ts';

export interface LoadListDeps {
  store: AnalyticalStore;
}

export interface LoadListOptions {
  format: string;
  publisher?: string | null | undefined;
  /** YYYY-MM-DD; used when the file does not state its own publication date. */
  publishDate?: string | null | undefined;
  /** Overrides the list id the format implies. */
  listId?: string | undefined;
  loadedBy?: string | undefined;
}

export interface ListVersionFile {
  role: string;
  file: string;
  size_bytes: number;
  sha256: string;
}

export interface ListVersion {
  version_id: string;
  list_id: string;
  publisher: string | null;
  publish_date: string | null;
  format: string;
  record_count: number;
  sha256: string;
  files: ListVersionFile[];
  fields: EntryField[];
  notes: string[];
  loaded_by: string | null;
  loaded_at: string;
  /** True when these bytes were loaded before: nothing was changed. */
  duplicate: boolean;
  message: string | null;
}

const VERSION_COLUMNS = `version_id, list_id, publisher, strftime(publish_date, '%Y-%m-%d') AS publish_date, format,
  record_count::INTEGER AS record_count, sha256, files, fields, notes, loaded_by, strftime(loaded_at, '%Y-%m-%d %H:%M:%S') AS loaded_at`;

export function versionIdFor(seq: number): string {
  return `LV${String(seq).padStart(6, '0')}`;
}

/** Reads a version row (as returned by getRowObjectsJson) into a ListVersion. */
export function versionFromRow(row: Record<string, unknown>, duplicate = false, message: string | null = null): ListVersion {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    version_id: String(row['version_id']),
    list_id: String(row['list_id']),
    publisher: row['publisher'] === null ? null : String(row['publisher']),
    publish_date: row['publish_date'] === null ? null : String(row['publish_date']),
    format: String(row['format']),
    record_count: Number(row['record_count']),
    sha256: String(row['sha256']),
    files: json(row['files']) as ListVersionFile[],
    fields: (row['fields'] ?? []) as EntryField[],
    notes: (row['notes'] ?? []) as string[],
    loaded_by: row['loaded_by'] === null ? null : String(row['loaded_by']),
    loaded_at: String(row['loaded_at']),
    duplicate,
    message,
  };
}

async function hashFiles(files: readonly ListFile[]): Promise<{ sha256: string; files: ListVersionFile[] }> {
  const set = createHash('sha256');
  const out: ListVersionFile[] = [];
  for (const f of files) {
    const one = createHash('sha256');
    const size = statSync(f.path).size;
    set.update(`${f.role}\n${size}\n`);
    for await (const chunk of createReadStream(f.path, { highWaterMark: 1 << 20 })) {
      one.update(chunk as Buffer);
      set.update(chunk as Buffer);
    }
    out.push({ role: f.role, file: basename(f.path), size_bytes: size, sha256: one.digest('hex') });
  }
  return { sha256: files.length === 1 ? out[0]!.sha256 : set.digest('hex'), files: out };
}

/** The version these bytes were loaded as before, read the same way (same format, and list id if one is forced). */
async function findPrevious(c: DuckDBConnection, sha256: string, format: string, listId: string | undefined): Promise<ListVersion | null> {
  const r = await c.runAndReadAll(
    `SELECT ${VERSION_COLUMNS} FROM watchlist_versions WHERE sha256 = $1 AND format = $2 AND ($3::VARCHAR IS NULL OR list_id = $3) ORDER BY seq LIMIT 1`,
    [sha256, format, listId ?? null],
  );
  const row = r.getRowObjectsJson()[0];
  return row ? versionFromRow(row, true, `these bytes were already loaded as ${String(row['version_id'])} on ${String(row['loaded_at'])}; nothing was changed`) : null;
}

function isoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export async function loadList(deps: LoadListDeps, paths: readonly string[], opts: LoadListOptions): Promise<ListVersion> {
  const first = paths[0] ?? '(no file)';
  const parser = parserFor(opts.format, first);
  if (opts.publishDate && !isoDate(opts.publishDate)) {
    throw new InputError(first, null, 'publish_date', 'is not a calendar date written YYYY-MM-DD', 'Pass the publication date as, e.g., --publish-date 2024-05-03');
  }
  if (opts.listId !== undefined && !LIST_ID_RE.test(opts.listId)) {
    throw new InputError(first, null, 'list_id', 'is not a list id (letters, digits and . _ : -, at most 64 characters)', 'Use a short plain id such as internal-demo');
  }
  const files = parser.arrange(paths);
  for (const f of files) {
    const st = statSync(f.path, { throwIfNoEntry: false });
    if (!st) throw new InputError(f.path, null, null, 'the file does not exist', 'Check the path');
    if (!st.isFile()) throw new InputError(f.path, null, null, 'is not a regular file', 'Give the list file itself');
    if (st.size === 0) throw new InputError(f.path, null, null, 'the file is empty', 'Fetch or export the list again; nothing was stored');
  }

  const hashed = await hashFiles(files);
  const previous = await deps.store.withWriteConnection((c) => findPrevious(c, hashed.sha256, parser.format, opts.listId));
  if (previous) return previous;

  const resolveCountry = await deps.store.withWriteConnection((c) => loadCountryResolver(c));
  // Staged next to the store, so list data stays under the data directory's permissions.
  const dir = mkdtempSync(join(dirname(deps.store.path), '.list-staging-'));
  try {
    const staged = join(dir, 'entries.jsonl');
    const out = createWriteStream(staged, { encoding: 'utf8' });
    const failed = once(out, 'error').then(([e]) => {
      throw e;
    });
    failed.catch(() => undefined);
    const seen = new Map<string, { file: string; line: number }>();
    let count = 0;
    let outcome: ParseOutcome;
    try {
      outcome = await parser.parse(files, { listId: opts.listId }, async ({ entry, file, line }) => {
        const before = seen.get(entry.entry_id);
        if (before) {
          throw new InputError(file, line, 'entry_id', `repeats the id of the entry at ${basename(before.file)}:${before.line}`, 'Entry ids must be unique within a list version; nothing was stored');
        }
        seen.set(entry.entry_id, { file, line });
        const stored = finaliseEntry(entry, resolveCountry, { file: basename(file), line });
        count++;
        const row = {
          entry_id: stored.entry_id,
          entry_type: stored.entry_type,
          name: stored.name,
          aliases: stored.aliases,
          countries: stored.countries,
          dates_of_birth: stored.dates_of_birth,
          identifiers: stored.identifiers,
          programs: stored.programs,
          addresses: stored.addresses,
          remarks: stored.remarks,
          names: stored.names,
          source_file: stored.source_file,
          source_line: stored.source_line,
          seq: count,
        };
        if (!out.write(`${JSON.stringify(row)}\n`)) await Promise.race([once(out, 'drain'), failed]);
      });
    } finally {
      out.end();
      await Promise.race([once(out, 'close'), failed]);
    }
    if (count === 0) throw new InputError(files[0]!.path, null, null, 'the file holds no list entries', 'Check that this is the list and the --format is right; nothing was stored');
    if (!LIST_ID_RE.test(outcome.listId)) throw new InputError(files[0]!.path, null, 'list_id', 'is not a list id', 'Pass --list-id; nothing was stored');

    const notes = [...outcome.notes];
    const publishDate = outcome.publishDate ?? opts.publishDate ?? null;
    if (outcome.publishDate && opts.publishDate && outcome.publishDate !== opts.publishDate) {
      notes.push(`the file states its publication date (${outcome.publishDate}); --publish-date ${opts.publishDate} was not used`);
    }
    const publisher = opts.publisher ?? parser.defaultPublisher ?? null;

    return await deps.store.withWriteConnection(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        // Checked again inside the transaction: another load in this process may have stored these bytes.
        const again = await findPrevious(c, hashed.sha256, parser.format, opts.listId);
        if (again) {
          await c.run('ROLLBACK');
          return again;
        }
        const seqRow = await c.runAndReadAll('SELECT (coalesce(max(seq), 0) + 1)::INTEGER FROM watchlist_versions');
        const seq = Number(seqRow.getRows()[0]?.[0] ?? 1);
        const versionId = versionIdFor(seq);
        await c.run(
          `INSERT INTO watchlist_versions (version_id, seq, list_id, provider, publisher, publish_date, format, record_count,
             sha256, files, fields, notes, loaded_by)
           VALUES ($1, $2, $3, $3, $4, $5::DATE, $6, $7, $8, $9::JSON, from_json($10, '["VARCHAR"]'), from_json($11, '["VARCHAR"]'), $12)`,
          [
            versionId,
            seq,
            outcome.listId,
            publisher,
            publishDate,
            parser.format,
            count,
            hashed.sha256,
            JSON.stringify(hashed.files),
            JSON.stringify(outcome.fields),
            JSON.stringify(notes),
            opts.loadedBy ?? null,
          ],
        );
        const columns = ENTRY_COLUMNS.map(([n, t]) => `${n}: ${quoteString(t)}`).join(', ');
        await c.run(
          `INSERT INTO watchlist_entries (version_id, list_id, provider, ${ENTRY_COLUMNS.map(([n]) => n).join(', ')})
           SELECT ${quoteString(versionId)}, ${quoteString(outcome.listId)}, ${quoteString(outcome.listId)}, ${ENTRY_COLUMNS.map(([n]) => n).join(', ')}
           FROM read_json(${quoteString(staged)}, format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 67108864)`,
        );
        const stored = await c.runAndReadAll('SELECT count(*)::INTEGER FROM watchlist_entries WHERE version_id = $1', [versionId]);
        if (Number(stored.getRows()[0]?.[0]) !== count) throw new Error('stored entry count differs from the parsed count');
        await c.run('COMMIT');
        const r = await c.runAndReadAll(`SELECT ${VERSION_COLUMNS} FROM watchlist_versions WHERE version_id = $1`, [versionId]);
        return versionFromRow(r.getRowObjectsJson()[0]!, false, notes.length ? notes.join('; ') : null);
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
