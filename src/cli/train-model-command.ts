/**
 * analyze --train / --models: train the learned-risk model on labelled lines of some batches, or list stored
 * models. A thin shell over src/detect/train-risk-model.ts; scoring is the `learned-risk` detector of an
 * ordinary `analyze` run.
 *
 * Training parameters come as `--param learned-risk.NAME=VALUE` (folds, smoothing, ridge, iterations) like
 * detector parameters; errors name the parameter, never its value. Training is audited with the batches and
 * the label, and the model id as the object.
 */
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { listRiskModels, readLabelsFile, RiskModelError, trainRiskModel, type RiskModel } from '../detect/index.ts';
import { UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const TRAIN_PARAMS = ['folds', 'smoothing', 'ridge', 'iterations'];

export interface TrainOptions {
  label?: string;
  labels?: string;
  batch?: string;
  feature?: string;
  params: Record<string, Record<string, unknown>>;
  data?: string;
  json?: boolean;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const f3 = (v: number) => v.toFixed(3);

export async function trainModelCommand(o: TrainOptions): Promise<void> {
  if ((o.label === undefined) === (o.labels === undefined)) throw new UsageError('--train needs exactly one of --label COLUMN (fraud, inspected or seized) or --labels FILE');
  const lines = o.labels === undefined ? undefined : readLabelsFile(o.labels);
  const batches = list(o.batch);
  if (!batches?.length) throw new UsageError('--train needs --batch with the training batch ids, comma-separated (see parallax batches)');
  for (const id of Object.keys(o.params)) if (id !== 'learned-risk') throw new UsageError('--train takes only --param learned-risk.NAME=VALUE');
  const tp = o.params['learned-risk'] ?? {};
  for (const name of Object.keys(tp)) if (!TRAIN_PARAMS.includes(name)) throw new UsageError(`--param learned-risk.${name}: not a training parameter (${TRAIN_PARAMS.join(', ')})`);
  const features = list(o.feature);
  await withRuntime(o, async (rt) => {
    const scope = rt.operatorScope;
    const detail = `label=${o.label ?? 'file'} batches=${batches.join(',')} features=${features?.length ?? 'all'} params=${Object.keys(tp).join(',')}`;
    const model = await audited(rt.audit, CLI_CONTEXT, 'train-model', detail, async () => {
      try {
        return await trainRiskModel(rt.store, scope, { ...tp, ...(o.label ? { label: o.label } : {}), batches, ...(features ? { features } : {}) }, lines);
      } catch (e) {
        if (e instanceof RiskModelError) throw new UsageError(`--train: ${e.message}`);
        throw e;
      }
    }, (m) => ({ rowCount: m.metrics.lines, objectIds: [m.model_id] }));
    if (o.json) return printJsonLines([model]);
    printModel(model);
    process.stdout.write(`model ${model.model_id} stored; score other batches with parallax analyze --detector learned-risk\n`);
  });
}

function printModel(m: RiskModel): void {
  const x = m.metrics;
  process.stdout.write(
    `model ${m.model_id} (${m.provider}, label ${m.label}) trained on ${x.lines} lines of ${m.batches.join(',')}: ` +
      `${x.positives} positive (base rate ${f3(x.base_rate)}), ${x.levels} feature levels, ${x.iterations} Newton steps${x.converged ? '' : ' (not converged)'}\n` +
      `out-of-fold on the training lines: P@1% ${f3(x.oof_precision_at_1pct)}  P@5% ${f3(x.oof_precision_at_5pct)}  P@10% ${f3(x.oof_precision_at_10pct)}  AP ${f3(x.oof_average_precision)}  log loss ${f3(x.oof_log_loss)}\n`,
  );
  const coef = Object.entries(m.coefficients)
    .sort((a, b) => b[1] - a[1])
    .map(([feature, c]) => ({ feature, coefficient: c.toFixed(4) }));
  process.stdout.write(`${renderTable(['feature', 'coefficient'], coef)}\n`);
}

export async function listModelsCommand(o: { data?: string; json?: boolean }): Promise<void> {
  await withRuntime(o, async (rt) => {
    const db = scopedDb(rt.store, rt.operatorScope);
    const models = await audited(rt.audit, CLI_CONTEXT, 'view-models', null, () => listRiskModels(db), (r) => ({ rowCount: r.length }));
    if (o.json) return printJsonLines(models);
    if (!models.length) return void process.stdout.write('no models yet: train one with parallax analyze --train --label fraud --batch BATCH_IDS\n');
    const view = models.map((m) => ({
      model_id: m.model_id,
      provider: m.provider,
      label: m.label,
      trained_at: m.trained_at,
      batches: m.batches.join(','),
      lines: m.metrics.lines,
      base_rate: f3(m.base_rate),
      'oof P@5%': f3(m.metrics.oof_precision_at_5pct),
    }));
    process.stdout.write(`${renderTable(['model_id', 'provider', 'label', 'trained_at', 'batches', 'lines', 'base_rate', 'oof P@5%'], view)}\n`);
  });
}
