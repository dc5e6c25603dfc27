/**
 * Reading resolved parties: search, one party's profile, its neighbourhood graph and paths between two
 * parties. Every read goes through the caller's ScopedDb.
 *
 * Invariants:
 * - Named parties need row-level trade access: an aggregate-only scope is refused (access.md: executives
 *   see no named parties). Payment members and payment edges are read only when the scope has row-level
 *   financial access, so a customs officer's graph has no payment edges and no payment-only parties.
 * - Graph and path work is SQL over the stored edge tables: the neighbourhood is one query per hop over the
 *   frontier, and the path search is a breadth-first frontier in DuckDB (a recursive CTE keyed by node),
 *   never the graph loaded into JavaScript.
 * - Hubs are capped: each expanded node shows at most `cap` neighbours (largest by value), the rest as one
 *   "+N more" node carrying their count and totals.
 * - "Not found" and "not visible" look the same (null), so another provider's parties do not leak.
 * - Money is in US dollars (value_usd / amount_usd, converted at load, fx/), never a sum of the rows' own
 *   currencies, and goods and payments are totalled apart: a party's goods value and the money it paid are
 *   two facts, and their sum is neither. Rows without an exchange rate are counted (`*_without_usd`).
 *   Graph and path edges carry `value` in US dollars too: the goods and payments between the two parties,
 *   a weight for ranking neighbours, with `kinds` saying which are included.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { grantFor, ScopeDeniedError, type ScopedDb } from '../query/index.ts';
import { normaliseName } from '../watchlists/index.ts';
import { latestRunId } from '../detect/index.ts';

export const MAX_SEARCH = 200;
export const MAX_CAP = 200;
export const MAX_DEPTH = 3;
export const MAX_HOPS = 6;

export function assertNamedParties(db: ScopedDb): void {
  const g = grantFor(db.scope, 'trade');
  if (!g) throw new ScopeDeniedError('trade data');
  if (g.level !== 'row') throw new ScopeDeniedError('named parties at aggregate-only access');
}

const paymentsVisible = (db: ScopedDb) => grantFor(db.scope, 'financial')?.level === 'row';
const watchlistVisible = (db: ScopedDb) => grantFor(db.scope, 'watchlist')?.level === 'row';

/** Every member row the scope shows, with its source. */
function members(db: ScopedDb): SelectQueryBuilder<any, any, any> {
  const k = db.db as Kysely<any>;
  const cols = (src: string) =>
    [
      sql<string>`${src}`.as('source'), 'm.provider', 'm.ref', 'm.party_id', 'm.name', 'm.names', 'm.country', 'm.name_key', sql<number>`m.lines::INTEGER`.as('lines'),
      sql<number>`m.value_usd::DOUBLE`.as('value_usd'), sql<number>`coalesce(m.lines_without_usd, 0)::INTEGER`.as('lines_without_usd'), 'm.link', 'm.confidence', 'm.evidence',
    ] as const;
  const trade = k.selectFrom('party_members as m').select(cols('trade'));
  return paymentsVisible(db) ? trade.unionAll(k.selectFrom('party_payment_members as m').select(cols('payment'))) : trade;
}

/** Edges the scope shows: trade (exporter -> importer) and, with financial access, payment (payer -> payee). */
function edges(db: ScopedDb): SelectQueryBuilder<any, any, any> {
  const k = db.db as Kysely<any>;
  const cols = (kind: string) => [sql<string>`${kind}`.as('kind'), 'e.src', 'e.dst', sql<number>`e.lines::INTEGER`.as('lines'), sql<number>`coalesce(e.value_usd, 0)::DOUBLE`.as('value')] as const;
  const trade = k.selectFrom('party_edges as e').select(cols('trade'));
  return paymentsVisible(db) ? trade.unionAll(k.selectFrom('party_payment_edges as e').select(cols('payment'))) : trade;
}

