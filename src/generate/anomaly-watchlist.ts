// watchlist-hit: a few existing parties are renamed to a watch-list name, an alias or a near spelling of
// one. The party keeps its id, history and country, so the screening component sees an ordinary trader
// whose name matches; its lines are marked as risky for the inspection outcomes.
import { reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { sqlString } from './sql-literal.ts';
import { PLANTED_HITS, WATCH_ENTRIES } from './watchlist.ts';

export async function injectWatchlistHits(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const hits = PLANTED_HITS.slice(0, ctx.plan['watchlist-hit']);
  if (hits.length === 0) return;
  await conn.run(`CREATE TEMP TABLE party_lines AS
    SELECT pk, count(*) AS n FROM (SELECT imp_pk AS pk FROM base UNION ALL SELECT exp_pk FROM base) GROUP BY pk`);
  for (const hit of hits) {
    const entry = WATCH_ENTRIES.find((e) => e.entryId === hit.entryId);
    if (!entry) throw new Error(`watchlist: planted hit for unknown entry ${hit.entryId}`);
    const pool = hit.role === 'supplier' ? 'sup' : 'usimp';
    // Prefer a party in the entry's own country; any active party of the pool otherwise.
    await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
      SELECT p.pk FROM parties p JOIN party_lines l USING (pk)
      WHERE p.pool = ${sqlString(pool)} AND l.n >= 3 AND p.pk NOT IN (SELECT pk FROM reserved)
      ORDER BY (p.country = ${sqlString(entry.country)}) DESC, uni(p.pk, ${sqlString(`watch-${hit.entryId}`)}), p.pk
      LIMIT 1`);
    await reserveParties(conn, 'watchlist-hit', 'SELECT pk FROM pick');
    await conn.run(`UPDATE parties SET name = ${sqlString(hit.partyName)} WHERE pk IN (SELECT pk FROM pick)`);
    await conn.run(`UPDATE base SET anom = true WHERE imp_pk IN (SELECT pk FROM pick) OR exp_pk IN (SELECT pk FROM pick)`);
    const detail = `${hit.match} of watch-list entry ${entry.entryId} '${entry.name}' (${entry.program})`;
    await conn.run(`INSERT INTO labels (anomaly, subject_kind, party_pk, partner, detail)
      SELECT 'watchlist-hit', 'party', p.pk, NULL, ${sqlString(detail)} FROM pick JOIN parties p USING (pk)`);
  }
  await conn.run(`DROP TABLE party_lines`);
}
