/**
 * Entity resolution: party references from trade lines (importers, exporters) and payments (payers,
 * payees) clustered into parties with stable ids, and the party graph aggregated from the same rows.
 *
 * Invariants:
 * - Set-based inside DuckDB: records, link keys, connected components (label propagation, one statement
 *   per iteration) and edges are SQL; JavaScript only orchestrates and passes the analysts' overrides in.
 * - Reads go through the scoped query layer (compiled scoped queries embedded in the statements, as an
 *   analysis run does). Resolution rewrites the party tables for every provider, so it needs row-level
 *   grants of every provider of trade data (and of financial data when payments are to be included);
 *   anything less is refused rather than silently dropping other providers' parties.
 * - Links: the same provider id (a trade id and a payment id of one provider are one namespace), or the same
 *   normalised name and country (sorted core tokens, company forms set aside). A name shared by two
 *   different ids of one provider is ambiguous and links nothing: ids are the provider's own decision.
 *   Analyst overrides apply on top: a split member keeps no automatic link; a merge links two members.
 * - Stable ids: a party keeps the id that most of its members (by lines) had before; a new cluster gets
 *   'P' + 12 hex digits of the MD5 of its smallest member, so the same data resolves to the same ids.
 * - One transaction: readers see the old or the new resolution, never a mix.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Kysely } from 'kysely';
import { grantFor, ScopeDeniedError, scopedDb, type Scope } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { nameKeySql } from './party-name-sql.ts';
import type { PartyOverride } from './party-overrides.ts';

export interface ResolutionResult {
  resolution_id: string;
  records: number;
  parties: number;
  trade_members: number;
  payment_members: number;
  trade_edges: number;
  payment_edges: number;
  iterations: number;
  overrides: number;
  seconds: number;
}

const MAX_ITERATIONS = 64;

function fullRowGrant(scope: Scope, category: 'trade' | 'financial'): boolean {
  const g = grantFor(scope, category);
  return !!g && g.level === 'row' && g.providers === '*';
}

async function scalar(c: DuckDBConnection, text: string, params: readonly unknown[] = []): Promise<number> {
  const r = await c.runAndReadAll(text, params as DuckDBValue[]);
  return Number(r.getRows()[0]?.[0] ?? 0);
}

const MEMBER_KEY = "source || chr(31) || provider || chr(31) || ref";

export async function resolveParties(store: AnalyticalStore, scope: Scope, overrides: readonly PartyOverride[]): Promise<ResolutionResult> {
  if (!fullRowGrant(scope, 'trade')) throw new ScopeDeniedError('party resolution without row-level access to every trade provider');
  const withPayments = fullRowGrant(scope, 'financial');
  const s = scopedDb(store, scope);
  const k = s.db as Kysely<any>;
  const trade = k
    .selectFrom('trade_lines as t')
    .select(['t.provider', 't.flow', 't.importer_key', 't.importer_id', 't.importer_name', 't.exporter_key', 't.exporter_id', 't.exporter_name', 't.reporter', 't.origin_country', 't.departure_country', 't.destination_country', 't.value_usd', 't.date'])
    .compile();
  const pay = withPayments
    ? k.selectFrom('payments as p').select(['p.provider', 'p.payer_id', 'p.payer_name', 'p.payer_country', 'p.payee_id', 'p.payee_name', 'p.payee_country', 'p.amount_usd', 'p.date']).compile()
    : null;
  const prevTrade = k.selectFrom('party_members as m').select(['m.provider', 'm.ref', 'm.party_id']).compile();
  const prevPay = withPayments ? k.selectFrom('party_payment_members as m').select(['m.provider', 'm.ref', 'm.party_id']).compile() : null;
  const t0 = performance.now();

  return store.withWriteConnection(async (c) => {
    const run = (text: string, params: readonly unknown[] = []) => c.run(text, params as DuckDBValue[]);
    const cleanup = async () => {
      for (const t of ['px_rec0', 'px_rec', 'px_ovr', 'px_keys', 'px_lab', 'px_lab2', 'px_kl', 'px_prev', 'px_assign', 'px_final']) await run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    };
    try {
      const agg = `bool_or(has_id) AS has_id, mode(name) AS name, list_slice(list_sort(list_distinct(list(name) FILTER (WHERE name IS NOT NULL))), 1, 20) AS names,
        mode(country) AS country, count(*)::BIGINT AS lines, coalesce(sum(value_usd), 0) AS value_usd, count(*) FILTER (WHERE value_usd IS NULL)::BIGINT AS lines_without_usd`;
      await run(
        `CREATE OR REPLACE TEMP TABLE px_rec0 AS
         WITH t AS (${trade.sql}),
         r AS (
           SELECT provider, importer_key AS ref, importer_id IS NOT NULL AS has_id, importer_name AS name,
             CASE WHEN flow = 'import' THEN reporter ELSE destination_country END AS country, value_usd FROM t WHERE importer_key IS NOT NULL
           UNION ALL
           SELECT provider, exporter_key, exporter_id IS NOT NULL, exporter_name,
             CASE WHEN flow = 'export' THEN reporter ELSE coalesce(departure_country, origin_country) END, value_usd FROM t WHERE exporter_key IS NOT NULL)
         SELECT 'trade' AS source, provider, ref, ${agg} FROM r GROUP BY provider, ref`,
        trade.parameters,
      );
      if (pay) {
        await run(
          `INSERT INTO px_rec0
           WITH p AS (${pay.sql}),
           r AS (
             SELECT provider, coalesce(payer_id, upper(payer_name)) AS ref, payer_id IS NOT NULL AS has_id, payer_name AS name, payer_country AS country, amount_usd AS value_usd
             FROM p WHERE coalesce(payer_id, payer_name) IS NOT NULL
             UNION ALL
             SELECT provider, coalesce(payee_id, upper(payee_name)), payee_id IS NOT NULL, payee_name, payee_country, amount_usd
             FROM p WHERE coalesce(payee_id, payee_name) IS NOT NULL)
           SELECT 'payment' AS source, provider, ref, ${agg} FROM r GROUP BY provider, ref`,
          pay.parameters,
        );
      }
      await run(`CREATE OR REPLACE TEMP TABLE px_rec AS SELECT row_number() OVER (ORDER BY source, provider, ref) AS rec_id, *, ${nameKeySql('name')} AS name_key FROM px_rec0`);
      const records = await scalar(c, 'SELECT count(*) FROM px_rec');

      // Overrides, in decision order; a split cancels earlier merges naming the same member.
      await run(`CREATE OR REPLACE TEMP TABLE px_ovr (id INTEGER, kind VARCHAR, source_a VARCHAR, provider_a VARCHAR, ref_a VARCHAR, source_b VARCHAR, provider_b VARCHAR, ref_b VARCHAR)`);
      for (const o of overrides) {
        await run('INSERT INTO px_ovr VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [o.id, o.kind, o.a.source, o.a.provider, o.a.ref, o.b?.source ?? null, o.b?.provider ?? null, o.b?.ref ?? null]);
      }
      const splitRecs = `(SELECT r.rec_id, max(o.id) AS split_id FROM px_ovr o JOIN px_rec r ON r.source = o.source_a AND r.provider = o.provider_a AND r.ref = o.ref_a WHERE o.kind = 'split' GROUP BY r.rec_id)`;
      await run(
        `CREATE OR REPLACE TEMP TABLE px_keys AS
         WITH split AS ${splitRecs},
         named AS (
           SELECT DISTINCT rec_id, provider, has_id, 'N' || chr(31) || k || chr(31) || coalesce(country, '') AS key
           FROM (SELECT rec_id, provider, has_id, country, ${nameKeySql('n')} AS k FROM (SELECT rec_id, provider, has_id, country, unnest(names) AS n FROM px_rec))
           WHERE length(regexp_replace(k, '[^A-Z]', '', 'g')) >= 4),
         ambiguous AS (SELECT key FROM named WHERE has_id GROUP BY key, provider HAVING count(*) > 1),
         merges AS (
           SELECT o.id, ra.rec_id AS a, rb.rec_id AS b FROM px_ovr o
           JOIN px_rec ra ON ra.source = o.source_a AND ra.provider = o.provider_a AND ra.ref = o.ref_a
           JOIN px_rec rb ON rb.source = o.source_b AND rb.provider = o.provider_b AND rb.ref = o.ref_b
           WHERE o.kind = 'merge'
             AND NOT EXISTS (SELECT 1 FROM split s WHERE s.rec_id IN (ra.rec_id, rb.rec_id) AND s.split_id > o.id))
         SELECT rec_id, 'I' || chr(31) || provider || chr(31) || ref AS key FROM px_rec WHERE has_id AND rec_id NOT IN (SELECT rec_id FROM split)
         UNION ALL
         SELECT rec_id, key FROM named WHERE key NOT IN (SELECT key FROM ambiguous) AND rec_id NOT IN (SELECT rec_id FROM split)
         UNION ALL
         SELECT a, 'M' || chr(31) || id::VARCHAR FROM merges
         UNION ALL
         SELECT b, 'M' || chr(31) || id::VARCHAR FROM merges`,
      );

      // Connected components by label propagation: each record takes the smallest label reachable through a
      // shared key; converges in as many rounds as the longest chain of links (a handful in practice).
      await run('CREATE OR REPLACE TEMP TABLE px_lab AS SELECT rec_id, rec_id AS label FROM px_rec');
      let iterations = 0;
      for (; iterations < MAX_ITERATIONS; iterations++) {
        await run('CREATE OR REPLACE TEMP TABLE px_kl AS SELECT k.key, min(l.label) AS label FROM px_keys k JOIN px_lab l USING (rec_id) GROUP BY k.key');
        await run(`CREATE OR REPLACE TEMP TABLE px_lab2 AS
          SELECT l.rec_id, least(l.label, coalesce(min(kl.label), l.label)) AS label
          FROM px_lab l LEFT JOIN px_keys k USING (rec_id) LEFT JOIN px_kl kl USING (key) GROUP BY l.rec_id, l.label`);
        const changed = await scalar(c, 'SELECT count(*) FROM px_lab2 JOIN px_lab USING (rec_id) WHERE px_lab2.label <> px_lab.label');
        await run('CREATE OR REPLACE TEMP TABLE px_lab AS SELECT * FROM px_lab2');
        if (changed === 0) break;
      }
      if (iterations >= MAX_ITERATIONS) throw new Error('party resolution did not converge');

      // Previous ids, for stability.
      await run(`CREATE OR REPLACE TEMP TABLE px_prev (source VARCHAR, provider VARCHAR, ref VARCHAR, party_id VARCHAR)`);
      await run(`INSERT INTO px_prev SELECT 'trade', provider, ref, party_id FROM (${prevTrade.sql})`, prevTrade.parameters);
      if (prevPay) await run(`INSERT INTO px_prev SELECT 'payment', provider, ref, party_id FROM (${prevPay.sql})`, prevPay.parameters);
      await run(
        `CREATE OR REPLACE TEMP TABLE px_assign AS
         WITH comp AS (
           SELECT l.label, min(${MEMBER_KEY}) AS min_member FROM px_lab l JOIN px_rec r USING (rec_id) GROUP BY l.label),
         claim AS (
           SELECT l.label, p.party_id, sum(r.lines) AS lines FROM px_lab l JOIN px_rec r USING (rec_id)
           JOIN px_prev p ON p.source = r.source AND p.provider = r.provider AND p.ref = r.ref GROUP BY l.label, p.party_id),
         won AS (SELECT label, party_id, lines FROM claim QUALIFY row_number() OVER (PARTITION BY party_id ORDER BY lines DESC, label) = 1),
         kept AS (SELECT label, party_id FROM won QUALIFY row_number() OVER (PARTITION BY label ORDER BY lines DESC, party_id) = 1)
         SELECT comp.label, coalesce(kept.party_id, 'P' || upper(substr(md5(comp.min_member), 1, 12))) AS party_id
         FROM comp LEFT JOIN kept USING (label)`,
      );
      const parties = await scalar(c, 'SELECT count(*) FROM px_assign');
      await run(
        `CREATE OR REPLACE TEMP TABLE px_final AS
         WITH ksize AS (SELECT key, count(*) AS n FROM px_keys GROUP BY key),
         ev AS (
           SELECT k.rec_id,
             list_sort(list_distinct(list(CASE left(k.key, 1) WHEN 'I' THEN 'same id' WHEN 'N' THEN 'same name and country' ELSE 'analyst merge' END))) AS evidence
           FROM px_keys k JOIN ksize USING (key) WHERE ksize.n > 1 GROUP BY k.rec_id),
         split AS ${splitRecs}
         SELECT r.source, r.provider, r.ref, a.party_id, r.has_id, r.name, r.names, r.country, r.name_key, r.lines, r.value_usd, r.lines_without_usd,
           CASE WHEN list_contains(ev.evidence, 'analyst merge') THEN 'analyst merge'
                WHEN list_contains(ev.evidence, 'same id') THEN 'same id'
                WHEN list_contains(ev.evidence, 'same name and country') THEN 'same name and country'
                WHEN split.rec_id IS NOT NULL THEN 'analyst split'
                ELSE 'single record' END AS link,
           CASE WHEN list_contains(ev.evidence, 'analyst merge') OR list_contains(ev.evidence, 'same id') OR ev.evidence IS NULL THEN 1.0
                ELSE 0.9 END AS confidence,
           coalesce(ev.evidence, []::VARCHAR[]) AS evidence
         FROM px_rec r JOIN px_lab l USING (rec_id) JOIN px_assign a USING (label) LEFT JOIN ev USING (rec_id) LEFT JOIN split USING (rec_id)`,
      );

      await run('BEGIN TRANSACTION');
      try {
        const seq = (await scalar(c, 'SELECT coalesce(max(seq), 0) + 1 FROM party_resolutions')) || 1;
        const rid = `PR${String(seq).padStart(6, '0')}`;
        const cols = 'provider, ref, party_id, has_id, name, names, country, name_key, lines, value_usd, lines_without_usd, link, confidence, evidence';
        await run('DELETE FROM party_members');
        await run(`INSERT INTO party_members (${cols}, resolution_id) SELECT ${cols}, $1 FROM px_final WHERE source = 'trade'`, [rid]);
        await run('DELETE FROM party_edges');
        await run(
          `INSERT INTO party_edges (provider, src, dst, lines, value_usd, lines_without_usd, first_date, last_date, resolution_id)
           SELECT t.provider, e.party_id, i.party_id, count(*), coalesce(sum(t.value_usd), 0), count(*) FILTER (WHERE t.value_usd IS NULL), min(t.date), max(t.date), $${trade.parameters.length + 1}
           FROM (${trade.sql}) t
           JOIN px_final i ON i.source = 'trade' AND i.provider = t.provider AND i.ref = t.importer_key
           JOIN px_final e ON e.source = 'trade' AND e.provider = t.provider AND e.ref = t.exporter_key
           WHERE i.party_id <> e.party_id
           GROUP BY t.provider, e.party_id, i.party_id`,
          [...trade.parameters, rid],
        );
        if (pay) {
          await run('DELETE FROM party_payment_members');
          await run(`INSERT INTO party_payment_members (${cols}, resolution_id) SELECT ${cols}, $1 FROM px_final WHERE source = 'payment'`, [rid]);
          await run('DELETE FROM party_payment_edges');
          await run(
            `INSERT INTO party_payment_edges (provider, src, dst, lines, value_usd, lines_without_usd, first_date, last_date, resolution_id)
             SELECT p.provider, a.party_id, b.party_id, count(*), coalesce(sum(p.amount_usd), 0), count(*) FILTER (WHERE p.amount_usd IS NULL), min(p.date), max(p.date), $${pay.parameters.length + 1}
             FROM (${pay.sql}) p
             JOIN px_final a ON a.source = 'payment' AND a.provider = p.provider AND a.ref = coalesce(p.payer_id, upper(p.payer_name))
             JOIN px_final b ON b.source = 'payment' AND b.provider = p.provider AND b.ref = coalesce(p.payee_id, upper(p.payee_name))
             WHERE a.party_id <> b.party_id
             GROUP BY p.provider, a.party_id, b.party_id`,
            [...pay.parameters, rid],
          );
        }
        await run(
          `INSERT INTO party_resolutions VALUES ($1, $2, $3::TIMESTAMP, current_timestamp::TIMESTAMP, $4, $5, $6, $7, $8)`,
          [rid, seq, new Date(Date.now() - (performance.now() - t0)).toISOString().replace('T', ' ').replace('Z', ''), scope.principal, records, parties, iterations + 1, overrides.length],
        );
        await run('COMMIT');
        const count = (t: string) => scalar(c, `SELECT count(*) FROM ${t}`);
        return {
          resolution_id: rid,
          records,
          parties,
          trade_members: await count('party_members'),
          payment_members: await count('party_payment_members'),
          trade_edges: await count('party_edges'),
          payment_edges: await count('party_payment_edges'),
          iterations: iterations + 1,
          overrides: overrides.length,
          seconds: +((performance.now() - t0) / 1000).toFixed(2),
        };
      } catch (e) {
        await run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await cleanup();
    }
  });
}
