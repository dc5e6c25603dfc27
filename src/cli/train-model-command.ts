/**
 * analyze --train / --models: train the learned-risk model and the ranking combination stacked on it on
 * labelled lines of some batches, or list stored models and combinations. A thin shell over
 * src/detect/train-ranking.ts; scoring is the `learned-risk` detector and the default ranking of an ordinary
 * `analyze` run.
 *
 * Labels: a label column (--label), a labels file (--labels), and analysts' decisions on anomalies
 * (confirmed / false positive, `parallax decide`), which override the column or file on the lines they name
 * and train alone when neither is given; --no-decisions leaves them out.
 *
 * Training parameters come as `--param learned-risk.NAME=VALUE` (folds, smoothing, ridge, iterations) like
 * detector parameters; errors name the parameter, never its value. Training is audited with the batches and
 * the label, and the model id as the object.
 */
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { listRankingModels, listRiskModels, readLabelsFile, RiskModelError, STACKED, trainRanking, type RankingModel, type RiskModel } from '../detect/index.ts';
import { decisionLabels, decisionStore } from '../decisions/index.ts';
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
  /** false with --no-decisions. */
  decisions?: boolean;
  data?: string;
  json?: boolean;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const f3 = (v: number) => v.toFixed(3);

export async function trainModelCommand(o: TrainOptions): Promise<void> {
  if (o.label !== undefined && o.labels !== undefined) throw new UsageError('--train takes one of --label COLUMN (fraud, inspected or seized) or --labels FILE, not both');
  const file = o.labels === undefined ? undefined : readLabelsFile(o.labels);
  const batches = list(o.batch);
  if (!batches?.length) throw new UsageError('--train needs --batch with the training batch ids, comma-separated (see parallax batches)');
  for (const id of Object.keys(o.params)) if (id !== 'learned-risk') throw new UsageError('--train takes only --param learned-risk.NAME=VALUE');
  const tp = o.params['learned-risk'] ?? {};
  for (const name of Object.keys(tp)) if (!TRAIN_PARAMS.includes(name)) throw new UsageError(`--param learned-risk.${name}: not a training parameter (${TRAIN_PARAMS.join(', ')})`);
  const features = list(o.feature);
  await withRuntime(o, async (rt) => {
    const scope = rt.operatorScope;
    const decided = o.decisions === false ? { lines: [], provenance: undefined } : await decisionLabels(decisionStore(rt.control), scopedDb(rt.store, scope));
    if (o.label === undefined && file === undefined && !decided.lines.length) {
      throw new UsageError('--train needs labels: --label COLUMN (fraud, inspected or seized), --labels FILE, or analysts\' decisions on anomalies (parallax decide --anomaly ID --decision confirmed|false_positive)');
    }
    const detail = `label=${o.label ?? (file ? 'file' : 'decisions')} decisions=${decided.lines.length} batches=${batches.join(',')} features=${features?.length ?? 'all'} params=${Object.keys(tp).join(',')}`;
    const r = await audited(rt.audit, CLI_CONTEXT, 'train-model', detail, async () => {
      try {
        return await trainRanking(rt.store, scope, { ...tp, ...(o.label ? { label: o.label } : {}), batches, ...(features ? { features } : {}) }, { file, decided: decided.lines }, decided.provenance);
      } catch (e) {
        if (e instanceof RiskModelError) throw new UsageError(`--train: ${e.message}`);
        throw e;
      }
    }, (m) => ({ rowCount: m.risk.metrics.lines, objectIds: [m.risk.model_id, m.ranking.model_id, m.run.run_id] }));
    if (o.json) return printJsonLines([{ ...r.risk, ranking: r.ranking }]);
    printModel(r.risk);
    printCombination(r.ranking);
    process.stdout.write(
      `model ${r.risk.model_id} and combination ${r.ranking.model_id} stored (evidence of run ${r.run.run_id}); ` +
        `run parallax analyze to score other batches: the default ranking uses the combination\n`,
    );
  });
}

function printCombination(m: RankingModel): void {
  const x = m.metrics;
  const d = m.params.decisions;
  process.stdout.write(
    `combination ${m.model_id}: ${m.chosen === STACKED ? 'stacked over every family' : `${m.chosen} alone (it beat the stacked combination out of fold)`}, ` +
      `intercept ${f3(m.intercept)}, fitted on ${x.lines} lines (${x.positives} positive)${d ? `; labels from ${d.decision_ids.length} analyst decisions (${d.confirmed} confirmed, ${d.false_positive} false positive, ${d.from?.slice(0, 10)} to ${d.to?.slice(0, 10)})` : ''}\n`,
  );
  const view = Object.entries(x.oof).map(([candidate, c]) => ({
    candidate,
    weight: candidate === STACKED ? '' : m.weights[candidate] === undefined ? '0' : f3(m.weights[candidate]!),
    fired: candidate === STACKED ? '' : String(x.fired[candidate] ?? 0),
    'oof P@1%': f3(c.precision_at_1pct),
    'oof P@5%': f3(c.precision_at_5pct),
    'oof P@10%': f3(c.precision_at_10pct),
    'oof AP': f3(c.average_precision),
  }));
  process.stdout.write(`${renderTable(['candidate', 'weight', 'fired', 'oof P@1%', 'oof P@5%', 'oof P@10%', 'oof AP'], view)}\n`);
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
    const [models, combos] = await audited(rt.audit, CLI_CONTEXT, 'view-models', null, () => Promise.all([listRiskModels(db), listRankingModels(db)]), (r) => ({ rowCount: r[0].length + r[1].length }));
    if (o.json) return printJsonLines([...models, ...combos.map((c) => ({ combination: c }))]);
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
    if (combos.length) {
      const cv = combos.map((c) => ({
        combination: c.model_id,
        provider: c.provider,
        model: c.risk_model_id,
        run: c.run_id,
        chosen: c.chosen,
        weights: Object.entries(c.weights).map(([f, w]) => `${f}=${f3(w)}`).join(' '),
        'oof P@5%': f3(c.metrics.oof[c.chosen]?.precision_at_5pct ?? 0),
      }));
      process.stdout.write(`${renderTable(['combination', 'provider', 'model', 'run', 'chosen', 'weights', 'oof P@5%'], cv)}\n`);
    }
  });
}
