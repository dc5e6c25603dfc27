/**
 * What the lines of a drill-down link to, so each line in the lines panel can open its anomalies and its
 * parties: the anomalies of the latest run that name the line, and the resolved importer and exporter (payer
 * and payee for payments) of the line.
 *
 * Invariants:
 * - Everything is read through the caller's scoped handle: a line, anomaly or party member outside the scope
 *   is not there. Anomalies need `anomalies:read`, parties `parties:read`; without them that list is empty.
 * - At most MAX_ROWS row ids per call (the rows a panel has loaded), bound as parameters; at most
 *   MAX_PER_ROW anomalies per line, highest score first.
 */
import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { grantFor, scopedDb, type ScopedDb } from '../query/index.ts';
import { latestRunId } from '../detect/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed } from './named-parties.ts';
import type { LineLinks } from '../api-contract/index.ts';

const MAX_ROWS = 2_000;
const MAX_PER_ROW = 20;

const linksQuery = z
  .object({
    dataset: z.enum(['trade', 'payments']).optional().describe('dataset of the lines (default trade)'),
    rows: z
      .string()
      .max(50_000)
      .transform((v) => [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))])
      .refine((v) => v.length >= 1 && v.length <= MAX_ROWS, `1 to ${MAX_ROWS} row ids`)
      .refine((v) => v.every((x) => /^[0-9]{1,20}$/.test(x)), 'row ids are whole numbers')
      .describe('comma-separated row ids (the row_id of /api/lines)'),
  })
  .strict();

async function anomaliesOf(db: ScopedDb, rows: readonly string[]): Promise<{ run_id: string | null; rows: LineLinks['anomalies'] }> {
  const run = await latestRunId(db);
  if (!run) return { run_id: null, rows: [] };
  const k = db.db as Kysely<any>;
  const found = (await k
    .selectFrom(
      k
        .selectFrom('anomalies as a')
        .select(['a.anomaly_id', 'a.detector', 'a.score', sql<string>`unnest(a.row_ids)`.as('row_id')])
        .where('a.run_id', '=', run)
        .as('x'),
    )
    .select(['x.anomaly_id', 'x.detector', 'x.score', sql<string>`x.row_id::VARCHAR`.as('row_id')])
    .select(sql<number>`row_number() OVER (PARTITION BY x.row_id ORDER BY x.score DESC, x.anomaly_id)`.as('rk'))
    .where('x.row_id', 'in', rows.map((r) => BigInt(r)))
    .execute()) as { anomaly_id: string; detector: string; score: number; row_id: string; rk: number }[];
  return {
    run_id: run,
    rows: found
      .filter((r) => Number(r.rk) <= MAX_PER_ROW)
      .sort((a, b) => b.score - a.score)
      .map((r) => ({ row_id: String(r.row_id), anomaly_id: r.anomaly_id, detector: r.detector, score: Number(r.score) })),
  };
}

async function partiesOf(db: ScopedDb, dataset: 'trade' | 'payments', rows: readonly string[]): Promise<LineLinks['parties']> {
  const k = db.db as Kysely<any>;
  const ids = rows.map((r) => BigInt(r));
  const pick = (table: string, members: string, role: string, refSql: string) =>
    k
      .selectFrom(`${table} as t`)
      .innerJoin(`${members} as m`, (j) => j.onRef('m.provider', '=', 't.provider').on(sql.ref('m.ref'), '=', sql.raw(refSql)))
      .where('t.row_id', 'in', ids)
      .select([sql<string>`t.row_id::VARCHAR`.as('row_id'), sql<string>`${role}`.as('role'), 'm.party_id']);
  const q =
    dataset === 'trade'
      ? pick('trade_lines', 'party_members', 'importer', 't.importer_key').unionAll(pick('trade_lines', 'party_members', 'exporter', 't.exporter_key'))
      : pick('payments', 'party_payment_members', 'payer', 'coalesce(t.payer_id, upper(t.payer_name))').unionAll(pick('payments', 'party_payment_members', 'payee', 'coalesce(t.payee_id, upper(t.payee_name))'));
  const found = (await q.execute()) as { row_id: string; role: string; party_id: string }[];
  if (!found.length) return [];
  const members = dataset === 'trade' ? 'party_members' : 'party_payment_members';
  // The name the party page shows: its member on most lines.
  const names = (await k
    .selectFrom(`${members} as m`)
    .select(['m.party_id', sql<string | null>`first(coalesce(m.name, m.ref) ORDER BY m.lines DESC, m.ref)`.as('name')])
    .where('m.party_id', 'in', [...new Set(found.map((f) => f.party_id))])
    .groupBy('m.party_id')
    .execute()) as { party_id: string; name: string | null }[];
  const nameOf = new Map(names.map((n) => [n.party_id, n.name]));
  return found.map((f) => ({ row_id: String(f.row_id), role: f.role, party_id: f.party_id, name: nameOf.get(f.party_id) ?? null }));
}

export function lineLinkRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/lines/links',
      summary: 'For some lines (row ids of /api/lines): the anomalies of the latest run naming each, and its resolved parties',
      permission: 'data:lines',
      query: linksQuery,
      handler: async (req, q: z.infer<typeof linksQuery>): Promise<LineLinks> =>
        audited(
          rt.audit,
          req.actor,
          'view-line-links',
          `rows=${q.rows.length}`,
          async () => {
            const db = scopedDb(rt.store, req.scope);
            const dataset = q.dataset ?? 'trade';
            const category = dataset === 'trade' ? 'trade' : 'financial';
            if (grantFor(db.scope, category)?.level !== 'row') return { run_id: null, anomalies: [], parties: [] };
            const a = req.permissions.has('anomalies:read') && grantFor(db.scope, 'trade')?.level === 'row' ? await anomaliesOf(db, q.rows) : { run_id: null, rows: [] };
            const parties = req.permissions.has('parties:read') ? await partiesOf(db, dataset, q.rows) : [];
            // Names parties line by line: charged like the line page it decorates (named-parties.ts).
            return chargeNamed(req, '/api/lines/links', parties.length, { run_id: a.run_id, anomalies: a.rows, parties });
          },
          (r) => ({ rowCount: r.anomalies.length + r.parties.length }),
        ),
    }),
  ];
}
