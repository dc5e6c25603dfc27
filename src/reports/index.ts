export { parseReportInput, checkQuery, resolveQuery, nextMonthly, ReportSpecError, EXPORT_FORMATS, reportInputSchema, type ExportFormat, type ReportInput, type ReportQuery, type ReportLayout } from './report-spec.ts';
export { reportStore, ReportNotFoundError, type ReportStore, type SavedReport, type ReportRun } from './report-store.ts';
export { runReport, renderReport, runDue, CONTENT_TYPES, type ReportOutput, type RunDueDeps } from './run-report.ts';
export { reportTable, SUPPRESSED, type ReportTableData, type TableColumn, type TableValue } from './report-table.ts';
export { writeCsv } from './csv-export.ts';
export { writeXlsx } from './xlsx-export.ts';
export { writePdf, formatValue } from './pdf-export.ts';
export { reportScheduler, DEFAULT_REPORT_CHECK_MS, type ReportScheduler, type ReportSchedulerOptions } from './report-scheduler.ts';