export interface PartySummary {
  party_id: string;
  name: string;
  country: string | null;
  members: number;
  /** Trade lines naming the party (importer or exporter) and their value in US dollars. */
  lines: number;
  value_usd: number;
  /** Payments naming the party (payer or payee) and their amount in US dollars; 0 without financial access. */
  payments: number;
  payments_usd: number;
  /** Lines and payments among those without an exchange rate: left out of the USD totals. */
  without_usd: number;
}

export async function searchParties(db: ScopedDb, q: string, limit = 50): Promise<PartySummary[]> {
  assertNamedParties(db);
  const k = db.db as Kysely<any>;
  const text = q.trim();
  const norm = normaliseName(text);
  const rows = await k
    .selectFrom(members(db).as('m'))
    .select([
      'm.party_id',
      sql<string>`arg_max(m.name, m.lines)`.as('name'),
      sql<string>`arg_max(m.country, m.lines)`.as('country'),
      sql<number>`count(*)::INTEGER`.as('members'),
      sql<number>`coalesce(sum(m.lines) FILTER (WHERE m.source = 'trade'), 0)::INTEGER`.as('lines'),
      sql<number>`coalesce(sum(m.value_usd) FILTER (WHERE m.source = 'trade'), 0)::DOUBLE`.as('value_usd'),
      sql<number>`coalesce(sum(m.lines) FILTER (WHERE m.source = 'payment'), 0)::INTEGER`.as('payments'),
      sql<number>`coalesce(sum(m.value_usd) FILTER (WHERE m.source = 'payment'), 0)::DOUBLE`.as('payments_usd'),
      sql<number>`coalesce(sum(m.lines_without_usd), 0)::INTEGER`.as('without_usd'),
    ])
    .where((eb) =>
      eb.or([
        eb('m.party_id', '=', text.toUpperCase()),
        eb('m.ref', '=', text),
        ...(norm ? [eb(sql`contains(upper(strip_accents(array_to_string(m.names, chr(31)))), ${norm})`, '=', true)] : []),
      ]),
    )
    .groupBy('m.party_id')
    // Goods lines and payments together decide the order (how much of the data names the party).
    .orderBy(sql`sum(m.lines)`, 'desc')
    .orderBy('m.party_id')
    .limit(Math.min(MAX_SEARCH, Math.max(1, limit)))
    .execute();
  return rows as PartySummary[];
}

export interface PartyProfile extends PartySummary {
  members: number;
  member_records: Record<string, unknown>[];
  totals: { trade: { as_importer: Record<string, number>; as_exporter: Record<string, number> }; payments: { as_payer: Record<string, number>; as_payee: Record<string, number> } | null };
  counterparties: Record<string, unknown>[];
  goods_by_period: Record<string, unknown>[];
  anomalies: Record<string, unknown>[];
  watchlist_hits: Record<string, unknown>[] | null;
}

/** One party's members, or null when the scope shows none. */
export async function partyMembers(db: ScopedDb, id: string): Promise<Record<string, unknown>[] | null> {
  assertNamedParties(db);
  const rows = await (db.db as Kysely<any>).selectFrom(members(db).as('m')).selectAll().where('m.party_id', '=', id).orderBy('m.lines', 'desc').orderBy('m.ref').execute();
  return rows.length ? rows : null;
}

