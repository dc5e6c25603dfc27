/**
 * Running a report: the measures query under the runner's scope, the table, and its export bytes; and the
 * scheduled runs that write into the report archive.
 *
 * Invariants:
 * - A report always runs under the scope of whoever runs it (the HTTP caller, the CLI operator, the cron
 *   job's operator), never under its author's: a shared definition cannot widen anyone's access, and an
 *   aggregate-only runner gets suppressed cells as in any other query.
 * - Every run is audited (event `report-run` or `export`) with the report name, format and row count only.
 * - Archive files are written whole (temporary name, then rename) under <data>/reports/<name>/, named by the
 *   period reported (or the run time), so a rerun of the same month replaces its file and a crash leaves no
 *   half-written report. Archive files are not served over HTTP: they hold what the scheduler's operator
 *   may read, which may be more than a caller may.
 * - A failed scheduled run is recorded (status error, message without values) and stays due, so the next
 *   `reports run-due` retries it.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticalStore } from '../store/index.ts';
import { scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { ExploreSpecError } from '../explore/index.ts';
import { measuresQuery, type MeasuresResult } from '../measures/index.ts';
import { audited, specDetail, type ActionContext } from '../runtime/audited.ts';
import type { AuditLog } from '../control/index.ts';
import { reportTable, type ReportTableData } from './report-table.ts';
import { nextMonthly, resolveQuery, type ExportFormat, type ReportLayout, type ReportQuery } from './report-spec.ts';
import type { ReportRun, ReportStore, SavedReport } from './report-store.ts';
import { writeCsv } from './csv-export.ts';
import { writeXlsx } from './xlsx-export.ts';
import { writePdf } from './pdf-export.ts';

export interface ReportOutput {
  readonly result: MeasuresResult;
  readonly table: ReportTableData;
  /** The period reported when the spec names one (from, or from..to), else null. */
  readonly periodLabel: string | null;
}

export async function runReport(
  store: AnalyticalStore,
  scope: Scope,
  /** Without a title (a one-off report), the table is titled from its measures, dimensions and period. */
  report: { title?: string | undefined; spec: ReportQuery; layout: ReportLayout },
  opts: { ranBy: string; now?: Date },
): Promise<ReportOutput> {
  const now = opts.now ?? new Date();
  const spec = resolveQuery(report.spec, now);
  const result = await measuresQuery(scopedDb(store, scope), spec);
  const table = reportTable(result, { title: report.title, columns: report.layout.columns, changes: report.layout.changes, where: spec.where, ranBy: opts.ranBy, ranAt: now.toISOString() });
  const periodLabel = spec.from && spec.to && spec.from !== spec.to ? `${spec.from}_${spec.to}` : (spec.from ?? spec.to ?? null);
  return { result, table, periodLabel };
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export async function renderReport(table: ReportTableData, format: ExportFormat): Promise<Buffer> {
  return format === 'csv' ? writeCsv(table) : format === 'xlsx' ? writeXlsx(table) : writePdf(table);
}

/** A message safe to store: our own errors name fields, anything else is named by class only. */
function safeMessage(e: unknown): string {
  if (e instanceof ExploreSpecError || e instanceof ScopeDeniedError) return e.message;
  return `internal error (${(e as Error)?.constructor?.name ?? 'unknown'})`;
}

export interface RunDueDeps {
  readonly store: AnalyticalStore;
  readonly reports: ReportStore;
  readonly audit: AuditLog;
  readonly dataDir: string;
}

/** Runs every scheduled report that is due, under `scope`, writing its formats into the report archive. */
export async function runDue(deps: RunDueDeps, ctx: ActionContext, scope: Scope, now = new Date()): Promise<ReportRun[]> {
  const runs: ReportRun[] = [];
  for (const report of await deps.reports.due(now)) runs.push(await runToArchive(deps, ctx, scope, report, now));
  return runs;
}

async function runToArchive(deps: RunDueDeps, ctx: ActionContext, scope: Scope, report: SavedReport, now: Date): Promise<ReportRun> {
  const base = { report_id: report.id, ran_at: now.toISOString(), ran_by: ctx.principal, trigger: 'schedule' };
  try {
    const out = await audited(deps.audit, ctx, 'report-run', specDetail(`report=${report.name} trigger=schedule formats=${report.formats.join(',')}`, { spec: report.spec }), () =>
      runReport(deps.store, scope, report, { ranBy: ctx.principal, now }),
      (r) => ({ rowCount: r.result.rows.length, objectIds: [`report:${report.id}`] }),
    );
    const dir = join(deps.dataDir, 'reports', report.name);
    mkdirSync(dir, { recursive: true });
    const stem = out.periodLabel ?? now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const files: string[] = [];
    for (const f of report.formats) {
      const name = `${stem}.${f}`;
      const tmp = join(dir, `.${name}.tmp`);
      writeFileSync(tmp, await renderReport(out.table, f));
      renameSync(tmp, join(dir, name));
      files.push(`${report.name}/${name}`);
    }
    const run = await deps.reports.recordRun({ ...base, period_label: out.periodLabel, status: 'ok', row_count: out.result.rows.length, files, message: null });
    await deps.reports.setNextRun(report.id, nextMonthly(now));
    return run;
  } catch (e) {
    return deps.reports.recordRun({ ...base, period_label: null, status: 'error', row_count: null, files: [], message: safeMessage(e) });
  }
}
