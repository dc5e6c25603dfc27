/**
 * The parties behind an anomaly's rows, so its explanation can link to their party pages: the importer and
 * exporter of each trade line it names, and the payer and payee of each payment (payment mismatches).
 *
 * Invariants:
 * - Every read goes through the caller's scoped handle: lines, payments and party members outside the scope
 *   are filtered out by the scope layer like any read, so a party is listed only when the caller may open it.
 * - Named parties need row-level trade access (access.md: an executive sees no named party) and the caller's
 *   `parties:read` permission, checked by the route; without them the list is empty rather than an error,
 *   because the anomaly itself is still the caller's to read.
 * - Payers and payees are read only with row-level financial access (a customs officer never sees a payment
 *   party), through the financial member table.
 * - At most MAX_ANOMALY_PARTIES, those on most of the anomaly's rows first, so a surge over thousands of
 *   lines still answers with a short list. One grouped query in DuckDB plus one for the names.
 * - Source references the evidence names beyond the rows (the other legs of a circular-trade ring, the
 *   party a Benford or surge anomaly judges) are resolved too, through the same scoped member table and the
 *   anomaly's own provider, so a reason quoting `IMP005037` can show and link the party it stands for.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { grantFor, type ScopedDb } from '../query/index.ts';

export const MAX_ANOMALY_PARTIES = 50;

export interface AnomalyParty {
  party_id: string;
  /** The party's name as its page shows it (its member on most lines). */
  name: string | null;
  /** What the party is on the anomaly's rows: importer, exporter, payer, payee. */
  roles: string[];
  /** How many of the anomaly's rows name it. */
  rows: number;
  /** The source references on the rows or in the evidence that resolved to it. */
  refs: string[];
}

/** Party references an anomaly's evidence names: `party`, `parties`, and each circular-trade leg's two ends. */
export function evidenceRefs(evidence: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length > 0 && v.length <= 200) out.add(v);
  };
  add(evidence['party']);
  if (Array.isArray(evidence['parties'])) evidence['parties'].forEach(add);
  if (Array.isArray(evidence['legs'])) {
    for (const l of evidence['legs']) {
      if (l && typeof l === 'object') {
        add((l as Record<string, unknown>)['exporter']);
        add((l as Record<string, unknown>)['importer']);
      }
    }
  }
  return [...out].slice(0, 100);
}

export async function anomalyParties(db: ScopedDb, anomalyId: string, named: { provider: string; refs: readonly string[] } = { provider: '', refs: [] }): Promise<AnomalyParty[]> {
  if (grantFor(db.scope, 'trade')?.level !== 'row') return [];
  const payments = grantFor(db.scope, 'financial')?.level === 'row';
  const k = db.db as Kysely<any>;
  const rowIds = () => k.selectFrom('anomalies as a').select(sql`unnest(a.row_ids)`.as('row_id')).where('a.anomaly_id', '=', anomalyId);
  const trade = (role: 'importer' | 'exporter') =>
    k
      .selectFrom('trade_lines as t')
      .innerJoin('party_members as m', (j) => j.onRef('m.provider', '=', 't.provider').onRef('m.ref', '=', `t.${role}_key`))
      .where('t.row_id', 'in', rowIds())
      .select(['m.party_id', sql<string>`${role}`.as('role'), 't.row_id', 'm.ref']);
  // The same reference the resolution derives for a payment's payer or payee (parties/resolve-parties.ts).
  const paid = (role: 'payer' | 'payee') =>
    k
      .selectFrom('payments as p')
      .innerJoin('party_payment_members as m', (j) =>
        j.onRef('m.provider', '=', 'p.provider').on(sql.ref('m.ref'), '=', sql`coalesce(${sql.ref(`p.${role}_id`)}, upper(${sql.ref(`p.${role}_name`)}))`),
      )
      .where('p.row_id', 'in', rowIds())
      .select(['m.party_id', sql<string>`${role}`.as('role'), 'p.row_id', 'm.ref']);
  let refs: SelectQueryBuilder<any, any, any> = trade('importer').unionAll(trade('exporter'));
  if (payments) refs = refs.unionAll(paid('payer')).unionAll(paid('payee'));
  // Evidence references: no row of the anomaly behind them (row_id NULL), so they count no rows.
  if (named.refs.length) {
    refs = refs.unionAll(
      k
        .selectFrom('party_members as m')
        .where('m.provider', '=', named.provider)
        .where('m.ref', 'in', [...named.refs])
        .select(['m.party_id', sql<string>`'named in the evidence'`.as('role'), sql<string | null>`NULL`.as('row_id'), 'm.ref']),
    );
  }
  const found = await k
    .selectFrom(refs.as('r'))
    .select([
      'r.party_id',
      sql<string[]>`list_sort(list_distinct(list(r.role) FILTER (WHERE r.row_id IS NOT NULL)))`.as('roles'),
      sql<number>`count(DISTINCT r.row_id)::INTEGER`.as('rows'),
      sql<string[]>`list_sort(list_distinct(list(r.ref)))`.as('refs'),
    ])
    .groupBy('r.party_id')
    .orderBy('rows', 'desc')
    .orderBy('r.party_id')
    .limit(MAX_ANOMALY_PARTIES)
    .execute();
  if (!found.length) return [];
  const ids = found.map((f) => String(f['party_id']));
  const memberNames = (table: string) => k.selectFrom(`${table} as m`).select(['m.party_id', 'm.name', 'm.ref', 'm.lines']).where('m.party_id', 'in', ids);
  const members = payments ? memberNames('party_members').unionAll(memberNames('party_payment_members')) : memberNames('party_members');
  const names = await k
    .selectFrom(members.as('n'))
    // Chosen as the party page chooses its title: the member on most lines, then by reference.
    .select(['n.party_id', sql<string | null>`first(coalesce(n.name, n.ref) ORDER BY n.lines DESC, n.ref)`.as('name')])
    .groupBy('n.party_id')
    .execute();
  const nameOf = new Map(names.map((n) => [String(n['party_id']), (n['name'] as string | null) ?? null]));
  return found.map((f) => ({
    party_id: String(f['party_id']),
    name: nameOf.get(String(f['party_id'])) ?? null,
    roles: ((typeof f['roles'] === 'string' ? JSON.parse(f['roles']) : f['roles']) as string[] | null) ?? [],
    rows: Number(f['rows']),
    refs: ((typeof f['refs'] === 'string' ? JSON.parse(f['refs']) : f['refs']) as string[] | null) ?? [],
  }));
}
