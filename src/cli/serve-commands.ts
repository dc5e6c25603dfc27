/**
 * serve, generate and demo: run the HTTP server, write synthetic data, and do both end to end.
 */
import { join, resolve } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { audited, type Runtime } from '../runtime/index.ts';
import { buildApp } from '../server/index.ts';
import { generateDataset } from '../generate/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { explore } from '../explore/index.ts';
import { latestRunId, listRanking, runAnalysis } from '../detect/index.ts';
import { listVersions, loadList } from '../watchlists/index.ts';
import { resolveAndScreen } from './screen-all-command.ts';
import { terminalProgress } from '../progress/index.ts';
import { reportScheduler, reportStore, runDue } from '../reports/index.ts';
import { action, cliContext, UsageError } from './run-command.ts';
import { renderTable } from './output.ts';
import { openRuntime } from '../runtime/index.ts';
import { purgeExpired, purgeSchedule } from '../privacy/index.ts';

const DEMO_CONTEXT = { principal: process.env['USER'] ?? 'local-operator', source: 'cli' };

function port(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError('--port takes a number from 0 to 65535');
  return n;
}

/** Generates with a progress bar per generator stage on a terminal (none with --json). */
async function generateWithProgress(opts: { rows: number; seed: number; outDir: string }, quiet: boolean) {
  const bar = quiet ? undefined : terminalProgress();
  let stage = '';
  try {
    return await generateDataset({
      ...opts,
      onProgress: bar
        ? (done, total, s) => {
            if (s !== stage) {
              bar.stage(s, total, 'rows');
              stage = s;
            }
            bar.update(done);
          }
        : undefined,
    });
  } finally {
    bar?.done();
  }
}

/**
 * Demo accounts, one per everyday role, sharing one random password written to a 0600 file in the data
 * directory (created once; later demos reuse it). A demo only: real deployments start from create-master.
 */
async function demoAccounts(rt: Runtime): Promise<void> {
  const file = join(rt.dataDir, 'demo-accounts.txt');
  const roles = [
    ['demo-investigator', 'investigator'],
    ['demo-officer', 'customs-officer'],
    ['demo-executive', 'executive'],
    ['demo-auditor', 'auditor'],
    ['demo-admin', 'administrator'],
  ] as const;
  if (!existsSync(file)) {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    for (const [name, role] of roles) {
      if (!(await rt.access.accounts.get(name))) {
        await audited(rt.audit, DEMO_CONTEXT, 'account-create', `role=${role}`, () => rt.access.accounts.add({ name, role, password, by: DEMO_CONTEXT.principal, agency: 'demo', displayName: name }), (a) => ({ objectIds: [a.name] }));
      }
    }
    writeFileSync(file, `${roles.map(([n, r]) => `${n}\t${r}`).join('\n')}\npassword\t${password}\n`, { mode: 0o600 });
  }
  process.stdout.write(`Demo accounts (${roles.map(([n]) => n).join(', ')}); password in ${file}:\n${readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('password'))?.split('\t')[1] ?? ''}\n\n`);
}

