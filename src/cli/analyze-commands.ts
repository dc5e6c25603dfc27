/**
 * analyze: run anomaly detectors over the loaded data, store the run, and show what was found; --runs lists
 * stored runs. A thin shell over src/detect, the same functions the HTTP API calls.
 *
 * Parameter values are never echoed in errors or the audit detail: they become SQL parameters, and error
 * text and logs carry names only.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { DETECTORS, DetectorParamError, listAnomalies, listRuns, MAX_ANOMALY_PAGE, runAnalysis } from '../detect/index.ts';
import { action, UsageError, withRuntime } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = { principal: process.env['USER'] ?? 'local-operator', source: 'cli' };

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
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'one JSON object per anomaly (or per run with --runs)')
    .addHelpText('after', `\nParameters and defaults:\n${paramHelp()}\n`)
    .action(
      action(async (o: { detector?: string; param: string[]; runs?: boolean; data?: string; json?: boolean }) => {
        const params = parseParamFlags(o.param);
        const detectors = o.detector ? o.detector.split(',').map((s) => s.trim()).filter(Boolean) : [];
        await withRuntime(o, async (rt) => {
          const scope = localOperatorScope(CLI_CONTEXT.principal);
          const db = scopedDb(rt.store, scope);
          if (o.runs) {
            const runs = await audited(rt.audit, CLI_CONTEXT, 'view-runs', null, () => listRuns(db), (r) => ({ rowCount: r.length }));
            if (o.json) return printJsonLines(runs);
            if (!runs.length) return void process.stdout.write('no analysis runs yet: run parallax analyze\n');
            const view = runs.map((r) => ({ ...r, detectors: r.detectors.join(','), batches: Object.values(r.data_version).flat().length }));
            return void process.stdout.write(`${renderTable(['run_id', 'started_at', 'principal', 'detectors', 'batches', 'anomalies'], view)}\n`);
          }
          const detail = `detectors=${detectors.join(',') || 'all'} params=${Object.entries(params).flatMap(([id, p]) => Object.keys(p).map((k) => `${id}.${k}`)).join(',')}`;
          const run = await audited(rt.audit, CLI_CONTEXT, 'analyze', detail, async () => {
            try {
              return await runAnalysis(rt.store, scope, { detectors, params });
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
          const view = run.detectors.map((d) => ({ detector: d.id, version: d.version, params: d.params, anomalies: d.anomalies, top_score: d.top_score }));
          process.stdout.write(`${renderTable(['detector', 'version', 'params', 'anomalies', 'top_score'], view)}\n`);
          process.stdout.write(`run ${run.run_id} stored; see the anomalies with parallax analyze --json, or GET /api/anomalies?run=${run.run_id}\n`);
        });
      }),
    );
}
