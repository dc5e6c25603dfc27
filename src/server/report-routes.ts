/**
 * Saved reports over HTTP: definitions (list, save, read, delete), runs under the caller's scope, and
 * exports as CSV, XLSX or PDF.
 *
 * Invariants:
 * - A report runs under `req.scope`, never its author's (run-report.ts); the author only owns the
 *   definition, and only the author may delete it.
 * - Every export is charged to the caller's download quota (`req.chargeDownload`) before a byte is sent,
 *   and audited as `export` with the report name, format, row count and size; never cell values.
 * - Bodies are parsed with the same strict schema as the CLI; a malformed definition is a 400 naming the
 *   field. Scheduled runs' archive files are not served here (they hold the scheduler's view of the data).
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited, specDetail } from '../runtime/index.ts';
import { ScopeDeniedError } from '../query/index.ts';
import { CONTENT_TYPES, EXPORT_FORMATS, parseReportInput, renderReport, reportInputSchema, reportStore, runReport } from '../reports/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { chargeNamed, namesParties } from './named-parties.ts';
import type { ReportDeleted, ReportDetail, ReportList, ReportRunResult, ReportRuns, SavedReport } from '../api-contract/index.ts';

const ref = (req: { params: unknown }) => String((req.params as { id?: string }).id ?? '');

export function reportRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const reports = reportStore(rt.control);
  const exportQuery = z.object({ format: z.enum(EXPORT_FORMATS).describe('csv, xlsx or pdf') }).strict();
  return [
    defineRoute({
      method: 'GET',
      path: '/api/reports',
      summary: 'Saved report definitions',
      permission: 'reports:read',
      query: z.object({}).strict(),
      handler: async (req): Promise<ReportList> =>
        audited(rt.audit, req.actor, 'report-list', null, async () => ({ reports: await reports.list() }), (r) => ({ rowCount: r.reports.length })),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/reports',
      summary: 'Save a report definition (name, title, spec, layout, schedule, formats); replaces the one of the same name',
      permission: 'reports:write',
      body: reportInputSchema,
      handler: async (req, _q, _reply, body): Promise<SavedReport> => {
        const input = parseReportInput(body);
        return audited(rt.audit, req.actor, 'report-save', `report=${input.name} schedule=${input.schedule ?? ''}`, async () => {
          const existing = await reports.get(input.name).catch(() => null);
          if (existing && existing.created_by !== req.principal) throw new ScopeDeniedError("changing another user's report");
          return reports.save(input, req.principal);
        }, (r) => ({ objectIds: [`report:${r.id}`] }));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/reports/:id',
      summary: 'One report definition and its recent runs',
      permission: 'reports:read',
      handler: async (req): Promise<ReportDetail> => {
        const report = await reports.get(ref(req));
        return { report, runs: await reports.runs(report.id) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/reports/:id',
      summary: 'Delete a report definition (its author only); its runs stay in the archive',
      permission: 'reports:write',
      handler: async (req): Promise<ReportDeleted> => {
        const report = await reports.get(ref(req));
        return audited(rt.audit, req.actor, 'report-delete', `report=${report.name}`, async () => {
          if (report.created_by !== req.principal) throw new ScopeDeniedError("deleting another user's report");
          await reports.remove(report.id);
          return { deleted: report.id };
        }, () => ({ objectIds: [`report:${report.id}`] }));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/reports/:id/run',
      summary: "Run a saved report under the caller's scope and return its cells",
      permission: 'reports:read',
      query: z.object({}).strict(),
      handler: async (req): Promise<ReportRunResult> => {
        const report = await reports.get(ref(req));
        return audited(rt.audit, req.actor, 'report-run', specDetail(`report=${report.name} trigger=manual`, { spec: report.spec }), async () => {
          const out = await runReport(rt.store, req.scope, report, { ranBy: req.principal });
          const result = { report: { id: report.id, name: report.name, title: report.title }, result: out.result, table: out.table };
          // A report cut by a party dimension lists named parties row by row: charged like a page of them.
          if (namesParties('trade', report.spec.by)) await chargeNamed(req, `/api/reports/${report.id}/run`, out.result.rows.length, result);
          await reports.recordRun({ report_id: report.id, ran_at: new Date().toISOString(), ran_by: req.principal, trigger: 'manual', period_label: out.periodLabel, status: 'ok', row_count: out.result.rows.length, files: [], message: null });
          return result;
        }, (r) => ({ rowCount: r.result.rows.length, objectIds: [`report:${report.id}`] }));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/reports/:id/export',
      summary: "Export a saved report as CSV, XLSX or PDF, run under the caller's scope (counted against the download quota)",
      permission: 'data:export',
      query: exportQuery,
      handler: async (req, q: z.infer<typeof exportQuery>, reply) => {
        const report = await reports.get(ref(req));
        const route = `/api/reports/${report.id}/export`;
        const body = await audited(rt.audit, req.actor, 'export', specDetail(`report=${report.name} format=${q.format}`, { spec: report.spec }), async () => {
          const out = await runReport(rt.store, req.scope, report, { ranBy: req.principal });
          const bytes = await renderReport(out.table, q.format);
          await req.chargeDownload({ rows: out.result.rows.length, bytes: bytes.length, route });
          await rt.auditTrail.disclosures.record({ principal: req.principal, nature: `export report ${q.format}`, purpose: req.actor.purpose ?? null, recipient: req.principal, rowCount: out.result.rows.length, bytes: bytes.length });
          return { bytes, rows: out.result.rows.length };
        }, (r) => ({ rowCount: r.rows, objectIds: [`report:${report.id}`] }));
        void reply
          .header('content-type', CONTENT_TYPES[q.format])
          .header('content-disposition', `attachment; filename="${report.name}.${q.format}"`);
        return body.bytes;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/reports/:id/runs',
      summary: 'Recent runs of a report: when, by whom, how many cells, which archive files',
      permission: 'reports:read',
      query: z.object({}).strict(),
      handler: async (req): Promise<ReportRuns> => {
        const report = await reports.get(ref(req));
        return { runs: await reports.runs(report.id) };
      },
    }),
  ];
}
