// routing, party-surge and party-new-line on generated data (30,000 rows, seed 7): recall of the
// generator's labels of each kind, and how many flags name no label of that kind. Clean generated trade
// also holds genuine rare routes and parties that branch out, so unlabelled flags are bounded loosely and
// reported, not required to be zero.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../generate/index.ts';
import { sqlString } from '../generate/sql-literal.ts';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams, type Detector } from './detector.ts';
import { partyNewLine } from './party-new-line.ts';
import { partySurge } from './party-surge.ts';
import { routing } from './routing.ts';

let t: TempRuntime;
let labels: { anomaly: string; subject_kind: string; declaration_id: string | null; line_no: string | null; party_id: string | null; period: string | null }[];

beforeAll(async () => {
  t = await tempRuntime();
  const gen = await generateDataset({ rows: 30_000, seed: 7, outDir: join(t.dir, 'gen') });
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, gen.files.declarations, {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
  // The labels file is test input, read with a throw-away engine (not the store).
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT anomaly, subject_kind, declaration_id, line_no, party_id, period
    FROM read_csv(${sqlString(gen.files.labels)}, header = true, all_varchar = true)`);
  labels = r.getRowObjectsJson() as typeof labels;
  c.closeSync();
  inst.closeSync();
}, 300_000);
afterAll(async () => t?.cleanup());

async function flags(d: Detector) {
  const rows = (await d.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(d, {})).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

/** Recall of one label kind and the share of flagged subjects that carry no label of that kind. */
function measure(anomaly: string, flagged: string[], labelKey: (l: (typeof labels)[number]) => string) {
  const want = new Set(labels.filter((l) => l.anomaly === anomaly).map(labelKey));
  const got = new Set(flagged);
  const hit = [...want].filter((k) => got.has(k)).length;
  const unlabelled = [...got].filter((k) => !want.has(k)).length;
  return { labelled: want.size, recall: want.size ? hit / want.size : 1, flagged: got.size, unlabelled, unlabelled_share: got.size ? unlabelled / got.size : 0 };
}

const lineKey = (l: { declaration_id: string | null; line_no: string | number | null }) => `${l.declaration_id}|${Number(l.line_no)}`;

describe('routing and party detectors on generated data (30,000 rows, seed 7)', () => {
  it('routing recalls the labelled transshipments', async () => {
    const rows = await flags(routing);
    const m = measure('routing', rows.map((r) => lineKey(r as any)), lineKey);
    console.info(`routing: ${JSON.stringify(m)}; entrepot-marked ${rows.filter((r) => r.evidence.entrepot).length}`);
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.unlabelled_share).toBeLessThanOrEqual(0.8);
  });

  it('party-surge recalls the labelled party-months', async () => {
    const rows = await flags(partySurge);
    const m = measure('party-surge', rows.filter((r) => r.evidence.flow === 'import').map((r) => `${r.evidence.party}|${r.evidence.month}`), (l) => `${l.party_id}|${l.period}`);
    console.info(`party-surge: ${JSON.stringify(m)}; export flags ${rows.filter((r) => r.evidence.flow === 'export').length}`);
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    // Clean generated monthly values are heavy-tailed (one big shipment can be 10x a quiet median), and the
    // generator labels only a handful of surges, so most flags are unlabelled but meet the spec's rule; bound
    // them by volume instead (measured at seed 7: 23 import + 20 export flags for 30,000 lines).
    expect(m.unlabelled + rows.filter((r) => r.evidence.flow === 'export').length).toBeLessThanOrEqual(90);
  });

  it('party-new-line recalls the labelled lines', async () => {
    const rows = await flags(partyNewLine);
    const m = measure('party-new-line', rows.map((r) => lineKey(r as any)), lineKey);
    console.info(`party-new-line: ${JSON.stringify(m)}`);
    expect(m.labelled).toBeGreaterThan(0);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.unlabelled_share).toBeLessThanOrEqual(0.8);
  });
});
