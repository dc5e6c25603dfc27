/**
 * Privacy by design from the command line (access.md): retention periods, legal holds, the purge job, the
 * data register and the transparency report.
 *
 * The CLI acts as the data directory's custodian (or PARALLAX_USER's account, whose scope the runtime then
 * applies to data reads); every command is audited. `purge` needs the analytical store, so it runs when
 * `serve` is stopped; a running server purges through `POST /api/retention/purge`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import {
  buildDataRegister,
  HOLD_KINDS,
  purgeExpired,
  registerCsv,
  RETAINED_CATEGORIES,
  RETENTION_BASES,
  transparencyReport,
  type PurgeReport,
  type RetentionBasis,
  type TransparencyGrain,
} from '../privacy/index.ts';
import { action, cliContext, UsageError, withControlRuntime, withRuntime } from './run-command.ts';
import { renderTable } from './output.ts';

const DATA_OPTION = ['--data <dir>', 'data directory (default ./data or PARALLAX_DATA)'] as const;
/** `retention` defines --data and --json; commander gives them to it wherever they are written. */
type Shared = { data?: string; json?: boolean };

function asOfDate(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new UsageError('--as-of takes a date, YYYY-MM-DD');
  return new Date(`${v}T00:00:00Z`);
}

export function describePurge(r: PurgeReport): string {
  const out = [
    `${r.dryRun ? 'purge preview (nothing removed)' : `purge ${r.purgeId}`} as of ${r.asOf.slice(0, 10)}: ${r.rowsRemoved.toLocaleString('en-US')} row(s) ${r.dryRun ? 'would be' : ''} removed${r.activeHolds ? `, ${r.activeHolds} legal hold(s) active` : ''}`.replace('  ', ' '),
    renderTable(
      ['dataset', 'years', 'basis', 'cutoff', 'removed', 'held', 'batches emptied'],
      r.datasets.map((d) => ({ dataset: d.dataset, years: d.years, basis: d.basis, cutoff: d.cutoff, removed: d.rowsRemoved, held: d.rowsHeld, 'batches emptied': d.batchesEmptied.join(' ') || '—' })),
    ),
    `derived: ${r.derived.anomalies} anomalies, ${r.derived.partyReferences} party references, ${r.derived.partyEdges} graph edges, ${r.derived.watchlistHits} watch-list hits, ${r.derived.quarantinedLines} quarantined input lines`,
  ];
  if (r.dryRun && r.rowsRemoved > 0) out.push('run `parallax purge` without --dry-run to remove them; place a legal hold first to keep any of them');
  if (!r.dryRun && r.rowsRemoved > 0) out.push('party totals of the remaining parties refresh at the next `parallax parties resolve`');
  return `${out.join('\n')}\n`;
}

