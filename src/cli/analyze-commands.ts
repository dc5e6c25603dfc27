/**
 * analyze: run anomaly detectors over the loaded data, store the run, and show what was found; --runs lists
 * stored runs. A thin shell over src/detect, the same functions the HTTP API calls.
 *
 * Parameter values are never echoed in errors or the audit detail: they become SQL parameters, and error
 * text and logs carry names only.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { compareRuns, DETECTORS, DetectorParamError, latestRunId, listAnomalies, listAnomalyChanges, listRuns, MAX_ANOMALY_PAGE, previousRunId, RUN_CHANGES, runAnalysis, type RunChange } from '../detect/index.ts';
import { listRanking, MAX_RANKING_PAGE, parseWeightFlags, RankingParamError, type RankingPage } from '../detect/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';
import { listModelsCommand, trainModelCommand } from './train-model-command.ts';

const CLI_CONTEXT = cliContext();

/** Nothing to rank: no stored run the caller can see. */
class NoRunError extends UsageError {
  constructor() {
    super('no analysis run to rank yet: run parallax analyze first (see parallax analyze --runs)');
  }
}

/** `ID.NAME=VALUE` pairs to raw parameters per detector; numbers and booleans are typed, zod validates. */
export function parseParamFlags(values: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const v of values) {
    const m = /^([a-z0-9-]+)\.([a-z0-9_]+)=(.*)$/.exec(v);
    if (!m) throw new UsageError('--param takes DETECTOR.NAME=VALUE, e.g. --param price-iqr.k=3');
    const [, id, name, raw] = m as unknown as [string, string, string, string];
    const num = Number(raw);
    (out[id] ??= {})[name] = raw.trim() !== '' && Number.isFinite(num) ? num : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

function paramHelp(): string {
  return DETECTORS.map((d) => {
    const shape = (d.params as unknown as { shape?: Record<string, { description?: string }> }).shape ?? {};
    return `${d.id}: ${Object.entries(shape).map(([k, s]) => `${k} (${s.description ?? ''})`).join('; ')}`;
  }).join('\n');
}

export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze')
    .description('run anomaly detectors over the data you may see and store the run; --runs lists stored runs')
    .option('--detector <ids>', `detectors, comma-separated (default all): ${DETECTORS.map((d) => d.id).join(', ')}`)
    .option('--param <id.name=value...>', 'detector parameter (repeatable), e.g. --param price-iqr.k=0', [])
    .option('--runs', 'list stored analysis runs instead of running')
    .option('--ranking', 'print the combined risk ranking of lines of a stored run instead of running (calibrated detector evidence; the trained combination where analyze --train fitted one)')
    .option('--top <n>', 'with --ranking: only the n highest-ranked lines')
    .option('--run <id>', 'with --ranking: run id (default: the latest run you can see)')
    .option('--weight <id=w...>', 'with --ranking: unsupervised weight of a detector, 0 to 1 (repeatable; default 1; implies --combination unsupervised)', [])
    .option('--combination <c>', 'with --ranking: auto (default: the latest trained combination, else unsupervised), unsupervised, or a combination id like C000001')
    .option('--train', 'train the learned-risk model and the ranking combination on the labelled lines of --batch (see --label, --labels, --feature; --param learned-risk.folds|smoothing|ridge|iterations=V)')
    .option('--no-decisions', "with --train: leave analysts' decisions on anomalies out of the labels")
    .option('--label <column>', 'with --train: label column the model predicts (fraud, inspected, seized)')
    .option('--labels <file>', 'with --train: the positives are the lines of this labels file (labels.csv of parallax generate)')
    .option('--batch <ids>', 'with --train: training batch ids, comma-separated; the model never scores lines of these batches')
    .option('--feature <names>', 'with --train: features, comma-separated (default all)')
    .option('--models', 'list stored learned-risk models and ranking combinations instead of running')
    .option('--since <run>', 'incremental: keep the anomalies of this earlier run where no batch loaded since can change them')
    .option('--compare <run>', 'compare a stored run (--run, default the latest) with this earlier run: new, gone, changed and same anomalies per detector')
    .option('--change <kind>', `with --compare: list the anomalies of one kind of change (${RUN_CHANGES.join(', ')}) instead of the counts`)
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'one JSON object per anomaly (or per run with --runs)')
    .addHelpText('after', `\nParameters and defaults:\n${paramHelp()}\n`)
    .action(
      action(async (o: { detector?: string; param: string[]; runs?: boolean; ranking?: boolean; train?: boolean; models?: boolean; since?: string; compare?: string; change?: string; label?: string; labels?: string; batch?: string; feature?: string; top?: string; run?: string; weight: string[]; combination?: string; decisions?: boolean; data?: string; json?: boolean }) => {
        if (o.ranking) return printRanking(o);
        if (o.compare !== undefined) return printComparison({ ...o, compare: o.compare });
        if (o.change !== undefined) throw new UsageError('--change goes with --compare RUN');
        if (o.models) return listModelsCommand(o);
        if (o.train) return trainModelCommand({ ...o, params: parseParamFlags(o.param) });
        const params = parseParamFlags(o.param);
        const detectors = o.detector ? o.detector.split(',').map((s) => s.trim()).filter(Boolean) : [];
        await withRuntime(o, async (rt) => {
          const scope = rt.operatorScope;
          const db = scopedDb(rt.store, scope);
          if (o.runs) {
            const runs = await audited(rt.audit, CLI_CONTEXT, 'view-runs', null, () => listRuns(db), (r) => ({ rowCount: r.length }));
            if (o.json) return printJsonLines(runs);
            if (!runs.length) return void process.stdout.write('no analysis runs yet: run parallax analyze\n');
            const view = runs.map((r) => ({ ...r, detectors: r.detectors.join(','), batches: Object.values(r.data_version).flat().length }));
            return void process.stdout.write(`${renderTable(['run_id', 'started_at', 'principal', 'detectors', 'batches', 'anomalies'], view)}\n`);
          }
          const detail = `detectors=${detectors.join(',') || 'all'} params=${Object.entries(params).flatMap(([id, p]) => Object.keys(p).map((k) => `${id}.${k}`)).join(',')}${o.since ? ` since=${o.since}` : ''}`;
          const run = await audited(rt.audit, CLI_CONTEXT, 'analyze', detail, async () => {
            try {
              if (o.since !== undefined && !/^R[0-9]{6,}$/.test(o.since)) throw new UsageError('--since takes a run id like R000001');
              return await runAnalysis(rt.store, scope, { detectors, params, since: o.since });
            } catch (e) {
              if (e instanceof DetectorParamError) throw new UsageError(`--param / --detector: ${e.message}`);
              throw e;
            }
          }, (r) => ({ rowCount: r.detectors.reduce((s, d) => s + d.anomalies, 0), objectIds: [r.run_id] }));
          if (o.json) {
            for (let offset = 0; ; offset += MAX_ANOMALY_PAGE) {
              const page = await listAnomalies(db, { run: run.run_id, limit: MAX_ANOMALY_PAGE, offset });
              printJsonLines(page.rows);
              if (page.next_offset === null) break;
            }
            return;
          }
          const view = run.detectors.map((d) => ({ detector: d.id, version: d.version, params: d.params, anomalies: d.anomalies, top_score: d.top_score, mode: d.mode, reused: d.reused, seconds: d.seconds }));
          const head = ['detector', 'version', 'params', 'anomalies', 'top_score', ...(o.since ? ['mode', 'reused'] : []), 'seconds'];
          process.stdout.write(`${renderTable(head, view)}\n`);
          process.stdout.write(`run ${run.run_id} stored; see the anomalies with parallax analyze --json, or GET /api/anomalies?run=${run.run_id}\n`);
          // What an analyst coming back wants first: what this run found that the one before did not.
          const prev = await previousRunId(db, run.run_id);
          if (prev) {
            const c = await compareRuns(db, prev, run.run_id);
            process.stdout.write(
              `against ${prev}: ${c.totals.new} new, ${c.totals.gone} gone, ${c.totals.changed} changed in score; ` +
                `parallax analyze --compare ${prev} --run ${run.run_id} [--change new] for the details\n`,
            );
          }
        });
      }),
    );
}

