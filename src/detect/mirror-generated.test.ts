// mirror-gap and mirror-quantity on generated data: the generator distorts the partner's export report of
// large US import cells by 40-75 % (value for mirror-gap, quantity for mirror-quantity) and labels them;
// clean cells differ by at most 3 % noise. Recall of the labels must be >= 0.9 with few unlabelled flags.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, type GenerateResult } from '../generate/index.ts';
import { sqlString } from '../generate/sql-literal.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams, type Detector } from './detector.ts';
import { mirrorGap } from './mirror-gap.ts';
import { mirrorQuantity } from './mirror-quantity.ts';

let t: TempRuntime;
let gen: GenerateResult;
let labels: { anomaly: string; key: string }[];

beforeAll(async () => {
  t = await tempRuntime();
  gen = await generateDataset({ rows: 30_000, seed: 7, outDir: join(t.dir, 'gen') });
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, gen.files.mirror, {
    profile: 'canonical-mirror', category: 'trade', provider: 'US', loadedBy: 'test',
  });
  // The labels file is test input, read with a throw-away engine (not the store).
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT anomaly, partner || '|' || hs || '|' || period AS key
    FROM read_csv(${sqlString(gen.files.labels)}, header = true, all_varchar = true) WHERE subject_kind = 'mirror'`);
  labels = r.getRowObjectsJson() as { anomaly: string; key: string }[];
  c.closeSync();
  inst.closeSync();
}, 300_000);
afterAll(async () => t?.cleanup());

async function flags(d: Detector, params: Record<string, unknown> = {}) {
  const rows = (await d.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(d, params)).execute()) as Record<string, any>[];
  return rows.map((r) => JSON.parse(r['evidence']) as Record<string, any>);
}

/** Recall of one label kind and the flags that match no label of that kind (US import pairs are labelled). */
function measure(evs: Record<string, any>[], anomaly: string) {
  const want = new Set(labels.filter((l) => l.anomaly === anomaly).map((l) => l.key));
  const got = new Set(evs.filter((e) => e.pair.importer === 'US').map((e) => `${e.pair.exporter}|${e.pair.hs}|${e.pair.period}`));
  const hit = [...want].filter((k) => got.has(k)).length;
  const unlabelled = evs.filter((e) => !(e.pair.importer === 'US' && want.has(`${e.pair.exporter}|${e.pair.hs}|${e.pair.period}`))).length;
  return { labelled: want.size, recall: want.size ? hit / want.size : 1, flags: evs.length, unlabelled };
}

describe('mirror detectors on generated data (30,000 rows, seed 7)', () => {
  it('mirror-gap recalls the labelled value gaps, with few unlabelled flags and no orphans', async () => {
    const evs = await flags(mirrorGap);
    const m = measure(evs, 'mirror-gap');
    console.info(`mirror-gap: ${JSON.stringify(m)}`);
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
    expect(m.unlabelled).toBeLessThanOrEqual(Math.max(2, 0.1 * m.flags));
    expect(evs.filter((e) => e['orphan']).length).toBe(0); // the generator writes both sides of every cell
  });

  it('mirror-quantity recalls the labelled quantity gaps; its reverse flags are the labelled value gaps', async () => {
    const evs = await flags(mirrorQuantity);
    const q = measure(evs.filter((e) => e['kind'] === 'quantity'), 'mirror-quantity');
    const v = measure(evs.filter((e) => e['kind'] === 'value'), 'mirror-gap');
    console.info(`mirror-quantity (quantity): ${JSON.stringify(q)}; reverse (value): ${JSON.stringify(v)}`);
    expect(q.labelled).toBeGreaterThan(0);
    expect(q.recall).toBeGreaterThanOrEqual(0.9);
    expect(q.unlabelled).toBeLessThanOrEqual(Math.max(2, 0.1 * q.flags));
    expect(v.unlabelled).toBeLessThanOrEqual(Math.max(2, 0.1 * v.flags));
  });
});
