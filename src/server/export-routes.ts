/**
 * Exports: an explore result or the lines behind it as CSV (access.md: exports are counted against the
 * download quota, audited, and written to the disclosure ledger).
 *
 * Invariants:
 * - The export runs through the same scoped explore/lines functions as the API pages, so it can never hold
 *   more than the caller may page through; at aggregate-only access suppressed cells are written as
 *   `suppressed`, never as numbers.
 * - The whole file is built, then charged against the quota before a byte is sent; the export that would
 *   cross the limit is refused and locks the account.
 * - Every export is also a disclosure record (nature, purpose of the session, recipient = the account).
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { explore, lines, MAX_PAGE, parseSort } from '../explore/index.ts';
import { writeCsv, SUPPRESSED, type TableColumn, type TableValue } from '../reports/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { exploreQuery, linesQuery } from './explore-routes.ts';

/** Lines in one export file; more needs a narrower filter (or several exports, each counted). */
export const MAX_EXPORT_LINES = 100_000;

/** Money fields of exported lines: written to the cent (csv-export.ts). */
const MONEY_FIELDS: ReadonlySet<string> = new Set(['value', 'value_usd', 'duty_amount', 'amount', 'amount_usd', 'penalty_amount']);
/** An explore measure's unit as a CSV column unit: money to the cent, counts whole, the rest without float noise. */
const csvUnit = (unit: string | undefined): TableColumn['unit'] => (unit === 'currency' || unit === 'USD' ? 'USD' : unit === 'count' ? 'count' : unit === 'ratio' ? 'ratio' : undefined);

const cell = (v: unknown): TableValue => (v === null || v === undefined ? null : typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function exportRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const send = async (req: FastifyRequest, reply: FastifyReply, o: { nature: string; file: string; body: Buffer; rows: number; route: string }) => {
    await req.chargeDownload({ rows: o.rows, bytes: o.body.length, route: o.route });
    await rt.auditTrail.disclosures.record({ principal: req.principal, nature: o.nature, purpose: req.actor.purpose ?? null, recipient: req.principal, rowCount: o.rows, bytes: o.body.length });
    return o;
  };
  const deliver = (reply: FastifyReply, o: { file: string; body: Buffer }) =>
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${o.file}"`).send(o.body);

  return [
    defineRoute({
      method: 'GET',
      path: '/api/export/explore',
      summary: 'An explore result as CSV (every group up to the page limit; counted against the download quota)',
      permission: 'data:export',
      query: exploreQuery,
      handler: async (req, q: z.infer<typeof exploreQuery>, reply) => {
        const out = await audited(
          rt.audit,
          req.actor,
          'export',
          specDetail('explore csv', { dataset: q.dataset, by: q.by, measure: q.measure, where: q.where, sort: q.sort, limit: q.limit ?? q.top, offset: q.offset }),
          async () => {
            const r = await explore(scopedDb(rt.store, req.scope), { dataset: q.dataset, by: q.by, measures: q.measure, where: q.where, sort: parseSort(q.sort), limit: q.limit ?? q.top ?? MAX_PAGE, offset: q.offset });
            const body = writeCsv({
              title: 'explore',
              subtitle: [],
              columns: r.columns.map((c): TableColumn => ({ id: c.id, label: c.label, kind: c.kind, ...(csvUnit(c.unit) ? { unit: csvUnit(c.unit) } : {}) })),
              rows: r.rows.map((row) => r.columns.map((c) => (row['suppressed'] === true && c.kind === 'measure' ? SUPPRESSED : cell(row[c.id])))),
              total: null,
              notes: [],
            });
            return send(req, reply, { nature: `export explore csv (${r.dataset})`, file: `explore-${r.dataset}.csv`, body, rows: r.rows.length, route: '/api/export/explore' });
          },
          (o) => ({ rowCount: o.rows }),
        );
        return deliver(reply, out);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/export/lines',
      summary: `The lines behind a cell as CSV (at most ${MAX_EXPORT_LINES.toLocaleString('en-US')}; counted against the download quota)`,
      permission: 'data:export',
      query: linesQuery,
      handler: async (req, q: z.infer<typeof linesQuery>, reply) => {
        const out = await audited(
          rt.audit,
          req.actor,
          'export',
          specDetail('lines csv', { dataset: q.dataset, cell: q.cell, where: q.where, sort: q.sort }),
          async () => {
            const db = scopedDb(rt.store, req.scope);
            const spec = { dataset: q.dataset, cell: q.cell, where: q.where, sort: parseSort(q.sort) };
            const first = await lines(db, { ...spec, limit: MAX_PAGE, offset: 0 });
            if (first.total > MAX_EXPORT_LINES) {
              throw new ExportTooLargeError(`${first.total} lines match; an export holds at most ${MAX_EXPORT_LINES}: narrow the cell or the where filter`);
            }
            const rows = [...first.rows];
            for (let offset = MAX_PAGE; offset < first.total; offset += MAX_PAGE) rows.push(...(await lines(db, { ...spec, limit: MAX_PAGE, offset })).rows);
            const body = writeCsv({ title: 'lines', subtitle: [], columns: first.columns.map((c): TableColumn => ({ id: c, label: c, kind: 'dimension', ...(MONEY_FIELDS.has(c) ? { unit: 'USD' as const } : {}) })), rows: rows.map((r) => first.columns.map((c) => cell(r[c]))), total: null, notes: [] });
            return send(req, reply, { nature: `export lines csv (${first.dataset})`, file: `lines-${first.dataset}.csv`, body, rows: rows.length, route: '/api/export/lines' });
          },
          (o) => ({ rowCount: o.rows }),
        );
        return deliver(reply, out);
      },
    }),
  ];
}

export class ExportTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportTooLargeError';
  }
}