/** `analyze --compare R [--run R2] [--change KIND]`: counts per detector, or the anomalies of one kind of change. */
async function printComparison(o: { compare: string; run?: string; change?: string; detector?: string; data?: string; json?: boolean }): Promise<void> {
  for (const [flag, v] of [['--compare', o.compare], ['--run', o.run]] as const) {
    if (v !== undefined && !/^R[0-9]{6,}$/.test(v)) throw new UsageError(`${flag} takes a run id like R000001`);
  }
  if (o.change !== undefined && !(RUN_CHANGES as readonly string[]).includes(o.change)) throw new UsageError(`--change takes one of ${RUN_CHANGES.join(', ')}`);
  const change = o.change as RunChange | undefined;
  await withRuntime(o, async (rt) => {
    const db = scopedDb(rt.store, rt.operatorScope);
    const run = o.run ?? (await latestRunId(db));
    if (!run) return void process.stdout.write('no analysis runs yet: run parallax analyze\n');
    if (change) {
      const detector = o.detector;
      let total = 0;
      const rows = [];
      for (let offset = 0; ; offset += MAX_ANOMALY_PAGE) {
        const page = await audited(rt.audit, CLI_CONTEXT, 'view-anomalies', `run=${run} change=${change} against=${o.compare}`, () =>
          listAnomalyChanges(db, { run, against: o.compare, change, detector, limit: MAX_ANOMALY_PAGE, offset }),
          (r) => ({ rowCount: r.rows.length, objectIds: r.rows.slice(0, 1000).map((x) => x.anomaly_id) }),
        );
        total = page.total;
        if (o.json) printJsonLines(page.rows);
        else rows.push(...page.rows);
        if (page.next_offset === null) break;
      }
      if (o.json) return;
      const listed = change === 'gone' ? o.compare : run;
      process.stdout.write(`${total} anomalies ${change === 'gone' ? `of ${listed} gone in ${run}` : `${change} in ${run} against ${o.compare}`}\n`);
      process.stdout.write(`${renderTable(['anomaly_id', 'detector', 'score', 'reason'], rows.map((a) => ({ anomaly_id: a.anomaly_id, detector: a.detector, score: a.score, reason: a.reason })))}\n`);
      return;
    }
    const c = await audited(rt.audit, CLI_CONTEXT, 'compare-runs', null, () => compareRuns(db, o.compare, run), (r) => ({ rowCount: r.detectors.length, objectIds: [r.base, r.run] }));
    if (o.json) return printJsonLines([c]);
    const added = Object.entries(c.batches_added).map(([p, b]) => `${p}: ${b.join(', ')}`).join('; ') || 'none';
    process.stdout.write(`${c.run} (${c.run_started_at.slice(0, 16)}) against ${c.base} (${c.base_started_at.slice(0, 16)}); batches added: ${added}\n`);
    const view = c.detectors.map((d) => ({ ...d, note: !d.in_base ? `not in ${c.base}` : !d.in_run ? `not in ${c.run}` : d.settings_changed ? 'settings differ' : '' }));
    process.stdout.write(`${renderTable(['detector', 'base', 'run', 'new', 'gone', 'changed', 'same', 'note'], [...view, { detector: 'total', ...c.totals, note: '' }])}\n`);
  });
}

