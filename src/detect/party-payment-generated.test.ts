// benford, round-values and payment-mismatch on generated data (30,000 rows, seed 7): recall of the
// generator's labels (party-level for benford and round-values, payment-level for payment-mismatch) must be
// >= 0.8; the share of flagged subjects without a label is reported and held to a loose bound.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, type GenerateResult } from '../generate/index.ts';
import { sqlString } from '../generate/sql-literal.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { benford } from './benford.ts';
import { parseParams, type Detector } from './detector.ts';
import { paymentMismatch } from './payment-mismatch.ts';
import { roundValues } from './round-values.ts';

let t: TempRuntime;
let gen: GenerateResult;
let labels: { anomaly: string; party_id: string | null; hs: string | null; payment_id: string | null }[];

beforeAll(async () => {
  t = await tempRuntime();
  gen = await generateDataset({ rows: 30_000, seed: 7, outDir: join(t.dir, 'gen') });
  const deps = { store: t.rt.store, registry: t.rt.registry };
  await ingestFile(deps, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await ingestFile(deps, gen.files.payments, { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  // The labels file is test input, read with a throw-away engine (not the store).
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT anomaly, party_id, hs, payment_id
    FROM read_csv(${sqlString(gen.files.labels)}, header = true, all_varchar = true)
    WHERE anomaly IN ('benford', 'round-values', 'payment-mismatch')`);
  labels = r.getRowObjectsJson() as typeof labels;
  c.closeSync();
  inst.closeSync();
}, 300_000);
afterAll(async () => t?.cleanup());

async function flags(d: Detector) {
  const rows = (await d.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(d, {})).execute()) as Record<string, any>[];
  return rows.map((r) => JSON.parse(r['evidence']) as Record<string, any>);
}

function measure(name: string, want: Set<string>, got: Set<string>) {
  const hit = [...want].filter((k) => got.has(k)).length;
  const unlabelled = [...got].filter((k) => !want.has(k)).length;
  const m = { labelled: want.size, flags: got.size, recall: want.size ? hit / want.size : 1, unlabelled, unlabelled_share: got.size ? unlabelled / got.size : 0 };
  console.info(`${name}: ${JSON.stringify(m)}`);
  return m;
}

describe('party and payment detectors on generated data (30,000 rows, seed 7)', () => {
  it('benford recalls the labelled parties', async () => {
    const evs = (await flags(benford)).filter((e) => e['role'] === 'importer');
    const m = measure('benford', new Set(labels.filter((l) => l.anomaly === 'benford').map((l) => l.party_id!)), new Set(evs.map((e) => e['party'])));
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.unlabelled_share).toBeLessThanOrEqual(0.5);
  });

  it('round-values recalls the labelled party x hs6 groups', async () => {
    const evs = (await flags(roundValues)).filter((e) => e['role'] === 'importer');
    const m = measure('round-values', new Set(labels.filter((l) => l.anomaly === 'round-values').map((l) => `${l.party_id}|${l.hs}`)), new Set(evs.map((e) => `${e['party']}|${e['hs6']}`)));
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.unlabelled_share).toBeLessThanOrEqual(0.5);
  });

  it('payment-mismatch recalls the labelled payments', async () => {
    const evs = await flags(paymentMismatch);
    const m = measure('payment-mismatch', new Set(labels.filter((l) => l.anomaly === 'payment-mismatch').map((l) => l.payment_id!)), new Set(evs.map((e) => e['payment_id'])));
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.unlabelled_share).toBeLessThanOrEqual(0.5);
  });
});