export async function showParty(db: ScopedDb, id: string, opts: { counterparties?: number } = {}): Promise<PartyProfile | null> {
  const mem = await partyMembers(db, id);
  if (!mem) return null;
  const k = db.db as Kysely<any>;
  const limit = Math.min(MAX_CAP, opts.counterparties ?? 25);
  // Lines where a trade member of the party is importer or exporter.
  const tradeLines = (role: 'importer' | 'exporter') =>
    k
      .selectFrom('trade_lines as t')
      .innerJoin('party_members as m', (j) => j.onRef('m.provider', '=', 't.provider').onRef('m.ref', '=', `t.${role}_key`))
      .where('m.party_id', '=', id);
  const totals = async (role: 'importer' | 'exporter') =>
    (await tradeLines(role)
      .select([
        sql<number>`count(*)::INTEGER`.as('lines'),
        sql<number>`coalesce(sum(t.value_usd), 0)::DOUBLE`.as('value_usd'),
        sql<number>`count(*) FILTER (WHERE t.value_usd IS NULL)::INTEGER`.as('lines_without_usd'),
        sql<number>`count(DISTINCT t.declaration_id)::INTEGER`.as('declarations'),
      ])
      .executeTakeFirst()) as Record<string, number>;
  const goods = await k
    .selectFrom(
      tradeLines('importer')
        .select([sql<string>`'import'`.as('role'), 't.date', 't.hs2', 't.value_usd'])
        .unionAll(tradeLines('exporter').select([sql<string>`'export'`.as('role'), 't.date', 't.hs2', 't.value_usd'])).as('g'),
    )
    .select([
      'g.role',
      sql<string>`strftime(g.date, '%Y-Q') || quarter(g.date)::VARCHAR`.as('period'),
      'g.hs2',
      sql<number>`count(*)::INTEGER`.as('lines'),
      sql<number>`coalesce(sum(g.value_usd), 0)::DOUBLE`.as('value_usd'),
      sql<number>`count(*) FILTER (WHERE g.value_usd IS NULL)::INTEGER`.as('lines_without_usd'),
    ])
    .groupBy(['g.role', sql`2`, 'g.hs2'])
    .orderBy(sql`2`)
    .orderBy('value_usd', 'desc')
    .limit(500)
    .execute();
  const cps = await k
    .selectFrom(
      edges(db)
        .as('e'),
    )
    .select([
      sql<string>`CASE WHEN e.src = ${id} THEN e.dst ELSE e.src END`.as('party_id'),
      sql<string[]>`list_sort(list_distinct(list(e.kind || ':' || CASE WHEN e.src = ${id} THEN 'to' ELSE 'from' END)))`.as('relations'),
      // Goods and payments with the counterparty, apart (see header).
      sql<number>`coalesce(sum(e.lines) FILTER (WHERE e.kind = 'trade'), 0)::INTEGER`.as('lines'),
      sql<number>`coalesce(sum(e.value) FILTER (WHERE e.kind = 'trade'), 0)::DOUBLE`.as('value_usd'),
      sql<number>`coalesce(sum(e.lines) FILTER (WHERE e.kind = 'payment'), 0)::INTEGER`.as('payments'),
      sql<number>`coalesce(sum(e.value) FILTER (WHERE e.kind = 'payment'), 0)::DOUBLE`.as('payments_usd'),
    ])
    .where((eb) => eb.or([eb('e.src', '=', id), eb('e.dst', '=', id)]))
    .groupBy(sql`1`)
    .orderBy(sql`sum(e.value)`, 'desc')
    .orderBy('party_id')
    .limit(limit)
    .execute();
  const cpNames = await nameMap(db, cps.map((c) => String(c['party_id'])));
  let pay: PartyProfile['totals']['payments'] = null;
  if (paymentsVisible(db)) {
    const side = async (role: 'payer' | 'payee') =>
      (await k
        .selectFrom('payments as p')
        .innerJoin('party_payment_members as m', (j) => j.onRef('m.provider', '=', 'p.provider').on('m.ref', '=', sql`coalesce(p.${sql.raw(`${role}_id`)}, upper(p.${sql.raw(`${role}_name`)}))`))
        .where('m.party_id', '=', id)
        .select([
          sql<number>`count(*)::INTEGER`.as('payments'),
          sql<number>`coalesce(sum(p.amount_usd), 0)::DOUBLE`.as('amount_usd'),
          sql<number>`count(*) FILTER (WHERE p.amount_usd IS NULL)::INTEGER`.as('payments_without_usd'),
        ])
        .executeTakeFirst()) as Record<string, number>;
    pay = { as_payer: await side('payer'), as_payee: await side('payee') };
  }
  const runId = await latestRunId(db);
  const anomalies = !runId ? [] : await k
    .selectFrom('anomalies as a')
    .innerJoin('trade_lines as t', 't.row_id', 'a.row_id')
    .innerJoin('party_members as m', (j) => j.onRef('m.provider', '=', 't.provider').on((eb) => eb.or([eb('m.ref', '=', eb.ref('t.importer_key')), eb('m.ref', '=', eb.ref('t.exporter_key'))])))
    .where('m.party_id', '=', id)
    .where('a.run_id', '=', runId)
    .select(['a.anomaly_id', 'a.detector', 'a.score', 'a.reason', 'a.declaration_id', 'a.line_no'])
    .orderBy('a.score', 'desc')
    .orderBy('a.anomaly_id')
    .limit(100)
    .execute();
  const hits = watchlistVisible(db)
    ? await k
        .selectFrom('watchlist_hits as h')
        .select(['h.hit_id', 'h.list_id as list', 'h.list_version', 'h.checked_version', 'h.entry_id', 'h.entry_type', 'h.entry_name', 'h.party_name', 'h.matched_name', 'h.weak_alias', 'h.score', 'h.status', 'h.retired_version', 'h.explanation', 'h.entry_fingerprint'])
        .where('h.party_id', '=', id)
        .orderBy('h.score', 'desc')
        .orderBy('h.hit_id')
        .execute()
    : null;
  const sum = (xs: Record<string, unknown>[], f: string) => xs.reduce((a, x) => a + Number(x[f] ?? 0), 0);
  const top = mem[0]!;
  const goodsMembers = mem.filter((m) => m['source'] === 'trade');
  const payMembers = mem.filter((m) => m['source'] === 'payment');
  return {
    party_id: id,
    name: String(top['name'] ?? top['ref']),
    country: (top['country'] as string | null) ?? null,
    members: mem.length,
    lines: sum(goodsMembers, 'lines'),
    value_usd: sum(goodsMembers, 'value_usd'),
    payments: sum(payMembers, 'lines'),
    payments_usd: sum(payMembers, 'value_usd'),
    without_usd: sum(mem, 'lines_without_usd'),
    member_records: mem,
    totals: { trade: { as_importer: await totals('importer'), as_exporter: await totals('exporter') }, payments: pay },
    counterparties: cps.map((c) => ({ ...c, name: cpNames.get(String(c['party_id'])) ?? null })),
    goods_by_period: goods,
    anomalies,
    watchlist_hits: hits?.map((h) => ({ ...h, explanation: typeof h['explanation'] === 'string' ? JSON.parse(h['explanation'] as string) : h['explanation'] })) ?? null,
  };
}

