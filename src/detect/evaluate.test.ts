// Hand-computed ranking and metrics on 20 lines with stored anomalies of two made-up detectors, so every
// number below can be checked with pencil and paper (see the comments), plus labels-file errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { InputError } from '../ingest/input-error.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { evaluate, readLabelsFile } from './evaluate.ts';
import { listRanking, parseWeightFlags, RankingParamError } from './ranking.ts';

let t: TempRuntime;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const db = () => scopedDb(t.rt.store, localOperatorScope('tester'));
const POSITIVES = [0, 3, 7];
// det-a: line 5 (clean) 95, line 0: 90, line 1: 80, line 2: 70, line 3: 60. det-b: line 7: 100, lines 1 and 3: 50.
const SCORES: [string, number, number][] = [
  ['det-a', 5, 95], ['det-a', 0, 90], ['det-a', 1, 80], ['det-a', 2, 70], ['det-a', 3, 60],
  ['det-b', 7, 100], ['det-b', 1, 50], ['det-b', 3, 50],
];

beforeAll(async () => {
  t = await tempRuntime();
  const lines = Array.from({ length: 20 }, (_, i) => canonicalLine({ declaration_id: `IM${String(i).padStart(2, '0')}`, fraud: POSITIVES.includes(i) ? 1 : 0 }));
  const f = t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`);
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, f, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await t.rt.store.withWriteConnection(async (c) => {
    // Row ids follow file order (checked below), which the tie-break by row id relies on.
    const ids = (await c.runAndReadAll('SELECT row_id::VARCHAR FROM trade_lines ORDER BY declaration_id')).getRows().map((r) => String(r[0]));
    expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(ids);
    await c.run(`INSERT INTO analysis_runs (run_id, run_seq, provider, started_at, finished_at, detectors, params, data_version, principal, anomaly_count, lines)
      VALUES ('R000001', 1, 'US', current_timestamp::TIMESTAMP, current_timestamp::TIMESTAMP, ['det-a','det-b'], '{}', '[]', 'tester', 8, 20)`);
    for (const [d, i, s] of SCORES) {
      await c.run(
        `INSERT INTO anomalies (run_id, anomaly_id, detector, detector_version, params, provider, subject_kind, declaration_id, line_no, row_id, score, reason, evidence, row_ids) VALUES ('R000001', $1, $2, '1', '{}', 'US', 'line', $3, 1, $4::BIGINT, $5, 'test', '{}', [$4::BIGINT])`,
        [`R000001.${d}.${i}`, d, `IM${String(i).padStart(2, '0')}`, ids[i]!, s],
      );
    }
  });
}, 60_000);
afterAll(async () => t.cleanup());

describe('combined ranking (calibrated tails)', () => {
  it('replaces each score by its tail in the run, e = ln(N / r), and scores 100·(1 − e^{−Σ e})', async () => {
    const page = await listRanking(db(), {});
    expect(page.total).toBe(6);
    expect(page.combination).toEqual({ method: 'unsupervised', models: [] });
    // N = 20. det-a ranks lines 5, 0, 1, 2, 3 first to fifth; det-b line 7 first, lines 1 and 3 tie at 50 (r = 3).
    // Tails multiply: line 1 = 1 − (3/20)·(3/20) = 97.75; line 3 = 1 − (5/20)·(3/20) = 96.25;
    // lines 5 and 7 = 1 − 1/20 = 95 (a tie, by row id); line 0 = 1 − 2/20 = 90; line 2 = 1 − 4/20 = 80.
    expect(page.rows.map((r) => [r.declaration_id, r.score, r.detectors.join('+')])).toEqual([
      ['IM01', 97.75, 'det-a+det-b'], ['IM03', 96.25, 'det-a+det-b'], ['IM05', 95, 'det-a'],
      ['IM07', 95, 'det-b'], ['IM00', 90, 'det-a'], ['IM02', 80, 'det-a'],
    ]);
    expect(page.rows[0]).toMatchObject({ line_no: 1, row_id: expect.stringMatching(/^\d+$/) });
    // Weights scale a detector's evidence: w_b = 0.5 → line 1 = 1 − 0.15·0.15^0.5, line 3 = 1 − 0.25·0.15^0.5,
    // line 7 = 1 − 0.05^0.5.
    const w = await listRanking(db(), { weights: { 'det-a': 1, 'det-b': 0.5 }, limit: 2, offset: 0 });
    expect(w.rows.map((r) => [r.declaration_id, r.score])).toEqual([['IM05', 95], ['IM01', round4(100 * (1 - 0.15 * Math.sqrt(0.15)))]]);
    const p2 = await listRanking(db(), { weights: { 'det-a': 1, 'det-b': 0.5 }, limit: 2, offset: 2 });
    expect(p2.rows.map((r) => [r.declaration_id, r.score])).toEqual([['IM03', round4(100 * (1 - 0.25 * Math.sqrt(0.15)))], ['IM00', 90]]);
    expect(p2).toMatchObject({ total: 6, truncated: true, next_offset: 4 });
    // Weight 0 removes a detector: det-b's line 7 leaves the ranking.
    expect((await listRanking(db(), { weights: { 'det-b': 0 } })).rows.map((r) => r.declaration_id)).toEqual(['IM05', 'IM00', 'IM01', 'IM02', 'IM03']);
  });

  it('parses --weight flags and names the detector, not the value', () => {
    expect(parseWeightFlags(['det-a=0.5', 'det-b=1'])).toEqual({ 'det-a': 0.5, 'det-b': 1 });
    expect(() => parseWeightFlags(['det-a=7'])).toThrow(RankingParamError);
    expect(() => parseWeightFlags(['det-a=x9'])).toThrow(/weight of det-a/);
    expect(() => parseWeightFlags(['nope'])).toThrow(/DETECTOR=W/);
  });
});

describe('evaluate', () => {
  // N = 20, positives {0, 3, 7}; k(1 %) = k(5 %) = ceil(0.2 | 1) = 1, k(10 %) = 2. Unscored lines follow in row order.
  const expected = {
    // order 5, 0, 1, 2, 3, 4, 6, 7, ...: P@5 % = 0; top 2 = {5, 0} → R@10 % = 1/3; AP = (1/2 + 2/5 + 3/8)/3
    'det-a': { precision_at_1pct: 0, precision_at_5pct: 0, recall_at_10pct: 1 / 3, precision_at_10pct: 0.5, average_precision: (1 / 2 + 2 / 5 + 3 / 8) / 3 },
    // order 7, 1, 3 (tie at 50 broken by row id), 0, 2, ...: AP = (1 + 2/3 + 3/4)/3
    'det-b': { precision_at_5pct: 1, recall_at_5pct: 1 / 3, recall_at_10pct: 1 / 3, average_precision: (1 + 2 / 3 + 3 / 4) / 3 },
    // order 1, 3, 5, 7, 0, 2, ...: AP = (1/2 + 2/4 + 3/5)/3
    combined: { precision_at_5pct: 0, recall_at_10pct: 1 / 3, precision_at_10pct: 0.5, average_precision: (1 / 2 + 2 / 4 + 3 / 5) / 3 },
  };

  it('computes precision, recall at 1/5/10 % and average precision against a label column', async () => {
    const e = await evaluate(db(), { labels: { column: 'fraud' } });
    expect(e.run_id).toBe('R000001');
    expect(e.methods.map((m) => m.detector)).toEqual(['det-a', 'det-b', 'combined']);
    for (const m of e.methods) {
      expect(m).toMatchObject({ lines: 20, positives: 3 });
      const want = expected[m.detector as keyof typeof expected];
      for (const [k, v] of Object.entries(want)) expect(m[k as keyof typeof m]).toBeCloseTo(v, 12);
    }
    expect(e.methods[2]!.scored).toBe(6);
    // det-b puts a positive first, the combination does not: named at the 1 % and 5 % cut-offs (both k = 1).
    expect(e.warnings).toEqual([
      'the combined ranking is worse than det-b at the top 1 %: precision 0.000 against 1.000',
      'the combined ranking is worse than det-b at the top 5 %: precision 0.000 against 1.000',
    ]);
  });

  it('gives the same numbers from a labels file (only line rows count), and no positives gives null recall', async () => {
    const f = t.file(
      'labels.csv',
      'subject_kind,declaration_id,line_no,payment_id,party_id,reporter,partner,hs,period,anomaly,detail\n' +
        POSITIVES.map((i) => `line,IM${String(i).padStart(2, '0')},1,,,US,CN,720851,,price-iqr,"x, y"`).join('\n') +
        '\nline,IM00,1,,,US,CN,720851,,value-per-kg,dup\nparty,,,,P1,US,,,,party-surge,\n',
    );
    const e = await evaluate(db(), { labels: { lines: readLabelsFile(f) } });
    for (const m of e.methods) {
      const want = expected[m.detector as keyof typeof expected];
      for (const [k, v] of Object.entries(want)) expect(m[k as keyof typeof m]).toBeCloseTo(v, 12);
    }
    const none = await evaluate(db(), { labels: { column: 'seized' } });
    expect(none.methods[0]).toMatchObject({ positives: 0, recall_at_5pct: null, average_precision: null, precision_at_5pct: 0 });
    const batch = await evaluate(db(), { labels: { column: 'fraud' }, batches: ['no-such-batch'] });
    expect(batch.methods).toEqual([]);
  });

  it('rejects a bad labels file naming file, line and field, never the value', () => {
    const bad = (body: string) => {
      const f = t.file('bad.csv', body);
      try {
        readLabelsFile(f);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('expected an InputError');
    };
    const m1 = bad('subject_kind,declaration_id,line_no\nline,IM01,1\nline,IM02,SECRET7\n');
    expect(m1).toContain('bad.csv:3: field "line_no"');
    expect(m1).not.toContain('SECRET7');
    expect(bad('subject_kind,declaration_id\nline,IM01\n')).toContain('field "line_no": missing column');
    expect(bad('subject_kind,declaration_id,line_no\nline,,1\n')).toContain('bad.csv:2: field "declaration_id"');
    expect(bad('subject_kind,declaration_id,line_no\nline,IM01,1,SECRET8\n')).not.toContain('SECRET8');
    expect(bad('subject_kind,declaration_id,line_no\nline,"IM01,1\n')).toContain('bad.csv:2');
    expect(() => readLabelsFile(`${t.dir}/missing.csv`)).toThrow(InputError);
    expect(bad('')).toContain('empty');
  });
});
