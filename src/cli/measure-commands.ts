/**
 * measures: the trade-measure catalogue, and measures by dimensions and period through the scoped query
 * layer (the same measuresQuery the HTTP API calls). Every query is audited; the audit detail names the
 * measures and dimensions asked for, never row values.
 */
import type { Command } from 'commander';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { MEASURES, MISSING_MEASURES, RANKINGS, measuresQuery } from '../measures/index.ts';
import { action, cliContext, UsageError, withRuntime } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const csv = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

export function registerMeasureCommands(program: Command): void {
  const measures = program
    .command('measures')
    .description('the trade-measure catalogue; `measures query` computes them')
    .option('--json', 'one JSON object per measure')
    .action(
      action(async (o: { json?: boolean }) => {
        const rows = MEASURES.map((m) => ({ id: m.id, name: m.name, unit: m.unit, source: m.source, categories: m.categories.join(','), default_by: m.defaultBy.join(',') }));
        if (o.json) return printJsonLines(rows);
        process.stdout.write(`${renderTable(['id', 'name', 'unit', 'source', 'categories', 'default_by'], rows)}\n`);
        process.stdout.write(`rankings: ${RANKINGS.map((r) => `${r.id} (--measure ${r.measure} --by ${r.by} --top ${r.n})`).join(', ')}\n`);
        if (MISSING_MEASURES.length) process.stdout.write(`not yet available: ${MISSING_MEASURES.map((m) => m.id).join(', ')}\n`);
      }),
    );

  measures
    .command('query')
    .description('measures by dimensions and period, with change on the previous period and year')
    .requiredOption('--measure <measures>', `measures, comma-separated: ${MEASURES.map((m) => m.id).join(', ')}`)
    .option('--by <dims>', 'explore dimensions, comma-separated (e.g. port, field_office, nation, hs2, sector, origin)')
    .option('--where <expr>', 'filter in the explore where language')
    .option('--period <grain>', 'month, quarter or year')
    .option('--from <period>', 'first period shown (2024, 2024-Q1, 2024-03); earlier data is read for the changes')
    .option('--to <period>', 'last period shown')
    .option('--top <n>', 'keep the top N members of the first dimension by the first measure; the rest become "(others)"')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per cell on stdout')
    .action(
      action(async (o: { measure: string; by?: string; where?: string; period?: string; from?: string; to?: string; top?: string; data?: string; json?: boolean }) => {
        if (o.period !== undefined && !['month', 'quarter', 'year'].includes(o.period)) throw new UsageError('--period is month, quarter or year');
        const top = o.top === undefined ? undefined : Number(o.top);
        if (top !== undefined && !Number.isInteger(top)) throw new UsageError('--top is a whole number');
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const spec = { measures: csv(o.measure), by: csv(o.by), where: o.where, period: o.period as 'month' | 'quarter' | 'year' | undefined, from: o.from, to: o.to, top };
          const r = await audited(rt.audit, CLI_CONTEXT, 'query', specDetail('measures', { measure: spec.measures, by: spec.by, where: spec.where, period: spec.period, from: spec.from, to: spec.to, top: spec.top }), () => measuresQuery(db, spec), (x) => ({ rowCount: x.rows.length }));
          // Commander gives --json to the parent `measures` command when both define it.
          if (o.json || measures.opts()['json']) return printJsonLines(r.rows);
          const cols = r.rows[0] ? Object.keys(r.rows[0]) : [...r.by, ...r.measures.map((m) => m.id)];
          const totalRow = { ...Object.fromEntries(cols.map((c, i) => [c, i === 0 ? 'TOTAL' : ''])), ...r.totals };
          process.stdout.write(`${renderTable(cols, [...r.rows, totalRow])}\n`);
          process.stdout.write(`${r.rows.length} cells; change = (this - previous) / previous${r.suppressed_cells ? `; ${r.suppressed_cells} suppressed (small cells)` : ''}\n`);
          for (const m of r.measures) {
            const n = m.without_rate ? Number(r.totals[m.without_rate] ?? 0) : 0;
            if (n > 0) process.stdout.write(`note: ${m.id} is in US dollars; it leaves out ${n.toLocaleString('en-US')} lines whose currency and month have no exchange rate (column ${m.without_rate})\n`);
          }
        });
      }),
    );
}
