/**
 * ingest, batches, quarantine, profiles: loading data and seeing what was loaded.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { withFxProvenance } from '../fx/index.ts';
import { ingestFile, ingestReference, isReferenceProfile, type BatchResult } from '../ingest/index.ts';
import { builtinProfileNames, loadProfile } from '../profiles/index.ts';
import { DATASET_CATEGORIES } from '../schema/index.ts';
import { terminalProgress } from '../progress/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';
import { EXIT } from './exit-codes.ts';

const CLI_CONTEXT = cliContext();

function parseSets(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--set takes FIELD=VALUE, e.g. --set hs_code=030389`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export function registerDataCommands(program: Command): void {
  program
    .command('ingest')
    .description('load files as batches (CSV, CSV.gz, Parquet) through a mapping profile')
    .argument('<files...>', 'files to load; each file is one batch')
    .requiredOption('--profile <name>', `mapping profile: ${builtinProfileNames().join(', ')}, countries|hs|ports|sectors|fx for reference data (fx: date, currency, rate in units per US dollar), or a path to a profile JSON`)
    .requiredOption('--category <category>', `dataset category: ${DATASET_CATEGORIES.join(', ')}`)
    .option('--provider <code>', 'ISO 3166 alpha-2 code of the supplying country or agency', 'XX')
    .option('--set <field=value...>', 'value for a field wherever the file has none (repeatable)', [])
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'one JSON object per batch on stdout')
    .option('--also-for-provider', 'load bytes already loaded for another provider as a new batch of --provider')
    .action(
      action(async (files: string[], o: { profile: string; category: string; provider: string; set: string[]; data?: string; json?: boolean; alsoForProvider?: boolean }) => {
        if (!(DATASET_CATEGORIES as readonly string[]).includes(o.category)) {
          throw new UsageError(`--category must be one of ${DATASET_CATEGORIES.join(', ')}`);
        }
        if (o.category !== 'reference' && o.provider === 'XX') {
          throw new UsageError('--provider is required: the ISO 3166 alpha-2 code of the country or agency that supplied the data, e.g. --provider US');
        }
        const overrides = parseSets(o.set);
        await withRuntime(o, async (rt) => {
          const deps = { store: rt.store, registry: rt.registry };
          const results: BatchResult[] = [];
          for (const f of files) {
            const r = await audited(rt.audit, CLI_CONTEXT, 'ingest', `profile=${o.profile} category=${o.category}`, () =>
              o.category === 'reference' || isReferenceProfile(o.profile)
                ? ingestReference(deps, f, o.profile, CLI_CONTEXT.principal)
                : ingestFile(deps, f, {
                    profile: o.profile,
                    category: o.category,
                    provider: o.provider,
                    overrides,
                    loadedBy: CLI_CONTEXT.principal,
                    alsoForProvider: o.alsoForProvider === true,
                    progress: o.json ? undefined : terminalProgress(),
                  }),
              (x) => ({ rowCount: x.rows_accepted, objectIds: [x.batch_id] }),
            );
            results.push(r);
            if (o.json) printJsonLines([r]);
            else {
              const verdict = r.duplicate ? 'already loaded, nothing changed' : `${r.rows_accepted.toLocaleString('en-US')} accepted, ${r.rows_rejected.toLocaleString('en-US')} rejected${r.rows_filtered ? `, ${r.rows_filtered.toLocaleString('en-US')} left out by the profile's where` : ''}`;
              process.stdout.write(`${r.batch_id}  ${f}: ${r.rows_read.toLocaleString('en-US')} read, ${verdict}\n`);
              if (r.superseded_rows) process.stdout.write(`         ${r.superseded_rows.toLocaleString('en-US')} earlier rows superseded by this batch\n`);
              if (r.rows_rejected && !r.duplicate) process.stdout.write(`         see the rejected lines with: parallax quarantine ${r.batch_id}\n`);
              if (r.message && !r.duplicate) process.stdout.write(`         ${r.message}\n`);
            }
          }
        });
      }),
    );

  program
    .command('batches')
    .description('list loaded batches with provenance and counts')
    .option('--data <dir>', 'data directory')
    .option('--json', 'JSON lines')
    .action(
      action(async (o: { data?: string; json?: boolean }) => {
        await withRuntime(o, async (rt) => {
          const rows = await audited(rt.audit, CLI_CONTEXT, 'view-batches', null, async () => withFxProvenance(scopedDb(rt.store, rt.operatorScope), await rt.registry.list()), (r) => ({ rowCount: r.length }));
          if (o.json) return printJsonLines(rows);
          if (!rows.length) return void process.stdout.write('no batches yet: load data with parallax ingest (see --help)\n');
          const view = rows.map((b) => ({
            ...b,
            sha256: b.sha256.slice(0, 12),
            rows_read: Number(b.rows_read),
            rows_accepted: Number(b.rows_accepted),
            rows_rejected: Number(b.rows_rejected),
            // Which rate tables converted the batch (source ids; --json gives their SHA-256 prefixes and the time).
            usd_rates: b.fx ? b.fx.rates.split('+').map((x) => x.split(':')[0]).join('+') : '',
            without_usd: b.fx ? `${b.fx.rows_without_rate}${b.fx.currencies_without_rate.length ? ` (${b.fx.currencies_without_rate.join(',')})` : ''}` : '',
          }));
          process.stdout.write(`${renderTable(['batch_id', 'status', 'dataset', 'provider', 'profile', 'file_name', 'rows_read', 'rows_accepted', 'rows_rejected', 'usd_rates', 'without_usd', 'sha256', 'finished_at'], view)}\n`);
        });
      }),
    );

  program
    .command('quarantine')
    .description('show the rejected lines of a batch: line, field, reason and the raw record')
    .argument('<batch_id>')
    .option('--limit <n>', 'lines per page', '50')
    .option('--offset <n>', 'lines to skip', '0')
    .option('--data <dir>', 'data directory')
    .option('--json', 'JSON lines')
    .action(
      action(async (batchId: string, o: { limit: string; offset: string; data?: string; json?: boolean }) => {
        const limit = Number(o.limit);
        const offset = Number(o.offset);
        if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) throw new UsageError('--limit and --offset take whole numbers');
        await withRuntime(o, async (rt) => {
          const batch = await rt.registry.get(batchId);
          if (!batch) throw new UsageError(`no batch ${batchId}: list them with parallax batches`);
          const q = await audited(rt.audit, CLI_CONTEXT, 'view-quarantine', null, () => rt.registry.quarantine(batchId, { limit, offset }), (r) => ({ rowCount: r.rows.length, objectIds: [batchId] }));
          if (o.json) return printJsonLines(q.rows.map((r) => ({ batch_id: batchId, ...r })));
          process.stdout.write(`${renderTable(['line', 'field', 'reason', 'raw'], q.rows)}\n`);
          const end = offset + q.rows.length;
          process.stdout.write(`${q.total ? `lines ${offset + 1}–${end} of ${q.total} rejected records kept` : 'no rejected lines'}${end < q.total ? `; next page: --offset ${end}` : ''}\n`);
          if (Number(batch.rows_rejected) > q.total) process.stdout.write(`${Number(batch.rows_rejected) - q.total} more rejected records were counted but not kept\n`);
        });
      }),
    );

  program
    .command('profiles')
    .description('list the built-in mapping profiles')
    .option('--json', 'JSON lines')
    .action(
      action(async (o: { json?: boolean }) => {
        const rows = builtinProfileNames().map((n) => {
          const p = loadProfile(n);
          return { name: p.name, dataset: p.dataset, category: p.category, description: p.description };
        });
        if (o.json) return printJsonLines(rows);
        process.stdout.write(`${renderTable(['name', 'dataset', 'category', 'description'], rows)}\n`);
        process.stdout.write('reference tables: --category reference --profile countries|hs|ports|sectors|fx (fx: date, currency, rate = units of the currency per US dollar; wins over the shipped FRB H.10 rates)\n');
        process.exitCode = EXIT.ok;
      }),
    );
}
