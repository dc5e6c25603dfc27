// learned-risk on the Korea Customs synthetic declarations: trained on train.csv only (out-of-fold rates),
// scored on valid.csv, judged against valid's `fraud` column (published reference, Jeong et al. 2022,
// Table 3: LightGBM 0.604 at 5 %, XGBoost 0.539, random forest 0.472, logistic regression 0.348). Skips when
// ../shared/data is absent (the files are never copied into the repository).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { evaluate } from './evaluate.ts';
import { runAnalysis } from './run-analysis.ts';
import { trainRiskModel } from './train-risk-model.ts';

const SHARED = resolve('../shared/data/customs/kcs-synthetic');
const present = existsSync(join(SHARED, 'train.csv')) && existsSync(join(SHARED, 'valid.csv'));
const operator = localOperatorScope('tester');

describe.skipIf(!present)(`learned-risk on the Korea Customs synthetic data${present ? '' : ' (absent: skipped)'}`, () => {
  let t: TempRuntime;
  let trainBatch: string;
  let validBatch: string;
  beforeAll(async () => {
    t = await tempRuntime();
    const deps = { store: t.rt.store, registry: t.rt.registry };
    trainBatch = (await ingestFile(deps, join(SHARED, 'train.csv'), { profile: 'kcs', category: 'trade', provider: 'KR', loadedBy: 'test' })).batch_id;
    validBatch = (await ingestFile(deps, join(SHARED, 'valid.csv'), { profile: 'kcs', category: 'trade', provider: 'KR', loadedBy: 'test' })).batch_id;
  }, 300_000);
  afterAll(async () => t?.cleanup());

  it('beats the published LightGBM precision at 5 % on valid, trained on train only', async () => {
    const model = await trainRiskModel(t.rt.store, operator, { label: 'fraud', batches: [trainBatch] });
    expect(model.metrics.converged).toBe(true);
    const run = await runAnalysis(t.rt.store, operator, { detectors: ['learned-risk'], params: { 'learned-risk': { min_lift: 0 } } });
    expect(run.detectors[0]!.anomalies).toBe(8134); // every valid line, value-0 lines included
    const e = await evaluate(scopedDb(t.rt.store, operator), { run: run.run_id, labels: { column: 'fraud' }, batches: [validBatch] });
    const m = e.methods.find((x) => x.detector === 'learned-risk')!;
    console.log(
      `kcs-valid learned-risk ${model.model_id}: P@1% ${m.precision_at_1pct?.toFixed(3)} P@5% ${m.precision_at_5pct?.toFixed(3)} ` +
        `P@10% ${m.precision_at_10pct?.toFixed(3)} AP ${m.average_precision?.toFixed(3)} (out-of-fold train P@5% ${model.metrics.oof_precision_at_5pct.toFixed(3)})`,
    );
    expect(m.lines).toBe(8134);
    expect(m.precision_at_5pct!).toBeGreaterThan(0.604);
    expect(m.precision_at_10pct!).toBeGreaterThan(0.52);
  }, 300_000);
});