export function registerPrivacyCommands(program: Command): void {
  const retention = program.command('retention').description('retention periods per dataset category, legal holds and past purges');
  retention
    .option(...DATA_OPTION)
    .option('--json', 'print JSON (with a subcommand: its result)')
    .action(
      action(async (o: { data?: string; json?: boolean }) => {
        await withControlRuntime(o, async (rt) => {
          const r = await audited(rt.audit, cliContext(), 'view-retention', null, async () => ({
            policies: await rt.retention.policies(),
            holds: await rt.retention.holds({ active: true }),
            purges: await rt.retention.purges(10),
          }));
          if (o.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
          process.stdout.write(
            `${renderTable(['category', 'years', 'counted from', 'set by', 'set at'], r.policies.map((p) => ({ category: p.category, years: p.years, 'counted from': p.basis === 'loaded' ? 'loading' : 'record date', 'set by': p.setBy ?? 'default', 'set at': p.setAt })))}\n\n`,
          );
          process.stdout.write(
            r.holds.length
              ? `${renderTable(['hold', 'on', 'target', 'reason', 'placed by', 'placed at'], r.holds.map((h) => ({ hold: h.id, on: h.kind, target: h.target, reason: h.reason, 'placed by': h.placedBy, 'placed at': h.placedAt })))}\n\n`
              : 'no active legal holds\n\n',
          );
          process.stdout.write(
            r.purges.length
              ? `${renderTable(['purge', 'at', 'by', 'as of', 'rows removed'], r.purges.map((p) => ({ purge: p.id, at: p.at, by: p.principal, 'as of': p.asOf.slice(0, 10), 'rows removed': p.rowsRemoved })))}\n`
              : 'no purges yet\n',
          );
        });
      }),
    );

  retention
    .command('set <category>')
    .description(`set a category's retention period (categories: ${RETAINED_CATEGORIES.join(', ')})`)
    .requiredOption('--years <n>', 'retention period in whole years')
    .option('--basis <basis>', `what the period counts from: ${RETENTION_BASES.join(' or ')}`, 'loaded')
    .requiredOption('--reason <text>', 'why (the rule or decision behind the period)')
    .action(
      action(async (category: string, own: { years: string; basis: string; reason: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        const years = Number(o.years);
        await withControlRuntime(o, async (rt) => {
          const p = await audited(rt.audit, cliContext(), 'retention-set', `category=${category} years=${years} basis=${o.basis}`, () =>
            rt.retention.setPolicy({ category, years, basis: o.basis as RetentionBasis, by: cliContext().principal, reason: o.reason }),
          );
          process.stdout.write(o.json ? `${JSON.stringify(p)}\n` : `${p.category}: kept ${p.years} year${p.years === 1 ? '' : 's'} from ${p.basis === 'loaded' ? 'loading' : 'the record date'}\n`);
        });
      }),
    );

  retention
    .command('hold')
    .description('place a legal hold: nothing it names is purged until it is released')
    .option('--batch <id>', 'hold one batch')
    .option('--provider <code>', "hold all of one provider's data")
    .option('--category <category>', 'hold a whole dataset category')
    .requiredOption('--reason <text>', 'the case, order or request behind the hold')
    .action(
      action(async (own: { batch?: string; provider?: string; category?: string; reason: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        const given = HOLD_KINDS.filter((k) => o[k] !== undefined);
        if (given.length !== 1) throw new UsageError('name exactly one of --batch, --provider or --category');
        const kind = given[0]!;
        await withControlRuntime(o, async (rt) => {
          const h = await audited(rt.audit, cliContext(), 'hold-place', `on=${kind}`, () => rt.retention.placeHold({ kind, target: o[kind]!, reason: o.reason, by: cliContext().principal }), (x) => ({ objectIds: [`hold:${x.id}`, x.target] }));
          process.stdout.write(o.json ? `${JSON.stringify(h)}\n` : `legal hold ${h.id} placed on ${h.kind} ${h.target}\n`);
        });
      }),
    );

  retention
    .command('release <hold>')
    .description('release a legal hold (kept on record with who released it and why)')
    .requiredOption('--reason <text>', 'why the hold is no longer needed')
    .action(
      action(async (id: string, own: { reason: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        if (!/^\d+$/.test(id)) throw new UsageError('give the hold number shown by `parallax retention`');
        await withControlRuntime(o, async (rt) => {
          const h = await audited(rt.audit, cliContext(), 'hold-release', null, () => rt.retention.releaseHold(Number(id), { by: cliContext().principal, reason: o.reason }), (x) => ({ objectIds: [`hold:${x.id}`, x.target] }));
          process.stdout.write(o.json ? `${JSON.stringify(h)}\n` : `legal hold ${h.id} on ${h.kind} ${h.target} released\n`);
        });
      }),
    );

  program
    .command('purge')
    .description('remove the rows whose retention period has passed (legal holds block it); --dry-run previews')
    .option('--dry-run', 'count what would be removed; remove nothing')
    .option('--as-of <date>', 'judge expiry as of this date (YYYY-MM-DD; default today)')
    .option(...DATA_OPTION)
    .option('--json', 'print the report as one JSON object')
    .action(
      action(async (o: { dryRun?: boolean; asOf?: string; data?: string; json?: boolean }) => {
        const asOf = asOfDate(o.asOf);
        await withRuntime(o, async (rt) => {
          const r = await audited(
            rt.audit,
            cliContext(),
            o.dryRun ? 'purge-preview' : 'purge',
            `as_of=${(asOf ?? new Date()).toISOString().slice(0, 10)}`,
            () => purgeExpired({ store: rt.store, control: rt.control, retention: rt.retention }, { asOf, dryRun: o.dryRun ?? false, principal: cliContext().principal }),
            (x) => ({ rowCount: x.rowsRemoved, objectIds: [...(x.purgeId ? [`purge:${x.purgeId}`] : []), ...x.datasets.flatMap((d) => Object.keys(d.batches))] }),
          );
          process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : describePurge(r));
        });
      }),
    );

  program
    .command('register')
    .description('print the data register: every source, its category, provider, direction and who can see it')
    .option('--csv', 'write the register as CSV (the public inventory columns)')
    .option('--out <file>', 'write to this file instead of stdout')
    .option(...DATA_OPTION)
    .option('--json', 'print one JSON object')
    .action(
      action(async (o: { csv?: boolean; out?: string; data?: string; json?: boolean }) => {
        await withRuntime(o, async (rt) => {
          const r = await audited(rt.audit, cliContext(), 'view-register', null, () => buildDataRegister({ control: rt.control, store: rt.store, policies: rt.access.policies, retention: rt.retention }), (x) => ({ rowCount: x.entries.length }));
          const text = o.json
            ? `${JSON.stringify(r)}\n`
            : o.csv
              ? registerCsv(r).toString('utf8')
              : `${renderTable(
                  ['source', 'category', 'direction', 'records', 'retention', 'who can see it'],
                  r.entries.map((e) => ({ source: e.source, category: e.category, direction: e.direction, records: e.records, retention: e.retention, 'who can see it': Object.keys(e.access).join(', ') })),
                )}\n`;
          if (o.out) writeFileSync(resolve(o.out), text, { mode: 0o600 });
          else process.stdout.write(text);
        });
      }),
    );

  program
    .command('transparency')
    .description('print the aggregate transparency report: queries, exports, disclosures, matches, locks, purges per period')
    .option('--period <grain>', 'month, quarter or year', 'month')
    .option('--from <date>', 'first day or month included (YYYY-MM or YYYY-MM-DD)')
    .option('--to <date>', 'last day or month included (YYYY-MM or YYYY-MM-DD)')
    .option(...DATA_OPTION)
    .option('--json', 'print one JSON object')
    .action(
      action(async (o: { period: string; from?: string; to?: string; data?: string; json?: boolean }) => {
        if (!['month', 'quarter', 'year'].includes(o.period)) throw new UsageError('--period takes month, quarter or year');
        for (const [flag, v] of [['--from', o.from], ['--to', o.to]] as const) if (v !== undefined && !/^\d{4}-\d{2}(-\d{2})?$/.test(v)) throw new UsageError(`${flag} takes YYYY-MM or YYYY-MM-DD`);
        await withControlRuntime(o, async (rt) => {
          const r = await audited(rt.audit, cliContext(), 'view-transparency', `period=${o.period}`, () => transparencyReport(rt.control, { grain: o.period as TransparencyGrain, from: o.from, to: o.to }), (x) => ({ rowCount: x.periods.length }));
          if (o.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
          const cols = ['period', 'users', 'queries', 'exports', 'disclosures', 'screenings', 'confirmed matches', 'denials', 'locks', 'purges', 'rows purged'];
          const row = (p: (typeof r.periods)[number] | (typeof r.totals & { period: string; activeUsers?: number; complete?: boolean })) => ({
            period: `${p.period}${p.complete === false ? ' (incomplete)' : ''}`,
            users: p.activeUsers ?? null,
            queries: p.queries,
            exports: p.exports,
            disclosures: p.disclosures,
            screenings: p.screenings,
            'confirmed matches': p.confirmedMatches,
            denials: p.denials + p.failedSignIns,
            locks: p.locks,
            purges: p.purges,
            'rows purged': p.purgedRows,
          });
          process.stdout.write(`${renderTable(cols, [...r.periods.map(row), row({ ...r.totals, period: 'total' })])}\n`);
        });
      }),
    );
}
