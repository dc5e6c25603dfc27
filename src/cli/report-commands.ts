/**
 * reports: saved report definitions, runs and exports (CSV, XLSX, PDF), and the scheduled monthly runs.
 *
 * Every run uses the runtime's operator scope, like every CLI data command (the data directory's custodian,
 * or the account named by PARALLAX_USER): a saved definition never carries its author's access. Every action is audited with report names and formats
 * only. `reports run-due` is meant for cron (see the README); it runs what is due and exits.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { audited, specDetail } from '../runtime/index.ts';
import {
  EXPORT_FORMATS,
  parseReportInput,
  renderReport,
  ReportNotFoundError,
  reportStore,
  runDue,
  runReport,
  type ExportFormat,
  type ReportQuery,
} from '../reports/index.ts';
import { action, cliContext, UsageError, withRuntime } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const csv = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

interface QueryOpts {
  measure?: string;
  by?: string;
  where?: string;
  period?: string;
  from?: string;
  to?: string;
  window?: string;
  top?: string;
}

function queryOf(o: QueryOpts): ReportQuery {
  const top = o.top === undefined ? undefined : Number(o.top);
  return {
    measures: csv(o.measure),
    by: csv(o.by),
    ...(o.where !== undefined ? { where: o.where } : {}),
    ...(o.period !== undefined ? { period: o.period as 'month' } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.window !== undefined ? { window: o.window as 'previous' } : {}),
    ...(top !== undefined ? { top } : {}),
  };
}

function queryOptions(c: Command): Command {
  return c
    .option('--measure <measures>', 'measures, comma-separated (see `parallax measures`)')
    .option('--by <dims>', 'dimensions, comma-separated (port, field_office, nation, hs_section, hs2, sector, origin ...)')
    .option('--where <expr>', 'filter in the explore where language, e.g. "hs2 in (72, 73) and flow = import"')
    .option('--period <grain>', 'month, quarter or year')
    .option('--from <period>', 'first period shown (2024, 2024-Q1, 2024-03)')
    .option('--to <period>', 'last period shown')
    .option('--window <window>', '"previous": the last whole period before the run date (for schedules)')
    .option('--top <n>', 'top N members of the first dimension by the first measure, the rest as "(others)"');
}

const notFound = <T>(p: Promise<T>) =>
  p.catch((e: unknown) => {
    throw e instanceof ReportNotFoundError ? new UsageError(e.message) : e;
  });

export function registerReportCommands(program: Command): void {
  const reports = program.command('reports').description('saved reports: save, list, run, export (csv, xlsx, pdf), run-due for the monthly schedule');

  queryOptions(reports.command('save').description('save (or replace) a report definition'))
    .requiredOption('--name <name>', 'report name: lower-case letters, digits and -')
    .option('--title <title>', 'title shown on exports (default: the name)')
    .option('--file <json>', 'read the definition (name, title, spec, layout, schedule, formats) from a JSON file instead')
    .option('--columns <ids>', 'columns to show, in order (default: all)')
    .option('--no-changes', 'leave out the change columns')
    .option('--schedule <when>', '"monthly": run by `reports run-due` into the report archive')
    .option('--formats <list>', 'formats a scheduled run writes (default xlsx,pdf)')
    .option('--data <dir>', 'data directory')
    .action(
      action(async (o: QueryOpts & { name: string; title?: string; file?: string; columns?: string; changes: boolean; schedule?: string; formats?: string; data?: string }) => {
        let raw: unknown;
        if (o.file) {
          try {
            raw = { name: o.name, ...(JSON.parse(readFileSync(o.file, 'utf8')) as object) };
          } catch (e) {
            throw new UsageError(`${o.file}: not a readable JSON report definition (${(e as Error).constructor.name})`);
          }
        } else {
          raw = {
            name: o.name,
            title: o.title ?? o.name,
            spec: queryOf(o),
            layout: { ...(o.columns ? { columns: csv(o.columns) } : {}), ...(o.changes === false ? { changes: false } : {}) },
            schedule: o.schedule ?? null,
            ...(o.formats ? { formats: csv(o.formats) } : {}),
          };
        }
        const input = parseReportInput(raw);
        await withRuntime(o, async (rt) => {
          const saved = await audited(rt.audit, CLI_CONTEXT, 'report-save', `report=${input.name} schedule=${input.schedule ?? ''}`, () => reportStore(rt.control).save(input, CLI_CONTEXT.principal), (r) => ({ objectIds: [`report:${r.id}`] }));
          process.stdout.write(`saved report ${saved.id} ${saved.name}${saved.next_run_at ? `; next run ${saved.next_run_at}` : ''}\n`);
        });
      }),
    );

  reports
    .command('list')
    .description('saved report definitions')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per report')
    .action(
      action(async (o: { data?: string; json?: boolean }) => {
        await withRuntime(o, async (rt) => {
          const list = await audited(rt.audit, CLI_CONTEXT, 'report-list', null, () => reportStore(rt.control).list(), (r) => ({ rowCount: r.length }));
          if (o.json) return printJsonLines(list);
          const rows = list.map((r) => ({ id: r.id, name: r.name, title: r.title, measures: r.spec.measures.join(','), by: r.spec.by.join(','), schedule: r.schedule ?? '', next_run_at: r.next_run_at ?? '', created_by: r.created_by }));
          process.stdout.write(`${renderTable(['id', 'name', 'title', 'measures', 'by', 'schedule', 'next_run_at', 'created_by'], rows)}\n`);
        });
      }),
    );

  reports
    .command('run <report>')
    .description('run a saved report (by id or name) on the current data and print its table')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per cell')
    .action(
      action(async (ref: string, o: { data?: string; json?: boolean }) => {
        await withRuntime(o, async (rt) => {
          const store = reportStore(rt.control);
          const report = await notFound(store.get(ref));
          const out = await audited(rt.audit, CLI_CONTEXT, 'report-run', specDetail(`report=${report.name} trigger=manual`, { spec: report.spec }), () =>
            runReport(rt.store, rt.operatorScope, report, { ranBy: CLI_CONTEXT.principal }),
            (r) => ({ rowCount: r.result.rows.length, objectIds: [`report:${report.id}`] }),
          );
          await store.recordRun({ report_id: report.id, ran_at: new Date().toISOString(), ran_by: CLI_CONTEXT.principal, trigger: 'manual', period_label: out.periodLabel, status: 'ok', row_count: out.result.rows.length, files: [], message: null });
          if (o.json) return printJsonLines(out.result.rows);
          const cols = out.table.columns.map((c) => c.id);
          const asObj = (r: readonly unknown[]) => Object.fromEntries(cols.map((c, i) => [c, r[i]]));
          process.stdout.write(`${out.table.title}\n${renderTable(cols, [...out.table.rows.map(asObj), ...(out.table.total ? [asObj(out.table.total)] : [])])}\n`);
          for (const n of out.table.notes) process.stdout.write(`${n}\n`);
        });
      }),
    );

  queryOptions(reports.command('export [report]').description('export a saved report, or one given by --measure/--by/..., as csv, xlsx or pdf'))
    .requiredOption('--format <format>', 'csv, xlsx or pdf')
    .requiredOption('--out <file>', 'file to write')
    .option('--title <title>', 'title for a report given by options')
    .option('--data <dir>', 'data directory')
    .action(
      action(async (ref: string | undefined, o: QueryOpts & { format: string; out: string; title?: string; data?: string }) => {
        if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new UsageError('--format is csv, xlsx or pdf');
        if (!ref && !o.measure) throw new UsageError('name a saved report, or give --measure (and --by ...) for a one-off report');
        // A one-off report without --title is titled from what it shows (reportTable).
        const adhoc = ref ? null : { ...parseReportInput({ name: 'adhoc', title: 'adhoc', spec: queryOf(o) }), title: o.title };
        await withRuntime(o, async (rt) => {
          const report = adhoc ?? (await notFound(reportStore(rt.control).get(ref!)));
          const written = await audited(rt.audit, CLI_CONTEXT, 'export', specDetail(`report=${report.name} format=${o.format}`, { spec: report.spec }), async () => {
            const out = await runReport(rt.store, rt.operatorScope, report, { ranBy: CLI_CONTEXT.principal });
            const bytes = await renderReport(out.table, o.format as ExportFormat);
            writeFileSync(o.out, bytes);
            return { rows: out.result.rows.length, bytes: bytes.length };
          }, (r) => ({ rowCount: r.rows }));
          process.stdout.write(`wrote ${o.out}: ${written.rows} rows, ${written.bytes} bytes\n`);
        });
      }),
    );

  // The one-off form of the issue's interface: `parallax report --measure ... --by ... [--format F --out FILE]`.
  queryOptions(program.command('report').description('run a one-off report (--measure, --by, --where, --period ...): print it, or write csv, xlsx or pdf with --format and --out'))
    .option('--format <format>', 'csv, xlsx or pdf (with --out)')
    .option('--out <file>', 'file to write')
    .option('--title <title>', 'title of the report (default: its measures, dimensions and period)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per cell on stdout')
    .action(
      action(async (o: QueryOpts & { format?: string; out?: string; title?: string; data?: string; json?: boolean }) => {
        if (!o.measure) throw new UsageError('give --measure (and --by, --where, --period ...); `parallax measures` lists them');
        if (o.format && !(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new UsageError('--format is csv, xlsx or pdf');
        if (Boolean(o.format) !== Boolean(o.out)) throw new UsageError('--format and --out go together');
        const report = { ...parseReportInput({ name: 'adhoc', title: 'adhoc', spec: queryOf(o) }), title: o.title };
        await withRuntime(o, async (rt) => {
          const out = await audited(rt.audit, CLI_CONTEXT, o.format ? 'export' : 'query', `report format=${o.format ?? 'table'}`, () => runReport(rt.store, rt.operatorScope, report, { ranBy: CLI_CONTEXT.principal }), (r) => ({ rowCount: r.result.rows.length }));
          if (o.format && o.out) {
            const bytes = await renderReport(out.table, o.format as ExportFormat);
            writeFileSync(o.out, bytes);
            process.stdout.write(`wrote ${o.out}: ${out.result.rows.length} rows, ${bytes.length} bytes\n`);
            return;
          }
          if (o.json) return printJsonLines(out.result.rows);
          const cols = out.table.columns.map((c) => c.id);
          const asObj = (r: readonly unknown[]) => Object.fromEntries(cols.map((c, i) => [c, r[i]]));
          process.stdout.write(`${out.table.title}\n${renderTable(cols, [...out.table.rows.map(asObj), ...(out.table.total ? [asObj(out.table.total)] : [])])}\n`);
        });
      }),
    );

  reports
    .command('run-due')
    .description('run every scheduled report that is due into <data>/reports/<name>/ (for cron; exits when done)')
    .option('--now <iso>', 'treat this instant as now (to catch up or test)')
    .option('--data <dir>', 'data directory')
    .action(
      action(async (o: { now?: string; data?: string }) => {
        const now = o.now ? new Date(o.now) : new Date();
        if (Number.isNaN(now.getTime())) throw new UsageError('--now is an ISO date, e.g. 2025-02-01T06:00:00Z');
        await withRuntime(o, async (rt) => {
          const runs = await runDue({ store: rt.store, reports: reportStore(rt.control), audit: rt.audit, dataDir: rt.dataDir }, CLI_CONTEXT, rt.operatorScope, now);
          for (const r of runs) process.stdout.write(`report ${r.report_id}: ${r.status}${r.files.length ? ` -> ${r.files.join(', ')}` : ''}${r.message ? ` (${r.message})` : ''}\n`);
          process.stdout.write(`${runs.length} report(s) run; archive: ${rt.dataDir}/reports\n`);
          if (runs.some((r) => r.status === 'error')) process.exitCode = 1;
        });
      }),
    );
}
