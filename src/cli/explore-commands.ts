/**
 * explore and lines: totals by any dimension and the lines behind a cell, through the scoped query layer.
 */
import type { Command } from 'commander';
import { audited, specDetail } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { CATALOGUES, explore, lines, parseSort } from '../explore/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const csv = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);
const int = (s: string | undefined, name: string) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} takes a whole number`);
  return n;
};

export function registerExploreCommands(program: Command): void {
  const trade = CATALOGUES.trade;
  program
    .command('explore')
    .description('totals of measures by dimensions, filtered, sorted and paged')
    .option('--by <dims>', `dimensions, comma-separated: ${trade.dimensions.map((d) => d.id).join(', ')}`)
    .option('--measure <measures>', `measures, comma-separated: ${trade.measures.map((m) => m.id).join(', ')} (value_usd: US dollars at monthly rates; value: each line's own currency, one currency per group); default value_usd,lines (payments: amount_usd,payments)`)
    .option('--where <expr>', "filter, e.g. \"origin in (CN, VN) and year = 2024 and value > 10000\"")
    .option('--sort <keys>', 'sort keys: value (descending), value:asc, -lines')
    .option('--top <n>', 'groups per page', '20')
    .option('--offset <n>', 'groups to skip', '0')
    .option('--dataset <name>', 'trade or payments', 'trade')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per group on stdout')
    .action(
      action(async (o: { by?: string; measure?: string; where?: string; sort?: string; top: string; offset: string; dataset: string; data?: string; json?: boolean }) => {
        if (o.dataset !== 'trade' && o.dataset !== 'payments') throw new UsageError('--dataset is trade or payments');
        const measure = o.measure ?? (o.dataset === 'payments' ? 'amount_usd,payments' : 'value_usd,lines');
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const by = csv(o.by);
          const r = await audited(rt.audit, CLI_CONTEXT, 'query', specDetail('explore', { dataset: o.dataset, by, measure, where: o.where, sort: o.sort, limit: o.top, offset: o.offset }), () =>
            explore(db, {
              dataset: o.dataset as 'trade' | 'payments',
              by,
              measures: csv(measure),
              where: o.where,
              sort: parseSort(o.sort),
              limit: int(o.top, '--top'),
              offset: int(o.offset, '--offset'),
            }),
            (x) => ({ rowCount: x.rows.length }),
          );
          if (o.json) return printJsonLines(r.rows);
          const cols = r.columns.map((c) => c.id);
          process.stdout.write(`${renderTable(cols, [...r.rows, ...(by.length ? [{ ...Object.fromEntries(by.map((b, i) => [b, i === 0 ? 'TOTAL' : ''])), ...r.totals }] : [])])}\n`);
          const end = r.offset + r.rows.length;
          process.stdout.write(
            `groups ${r.rows.length ? r.offset + 1 : 0}–${end} of ${r.total_groups}${r.truncated ? `; next page: --offset ${r.next_offset}` : ''}` +
              `${by.length ? '; TOTAL is over all groups' : ''}\n`,
          );
          for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
        });
      }),
    );

  program
    .command('lines')
    .description('the lines behind a cell of an explore result (drill-down)')
    .option('--cell <json>', 'the cell as a JSON object, e.g. \'{"origin":"CN","year":"2024"}\'')
    .option('--where <expr>', 'filter, as for explore')
    .option('--sort <keys>', 'sort by line columns, e.g. -value_usd (-value sorts within one currency only)')
    .option('--limit <n>', 'lines per page', '50')
    .option('--offset <n>', 'lines to skip', '0')
    .option('--dataset <name>', 'trade or payments', 'trade')
    .option('--data <dir>', 'data directory')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (o: { cell?: string; where?: string; sort?: string; limit: string; offset: string; dataset: string; data?: string; json?: boolean }) => {
        let cell: Record<string, string | number | null> | undefined;
        if (o.cell) {
          try {
            cell = JSON.parse(o.cell) as Record<string, string | number | null>;
          } catch {
            throw new UsageError('--cell takes a JSON object, e.g. \'{"origin":"CN"}\'');
          }
        }
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const r = await audited(rt.audit, CLI_CONTEXT, 'view-lines', specDetail('lines', { dataset: o.dataset, cell, where: o.where, sort: o.sort, limit: o.limit, offset: o.offset }), () =>
            lines(db, { dataset: o.dataset as 'trade' | 'payments', cell, where: o.where, sort: parseSort(o.sort), limit: int(o.limit, '--limit'), offset: int(o.offset, '--offset') }),
            (x) => ({ rowCount: x.rows.length }),
          );
          if (o.json) return printJsonLines(r.rows);
          const show = o.dataset === 'payments'
            ? ['row_id', 'payment_id', 'date', 'amount', 'currency', 'amount_usd', 'payer_name', 'payee_name', 'payer_country', 'payee_country', 'instrument']
            : ['row_id', 'declaration_id', 'line_no', 'date', 'flow', 'hs_code', 'origin_country', 'importer_id', 'exporter_id', 'value', 'currency', 'value_usd', 'quantity', 'net_mass_kg', 'port_code'];
          process.stdout.write(`${renderTable(show, r.rows)}\n`);
          const end = r.offset + r.rows.length;
          process.stdout.write(`lines ${r.rows.length ? r.offset + 1 : 0}–${end} of ${r.total}${r.truncated ? `; next page: --offset ${r.next_offset}` : ''}; --json for every column\n`);
        });
      }),
    );
}
