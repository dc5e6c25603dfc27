/**
 * evaluate: judge a stored run (default: the latest) against labels, as customs judge targeting: precision
 * and recall at the top 1 / 5 / 10 % of all lines in scope and average precision, per detector and for the
 * combined ranking. A thin shell over src/detect/evaluate.ts.
 *
 * Labels come from a canonical boolean column of the lines (--label fraud|inspected|seized) or from a
 * labels file in the generator's labels.csv format (--labels FILE). Errors name options, files, lines and
 * fields, never values.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { evaluate, LABEL_COLUMNS, readLabelsFile, type LabelColumn, type LabelSource, type MethodMetrics } from '../detect/index.ts';
import { parseWeightFlags, RankingParamError } from '../detect/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const RUN_RE = /^R[0-9]{6,}$/;

const pct = (v: number | null) => (v === null ? '-' : v.toFixed(3));

export function registerEvaluateCommands(program: Command): void {
  program
    .command('evaluate')
    .description('precision / recall at the top 1, 5, 10 % of lines and average precision of a run, per detector and combined')
    .option('--label <column>', `label column of the lines: ${LABEL_COLUMNS.join(', ')}`)
    .option('--labels <file>', 'labels file in the labels.csv format of parallax generate (rows with subject_kind line)')
    .option('--run <id>', 'run id (default: the latest run you can see)')
    .option('--batch <ids>', 'restrict the lines to these batches, comma-separated (e.g. a validation split)')
    .option('--weight <id=w...>', 'unsupervised combined-ranking weight of a detector, 0 to 1 (repeatable; default 1; implies --combination unsupervised)', [])
    .option('--combination <c>', 'the combined ranking judged: auto (default: the trained combination where there is one), unsupervised, or a combination id')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'one JSON object per detector and one for combined')
    .action(
      action(async (o: { label?: string; labels?: string; run?: string; batch?: string; weight: string[]; combination?: string; data?: string; json?: boolean }) => {
        if ((o.label === undefined) === (o.labels === undefined)) throw new UsageError('give exactly one of --label COLUMN or --labels FILE');
        if (o.label !== undefined && !(LABEL_COLUMNS as readonly string[]).includes(o.label)) throw new UsageError(`--label must be one of ${LABEL_COLUMNS.join(', ')}`);
        if (o.run !== undefined && !RUN_RE.test(o.run)) throw new UsageError('--run takes a run id like R000001');
        if (o.combination !== undefined && !/^(auto|unsupervised|C[0-9]{6,})$/.test(o.combination)) throw new UsageError('--combination takes auto, unsupervised or a combination id like C000001');
        let weights: Record<string, number>;
        try {
          weights = parseWeightFlags(o.weight);
        } catch (e) {
          if (e instanceof RankingParamError) throw new UsageError(e.message);
          throw e;
        }
        const labels: LabelSource = o.label !== undefined ? { column: o.label as LabelColumn } : { lines: readLabelsFile(o.labels!) };
        const batches = o.batch ? o.batch.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const detail = `run=${o.run ?? 'latest'} labels=${o.label ? `column:${o.label}` : 'file'} batches=${batches?.length ?? 'all'}`;
          const ev = await audited(rt.audit, CLI_CONTEXT, 'evaluate', detail, async () => {
            try {
              return await evaluate(db, { run: o.run, labels, batches, weights, combination: o.combination });
            } catch (e) {
              if (e instanceof RankingParamError) throw new UsageError(`--combination: ${e.message}`);
              throw e;
            }
          }, (r) => ({
            rowCount: r.methods.length,
            objectIds: r.run_id ? [r.run_id] : [],
          }));
          if (!ev.run_id) throw new UsageError('no analysis run to evaluate yet: run parallax analyze first');
          // A combination worse than one of its parts is a finding about the ranking: said on stderr either way.
          for (const w of ev.warnings) process.stderr.write(`parallax: warning: ${w}\n`);
          if (o.json) return printJsonLines(ev.methods.map((m) => ({ run_id: ev.run_id, ...m })));
          const view = ev.methods.map((m: MethodMetrics) => ({
            detector: m.detector,
            lines: m.lines,
            positives: m.positives,
            scored: m.scored,
            'P@1%': pct(m.precision_at_1pct),
            'R@1%': pct(m.recall_at_1pct),
            'P@5%': pct(m.precision_at_5pct),
            'R@5%': pct(m.recall_at_5pct),
            'P@10%': pct(m.precision_at_10pct),
            'R@10%': pct(m.recall_at_10pct),
            AP: pct(m.average_precision),
          }));
          const how = ev.combination_models.length ? `combined = trained combination ${ev.combination_models.join(', ')}` : 'combined = unsupervised combination';
          process.stdout.write(`run ${ev.run_id} (${how})\n${renderTable(['detector', 'lines', 'positives', 'scored', 'P@1%', 'R@1%', 'P@5%', 'R@5%', 'P@10%', 'R@10%', 'AP'], view)}\n`);
        });
      }),
    );
}