/** Display names (most lines) of the given parties, as the scope shows them. */
async function nameMap(db: ScopedDb, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await (db.db as Kysely<any>)
    .selectFrom(members(db).as('m'))
    .select(['m.party_id', sql<string>`arg_max(coalesce(m.name, m.ref), m.lines)`.as('name')])
    .where('m.party_id', 'in', [...new Set(ids)])
    .groupBy('m.party_id')
    .execute();
  return new Map(rows.map((r) => [String(r['party_id']), String(r['name'])]));
}

export interface GraphNode {
  id: string;
  kind: 'party' | 'more';
  name: string | null;
  depth: number;
  /** For a "+N more" node: how many neighbours it stands for. */
  count?: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  /** trade (goods), payment (money), or 'more' for the edge to a "+N more" node. */
  kinds: ('trade' | 'payment' | 'more')[];
  lines: number;
  value: number;
}

export interface PartyGraph {
  center: string;
  depth: number;
  cap: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

/** The neighbourhood of a party up to `depth` hops, each expanded node capped at `cap` neighbours. */
export async function partyGraph(db: ScopedDb, id: string, opts: { depth?: number; cap?: number } = {}): Promise<PartyGraph | null> {
  if (!(await partyMembers(db, id))) return null;
  const depth = Math.min(MAX_DEPTH, Math.max(1, opts.depth ?? 1));
  const cap = Math.min(MAX_CAP, Math.max(1, opts.cap ?? 25));
  const k = db.db as Kysely<any>;
  const nodes = new Map<string, GraphNode>([[id, { id, kind: 'party', name: null, depth: 0 }]]);
  const edgeOut: GraphEdge[] = [];
  let frontier = [id];
  let truncated = false;
  for (let d = 1; d <= depth && frontier.length; d++) {
    // One query per hop: every neighbour of the frontier, ranked per frontier node by value.
    // The frontier is bound as one JSON text parameter (DuckDB binds no untyped JS arrays).
    const fr = JSON.stringify(frontier);
    const inFrontier = (col: string) => sql<boolean>`list_contains(from_json(${fr}, '["VARCHAR"]'), ${sql.ref(col)})`;
    const rows = await k
      .selectFrom(
        k
          .selectFrom(edges(db).as('e'))
          .select([
            sql<string>`CASE WHEN ${inFrontier('e.src')} THEN e.src ELSE e.dst END`.as('a'),
            sql<string>`CASE WHEN ${inFrontier('e.src')} THEN e.dst ELSE e.src END`.as('b'),
            sql<string[]>`list_sort(list_distinct(list(e.kind)))`.as('kinds'),
            sql<number>`sum(e.lines)::INTEGER`.as('lines'),
            sql<number>`sum(e.value)::DOUBLE`.as('value'),
          ])
          .where((eb) => eb.or([eb(inFrontier('e.src'), '=', true), eb(inFrontier('e.dst'), '=', true)]))
          .groupBy([sql`1`, sql`2`])
          .as('x'),
      )
      .select(['x.a', 'x.b', 'x.kinds', 'x.lines', 'x.value', sql<number>`row_number() OVER (PARTITION BY x.a ORDER BY x.value DESC, x.b)::INTEGER`.as('rank')])
      .orderBy('x.a')
      .orderBy('rank')
      .execute();
    const next: string[] = [];
    const more = new Map<string, { n: Set<string>; lines: number; value: number }>();
    for (const r of rows) {
      const a = String(r['a']);
      const b = String(r['b']);
      if (Number(r['rank']) > cap) {
        const m = more.get(a) ?? { n: new Set<string>(), lines: 0, value: 0 };
        m.n.add(b);
        m.lines += Number(r['lines']);
        m.value += Number(r['value']);
        more.set(a, m);
        truncated = true;
        continue;
      }
      if (!nodes.has(b)) {
        nodes.set(b, { id: b, kind: 'party', name: null, depth: d });
        next.push(b);
      }
      // An edge between two frontier nodes is seen from both ends; keep it once.
      if (!(nodes.get(b)!.depth < d && edgeOut.some((e) => e.source === b && e.target === a))) {
        edgeOut.push({ source: a, target: b, kinds: r['kinds'] as ('trade' | 'payment')[], lines: Number(r['lines']), value: Number(r['value']) });
      }
    }
    for (const [a, m] of more) {
      const mid = `${a}:more`;
      nodes.set(mid, { id: mid, kind: 'more', name: `+${m.n.size} more`, depth: d, count: m.n.size });
      edgeOut.push({ source: a, target: mid, kinds: ['more'], lines: m.lines, value: m.value });
    }
    frontier = next;
  }
  const names = await nameMap(db, [...nodes.values()].filter((n) => n.kind === 'party').map((n) => n.id));
  for (const n of nodes.values()) if (n.kind === 'party') n.name = names.get(n.id) ?? null;
  return { center: id, depth, cap, nodes: [...nodes.values()], edges: edgeOut, truncated };
}

export interface PartyPath {
  from: string;
  to: string;
  max_hops: number;
  found: boolean;
  hops: number | null;
  parties: { party_id: string; name: string | null }[];
  steps: { from: string; to: string; kinds: string[]; lines: number; value: number }[];
}

/**
 * The shortest path between two parties (edges taken in either direction), at most `maxHops` edges, by a
 * breadth-first search in DuckDB: a recursive CTE keyed by node (USING KEY) keeps one row per reached
 * party with its distance and predecessor, so the work is bounded by the parties reached, not by paths.
 */
export async function partyPath(db: ScopedDb, from: string, to: string, maxHops = 4): Promise<PartyPath | null> {
  if (!(await partyMembers(db, from)) || !(await partyMembers(db, to))) return null;
  const hops = Math.min(MAX_HOPS, Math.max(1, maxHops));
  const k = db.db as Kysely<any>;
  const empty: PartyPath = { from, to, max_hops: hops, found: false, hops: null, parties: [], steps: [] };
  if (from === to) return { ...empty, found: true, hops: 0, parties: [{ party_id: from, name: (await nameMap(db, [from])).get(from) ?? null }] };
  // Undirected adjacency over the visible edges, then BFS frontier by frontier; each row of `bfs` is a party
  // reached at its first (shortest) distance with one predecessor.
  const adj = k
    .selectFrom(edges(db).as('e'))
    .select(['e.src as a', 'e.dst as b'])
    .unionAll(k.selectFrom(edges(db).as('e2')).select(['e2.dst as a', 'e2.src as b']));
  const rows = await k
    .withRecursive('adj', () => adj)
    .withRecursive('bfs(node, dist, prev)', (qb) =>
      qb
        .selectNoFrom([sql<string>`${from}::VARCHAR`.as('node'), sql<number>`0`.as('dist'), sql<string>`NULL::VARCHAR`.as('prev')])
        .unionAll(
          qb
            .selectFrom('bfs')
            .innerJoin('adj', 'adj.a', 'bfs.node')
            // One row per party per level (grouped), so a level never holds more rows than there are parties.
            .select([sql<string>`adj.b`.as('node'), sql<number>`min(bfs.dist) + 1`.as('dist'), sql<string>`min(bfs.node)`.as('prev')])
            .where('bfs.dist', '<', hops)
            .where('bfs.node', '<>', to)
            .groupBy('adj.b'),
        ),
    )
    .selectFrom('bfs')
    // The start party is re-reached at even distances; its own row (distance 0) has no predecessor, and
    // arg_min skips NULLs, so it is set explicitly or the chain below would cycle.
    .select(['node', sql<number>`min(dist)::INTEGER`.as('dist'), sql<string>`CASE WHEN min(dist) = 0 THEN NULL ELSE arg_min(prev, dist) END`.as('prev')])
    .groupBy('node')
    .execute();
  const reached = new Map(rows.map((r) => [String(r['node']), { dist: Number(r['dist']), prev: (r['prev'] as string | null) ?? null }]));
  const end = reached.get(to);
  if (!end) return empty;
  const chain = [to];
  // Each predecessor is one step nearer the start, so the walk ends after `end.dist` steps.
  for (let cur = end; cur.prev !== null && chain.length <= end.dist; ) {
    const p = reached.get(cur.prev);
    if (!p || p.dist !== cur.dist - 1) break;
    chain.unshift(cur.prev);
    cur = p;
  }
  if (chain[0] !== from) return empty;
  const pairs = chain.slice(1).map((b, i) => [chain[i]!, b] as const);
  const stepRows = await k
    .selectFrom(edges(db).as('e'))
    .select(['e.src', 'e.dst', 'e.kind', 'e.lines', 'e.value'])
    .where((eb) => eb.or(pairs.flatMap(([a, b]) => [eb.and([eb('e.src', '=', a), eb('e.dst', '=', b)]), eb.and([eb('e.src', '=', b), eb('e.dst', '=', a)])])))
    .execute();
  const names = await nameMap(db, chain);
  return {
    from,
    to,
    max_hops: hops,
    found: true,
    hops: chain.length - 1,
    parties: chain.map((p) => ({ party_id: p, name: names.get(p) ?? null })),
    steps: pairs.map(([a, b]) => {
      const es = stepRows.filter((r) => (r['src'] === a && r['dst'] === b) || (r['src'] === b && r['dst'] === a));
      return {
        from: a,
        to: b,
        kinds: [...new Set(es.map((e) => `${String(e['kind'])}:${e['src'] === a ? 'to' : 'from'}`))].sort(),
        lines: es.reduce((x, e) => x + Number(e['lines']), 0),
        value: es.reduce((x, e) => x + Number(e['value']), 0),
      };
    }),
  };
}
