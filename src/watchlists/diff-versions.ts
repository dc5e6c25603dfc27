/**
 * What changed between two versions of a list: entries added, removed, and changed (with the fields that
 * changed), matched by the list's own entry id. Computed in SQL over the two stored versions.
 *
 * Invariants:
 * - Only fields both versions carry are compared; the rest are reported as skipped. An OFAC sdn.csv loaded
 *   without alt.csv and add.csv carries no strong aliases or addresses, and comparing those against a full
 *   set would report every such entry as "changed" when the list did not change.
 * - List-valued fields compare as sets (sorted), so a re-ordered alias list is no change.
 * - Both versions are read through the caller's ScopedDb; versions of different lists are not compared
 *   (their entry ids are different namespaces).
 */
import { sql, type RawBuilder } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { getVersion } from './list-queries.ts';
import type { ListVersion } from './load-list.ts';
import { ENTRY_FIELDS, type EntryField } from './watchlist-entry.ts';

export class WatchlistLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchlistLookupError';
  }
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface DiffItem {
  change: ChangeKind;
  entry_id: string;
  entry_type: string;
  name: string;
  /** For `changed`: the compared fields whose values differ. */
  fields: EntryField[];
}

export interface VersionDiff {
  a: string;
  b: string;
  list_id: string;
  compared_fields: EntryField[];
  skipped_fields: EntryField[];
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  changed_by_field: Partial<Record<EntryField, number>>;
  items: DiffItem[];
}

const SCALAR: ReadonlySet<EntryField> = new Set(['entry_type', 'name', 'remarks']);

function differs(field: EntryField): RawBuilder<boolean> {
  // Field names come from ENTRY_FIELDS (code), never from input.
  const col = sql.raw(field);
  return SCALAR.has(field)
    ? sql<boolean>`a.${col} IS DISTINCT FROM b.${col}`
    : sql<boolean>`list_sort(a.${col}) IS DISTINCT FROM list_sort(b.${col})`;
}

async function version(s: ScopedDb, id: string): Promise<ListVersion> {
  const v = await getVersion(s, id);
  if (!v) throw new WatchlistLookupError(`no list version ${id}: list them with parallax lists`);
  return v;
}

export async function diffVersions(s: ScopedDb, aId: string, bId: string): Promise<VersionDiff> {
  const a = await version(s, aId);
  const b = await version(s, bId);
  if (a.list_id !== b.list_id) {
    throw new WatchlistLookupError(`${aId} is a version of ${a.list_id} and ${bId} of ${b.list_id}: only versions of one list can be compared`);
  }
  const compared = ENTRY_FIELDS.filter((f) => a.fields.includes(f) && b.fields.includes(f));
  const skipped = ENTRY_FIELDS.filter((f) => !compared.includes(f));
  const fieldList = sql.join(compared.map((f) => sql`CASE WHEN ${differs(f)} THEN ${sql.lit(f)} END`));

  const rows = await s.db
    .with('a', (db) => db.selectFrom('watchlist_entries').selectAll().where('version_id', '=', aId))
    .with('b', (db) => db.selectFrom('watchlist_entries').selectAll().where('version_id', '=', bId))
    .with('d', (db) =>
      db
        .selectFrom('a')
        .fullJoin('b', 'b.entry_id', 'a.entry_id')
        .select([
          sql<string>`coalesce(b.entry_id, a.entry_id)`.as('entry_id'),
          sql<ChangeKind>`CASE WHEN a.entry_id IS NULL THEN 'added' WHEN b.entry_id IS NULL THEN 'removed' ELSE 'changed' END`.as('change'),
          sql<string>`coalesce(b.entry_type, a.entry_type)`.as('entry_type'),
          sql<string>`coalesce(b.name, a.name)`.as('name'),
          sql<EntryField[]>`CASE WHEN a.entry_id IS NULL OR b.entry_id IS NULL THEN []::VARCHAR[]
            ELSE list_filter([${fieldList}], lambda x: x IS NOT NULL) END`.as('fields'),
          sql<number>`coalesce(b.seq, a.seq)`.as('seq'),
        ]),
    )
    .selectFrom('d')
    .select(['change', 'entry_id', 'entry_type', 'name', 'fields'])
    .where((eb) => eb.or([eb('change', '<>', 'changed'), eb(sql`len(fields)`, '>', 0)]))
    .orderBy(sql`CASE change WHEN 'added' THEN 1 WHEN 'removed' THEN 2 ELSE 3 END`)
    .orderBy('seq')
    .execute();

  const items = rows as DiffItem[];
  const count = (k: ChangeKind) => items.filter((i) => i.change === k).length;
  const byField: Partial<Record<EntryField, number>> = {};
  for (const i of items) for (const f of i.fields) byField[f] = (byField[f] ?? 0) + 1;
  const removed = count('removed');
  const changed = count('changed');
  return {
    a: aId,
    b: bId,
    list_id: a.list_id,
    compared_fields: compared,
    skipped_fields: skipped,
    added: count('added'),
    removed,
    changed,
    unchanged: a.record_count - removed - changed,
    changed_by_field: byField,
    items,
  };
}