async function listen(rt: Runtime, host: string, p: number, scheduleReports = true, schedulePurge = true): Promise<void> {
  const app = buildApp(rt);
  const address = await app.listen({ host, port: p });
  // Scheduled reports run as the server's operator, like `reports run-due` from cron would.
  const operator = { ...cliContext(), source: 'scheduler' };
  const scheduler = scheduleReports
    ? reportScheduler({ runDue: (now) => runDue({ store: rt.store, reports: reportStore(rt.control), audit: rt.audit, dataDir: rt.dataDir }, operator, rt.operatorScope, now) })
    : null;
  // The retention periods applied daily, as the server's operator (a CLI purge cannot run beside the server).
  const purging = schedulePurge
    ? purgeSchedule({
        retention: rt.retention,
        purge: (now) =>
          audited(rt.audit, operator, 'purge', 'scheduled', () => purgeExpired({ store: rt.store, control: rt.control, retention: rt.retention }, { asOf: now, principal: operator.principal }), (x) => ({
            rowCount: x.rowsRemoved,
            objectIds: [...(x.purgeId ? [`purge:${x.purgeId}`] : []), ...x.datasets.flatMap((d) => Object.keys(d.batches))],
          })),
      })
    : null;
  const accounts = await rt.access.accounts.list({ status: 'active' });
  const hint = accounts.length ? '' : '\n  No accounts yet: create the first with `parallax users create-master NAME` (another terminal), then sign in.\n';
  process.stdout.write(
    `Parallax is serving ${rt.dataDir}\n  App:     ${address}/  (sign in)\n  API:     ${address}/api/  (session cookie from POST /api/session)\n  OpenAPI: ${address}/api/openapi.json\n${hint}Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await scheduler?.stop();
  await purging?.stop();
  await app.close();
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the web app and the HTTP API (signed-in sessions; loopback by default)')
    .option('--port <n>', 'port', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'data directory')
    .option('--require-purpose', 'every session must state a purpose or case reference at sign-in (recorded on each audit event)')
    .option('--no-report-schedule', 'do not run scheduled reports (by default the server checks every hour and writes due reports to <data>/reports)')
    .option('--no-purge-schedule', 'do not purge expired data daily (by default the server applies the retention periods once a day; see `parallax retention`)')
    .action(
      action(async (o: { port: string; host: string; data?: string; requirePurpose?: boolean; reportSchedule: boolean; purgeSchedule: boolean }) => {
        const rt = await openRuntime({ dataDir: o.data, access: { settings: { requirePurpose: o.requirePurpose ?? false } } });
        try {
          await listen(rt, o.host, port(o.port), o.reportSchedule, o.purgeSchedule);
        } finally {
          await rt.close();
        }
      }),
    );

  program
    .command('generate')
    .description('write realistic synthetic declarations, payments, mirror statistics and labelled anomalies')
    .option('--rows <n>', 'declaration lines', '100000')
    .option('--seed <n>', 'random seed (same seed, same files)', '1')
    .option('--out <dir>', 'output folder', 'data/generated')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { rows: string; seed: string; out: string; json?: boolean }) => {
        const rows = Number(o.rows);
        const seed = Number(o.seed);
        if (!Number.isInteger(rows) || rows < 1) throw new UsageError('--rows takes a whole number of 1 or more');
        if (!Number.isInteger(seed)) throw new UsageError('--seed takes a whole number');
        const r = await generateWithProgress({ rows, seed, outDir: resolve(o.out) }, !!o.json);
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`wrote ${r.outDir}\n${renderTable(['file', 'rows'], Object.entries(r.counts).map(([file, n]) => ({ file, rows: n })))}\n`);
      }),
    );

  program
    .command('demo')
    .description('generate sample data if the data directory is empty, load it, show a summary and serve')
    .option('--rows <n>', 'declaration lines to generate', '200000')
    .option('--port <n>', 'port', '8080')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--data <dir>', 'data directory')
    .option('--no-serve', 'stop after loading and the summary')
    .action(
      action(async (o: { rows: string; port: string; host: string; data?: string; serve: boolean }) => {
        const rt = await openRuntime({ dataDir: o.data });
        try {
          const existing = await rt.registry.list();
          if (!existing.some((b) => b.dataset === 'trade_lines' && b.status === 'committed')) {
            const out = join(rt.dataDir, 'generated');
            if (!existsSync(join(out, 'declarations.csv'))) {
              process.stdout.write(`generating ${Number(o.rows).toLocaleString('en-US')} declaration lines into ${out}\n`);
              await generateWithProgress({ rows: Number(o.rows), seed: 1, outDir: out }, false);
            }
            const deps = { store: rt.store, registry: rt.registry };
            const loads = [
              { file: 'declarations.csv', profile: 'canonical', category: 'trade' },
              { file: 'payments.csv', profile: 'canonical', category: 'financial' },
              { file: 'mirror.csv', profile: 'canonical-mirror', category: 'trade' },
            ];
            for (const l of loads) {
              const r = await audited(rt.audit, DEMO_CONTEXT, 'ingest', `profile=${l.profile} category=${l.category}`, () =>
                ingestFile(deps, join(out, l.file), { profile: l.profile, category: l.category, provider: 'US', loadedBy: DEMO_CONTEXT.principal, progress: terminalProgress() }),
                (x) => ({ rowCount: x.rows_accepted, objectIds: [x.batch_id] }),
              );
              process.stdout.write(`${r.batch_id}  ${l.file}: ${r.rows_accepted.toLocaleString('en-US')} accepted, ${r.rows_rejected} rejected${r.duplicate ? ' (already loaded)' : ''}\n`);
            }
          }
          // The demo watch list (the generator plants some of its names among the traders): load it once, then
          // resolve and screen every party, so party pages, screening and watch-list hits have something to show.
          const scope = localOperatorScope(DEMO_CONTEXT.principal);
          if (!(await listVersions(scopedDb(rt.store, scope))).length) {
            const watchlist = join(rt.dataDir, 'generated', 'watchlist.csv');
            if (existsSync(watchlist)) {
              const v = await audited(rt.audit, DEMO_CONTEXT, 'watchlist-load', 'format=csv files=1', () => loadList({ store: rt.store }, [watchlist], { format: 'csv', loadedBy: DEMO_CONTEXT.principal }), (x) => ({
                rowCount: x.record_count,
                objectIds: [x.version_id],
              }));
              const r = await audited(rt.audit, DEMO_CONTEXT, 'screen-all', 'list=latest full=no', () => resolveAndScreen(rt, scope, {}), (x) => ({
                rowCount: x.screening.lists.reduce((a, l) => a + l.hits_open, 0),
                objectIds: [x.resolution.resolution_id, x.screening.run_id],
              }));
              const hits = r.screening.lists.reduce((a, l) => a + l.hits_open, 0);
              process.stdout.write(`${v.version_id}  watchlist.csv: ${v.record_count} entries; ${r.resolution.parties.toLocaleString('en-US')} parties resolved and screened, ${hits} watch-list hits\n`);
            }
          }
          const db = scopedDb(rt.store, scope);
          const summary = await audited(rt.audit, DEMO_CONTEXT, 'query', 'explore by=field_office', () =>
            explore(db, { by: ['field_office'], measures: ['value_usd', 'lines', 'importers', 'median_unit_price_usd'], limit: 10 }),
            (x) => ({ rowCount: x.rows.length }),
          );
          process.stdout.write(`\nTrade by field office (top 10 of ${summary.total_groups}):\n${renderTable(summary.columns.map((c) => c.id), summary.rows)}\n\n`);
          // The analysis available so far: every registered detector, once per data directory.
          if (!(await latestRunId(db))) {
            const run = await audited(rt.audit, DEMO_CONTEXT, 'analyze', 'demo', () => runAnalysis(rt.store, scope, {}), (r) => ({
              rowCount: r.detectors.reduce((n, d) => n + d.anomalies, 0),
              objectIds: [r.run_id],
            }));
            process.stdout.write(`Analysis ${run.run_id}:\n${renderTable(['id', 'anomalies', 'top_score'], run.detectors)}\n\n`);
          }
          const ranked = await audited(rt.audit, DEMO_CONTEXT, 'view-ranking', 'demo', () => listRanking(db, { limit: 5 }), (r) => ({ rowCount: r.rows.length }));
          process.stdout.write(`Highest-risk lines (of ${ranked.total.toLocaleString('en-US')} with an anomaly):\n${renderTable(['declaration_id', 'line_no', 'score', 'detectors'], ranked.rows)}\n\n`);
          await demoAccounts(rt);
          if (o.serve) await listen(rt, o.host, port(o.port));
        } finally {
          await rt.close();
        }
      }),
    );
}
