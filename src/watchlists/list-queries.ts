/**
 * Reading list versions and their entries, for the CLI and (later) the API.
 *
 * Invariants:
 * - Every read goes through a ScopedDb, so the scope plugin decides which lists a principal may see
 *   (watchlist category; the list id is the provider).
 * - Search is on the normalised `names` (the same normalisation as at load), on the entry id and on
 *   identifier values; the search text is always a bound parameter.
 * - Paging never truncates silently: a page reports the total and where the next page starts.
 */
import { sql } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { versionFromRow, type ListVersion } from './load-list.ts';
import { normaliseName, type StoredEntry } from './watchlist-entry.ts';

const VERSION_SELECT = [
  'version_id',
  'list_id',
  'publisher',
  sql<string>`strftime(publish_date, '%Y-%m-%d')`.as('publish_date'),
  'format',
  sql<number>`record_count::INTEGER`.as('record_count'),
  'sha256',
  'files',
  'fields',
  'notes',
  'loaded_by',
  sql<string>`strftime(loaded_at, '%Y-%m-%d %H:%M:%S')`.as('loaded_at'),
] as const;

export async function listVersions(s: ScopedDb): Promise<ListVersion[]> {
  const rows = await s.db.selectFrom('watchlist_versions').select(VERSION_SELECT).orderBy('seq').execute();
  return rows.map((r) => versionFromRow(r as Record<string, unknown>));
}

export async function getVersion(s: ScopedDb, versionId: string): Promise<ListVersion | null> {
  const row = await s.db.selectFrom('watchlist_versions').select(VERSION_SELECT).where('version_id', '=', versionId).executeTakeFirst();
  return row ? versionFromRow(row as Record<string, unknown>) : null;
}

export interface EntryPage {
  version_id: string;
  entries: (Omit<StoredEntry, 'list_id'> & { list_id: string })[];
  total: number;
  offset: number;
  limit: number;
  next_offset: number | null;
}

export const MAX_ENTRY_PAGE = 10_000;

export async function showEntries(
  s: ScopedDb,
  versionId: string,
  opts: { search?: string | undefined; limit?: number | undefined; offset?: number | undefined } = {},
): Promise<EntryPage> {
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? 50)), MAX_ENTRY_PAGE);
  const offset = Math.max(0, Math.trunc(opts.offset ?? 0));
  let q = s.db.selectFrom('watchlist_entries').where('version_id', '=', versionId);
  const search = opts.search?.trim();
  if (search) {
    const norm = normaliseName(search);
    // chr(31) cannot occur in a normalised name, so a match never spans two names.
    q = q.where((eb) =>
      eb.or([
        eb('entry_id', '=', search),
        ...(norm ? [eb(sql`contains(array_to_string(names, chr(31)), ${norm})`, '=', true)] : []),
        eb(sql`list_contains(list_transform(identifiers, lambda x: upper(x.value)), ${search.toUpperCase()})`, '=', true),
      ]),
    );
  }
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q
    .select([
      'list_id',
      'entry_id',
      'entry_type',
      'name',
      'aliases',
      'countries',
      'dates_of_birth',
      'identifiers',
      'programs',
      'addresses',
      'remarks',
      'names',
      'source_file',
      sql<number>`source_line::INTEGER`.as('source_line'),
    ])
    .orderBy('seq')
    .limit(limit)
    .offset(offset)
    .execute();
  const n = Number(total?.n ?? 0);
  return {
    version_id: versionId,
    entries: rows as EntryPage['entries'],
    total: n,
    offset,
    limit,
    next_offset: offset + rows.length < n ? offset + rows.length : null,
  };
}