/**
 * `analyze --ranking`: a stored run's combined ranking, highest first, paged through so memory stays flat.
 * Without a run to rank it says so on stderr and exits non-zero (a script must not read silence as "nothing
 * anomalous").
 */
async function printRanking(o: { top?: string; run?: string; weight: string[]; combination?: string; data?: string; json?: boolean }): Promise<void> {
  const top = o.top === undefined ? Infinity : Number(o.top);
  if (o.top !== undefined && (!/^[0-9]+$/.test(o.top) || top < 1)) throw new UsageError('--top takes a whole number of lines, at least 1');
  if (o.run !== undefined && !/^R[0-9]{6,}$/.test(o.run)) throw new UsageError('--run takes a run id like R000001');
  if (o.combination !== undefined && !/^(auto|unsupervised|C[0-9]{6,})$/.test(o.combination)) throw new UsageError('--combination takes auto, unsupervised or a combination id like C000001');
  if (o.combination !== undefined && o.combination !== 'unsupervised' && o.weight.length) throw new UsageError('--weight sets unsupervised weights: use it without --combination or with --combination unsupervised');
  let weights: Record<string, number>;
  try {
    weights = parseWeightFlags(o.weight);
  } catch (e) {
    if (e instanceof RankingParamError) throw new UsageError(e.message);
    throw e;
  }
  await withRuntime(o, async (rt) => {
    const db = scopedDb(rt.store, rt.operatorScope);
    const rows = [];
    let runId: string | null = null;
    let combination: RankingPage['combination'] = { method: 'unsupervised', models: [] };
    for (let offset = 0; offset < top; offset += MAX_RANKING_PAGE) {
      const limit = Math.min(MAX_RANKING_PAGE, top - offset);
      const page = await audited(rt.audit, CLI_CONTEXT, 'view-ranking', `run=${o.run ?? 'latest'} combination=${o.combination ?? 'auto'}`, async () => {
        try {
          return await listRanking(db, { run: o.run, limit, offset, weights, combination: o.combination });
        } catch (e) {
          if (e instanceof RankingParamError) throw new UsageError(`--combination: ${e.message}`);
          throw e;
        }
      }, (r) => ({
        rowCount: r.rows.length,
        objectIds: r.run_id ? [r.run_id] : [],
      }));
      if (!page.run_id) throw new NoRunError();
      runId = page.run_id;
      combination = page.combination;
      if (o.json) printJsonLines(page.rows.map((r) => ({ declaration_id: r.declaration_id, line_no: r.line_no, row_id: r.row_id, score: r.score, detectors: r.detectors })));
      else rows.push(...page.rows);
      if (page.next_offset === null) break;
    }
    if (o.json) return;
    const how = combination.method === 'trained' ? `trained combination ${combination.models.join(', ')}` : 'unsupervised combination';
    process.stdout.write(`run ${runId} (${how})\n${renderTable(['declaration_id', 'line_no', 'score', 'detectors'], rows.map((r) => ({ ...r, detectors: r.detectors.join(',') })))}\n`);
  });
}
