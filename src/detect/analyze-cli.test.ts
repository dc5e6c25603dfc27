/**
 * `parallax analyze` as a user runs it: a real process through bin/parallax.js; bad --param values give a
 * usage error naming the parameter (never echoing the value), --json prints one object per anomaly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalLine, CANONICAL_HEADER } from '../../test/temp-runtime.ts';

const BIN = resolve('bin/parallax.js');
let dir: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: join(dir, 'data') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-analyze-cli-'));
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) => canonicalLine({ declaration_id: `IM${i}`, value: p * 10, quantity: 10, net_mass_kg: 10 }));
  writeFileSync(join(dir, 'a.csv'), `${CANONICAL_HEADER}\n${lines.join('\n')}\n`);
  expect(cli('ingest', join(dir, 'a.csv'), '--profile', 'canonical', '--category', 'trade', '--provider', 'US').code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallax analyze', () => {
  it('rejects bad --param values with a usage error naming the parameter, not the value', () => {
    const neg = cli('analyze', '--param', 'price-iqr.k=-7');
    expect(neg.code).toBe(2);
    expect(neg.err).toMatch(/^parallax: --param \/ --detector: parameter price-iqr\.k: /);
    expect(neg.err).not.toContain('-7');
    const text = cli('analyze', '--param', 'price-robust-z.threshold=abc');
    expect(text.code).toBe(2);
    expect(text.err).toContain('parameter price-robust-z.threshold');
    expect(text.err).not.toContain('abc');
    expect(cli('analyze', '--param', 'price-iqr.nope=1').err).toContain('parameter price-iqr.');
    expect(cli('analyze', '--param', 'k=1').err).toContain('--param takes DETECTOR.NAME=VALUE');
    expect(cli('analyze', '--detector', 'nope').err).toContain('unknown detector nope');
    expect(cli('analyze', '--runs', '--json').out).toBe('');
  }, 60_000);

  it('runs, prints one JSON object per anomaly, a summary table, and lists runs', () => {
    const j = cli('analyze', '--detector', 'price-iqr', '--param', 'price-iqr.k=1.5', '--json');
    expect(j.err).toBe('');
    const rows = j.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    // Fences of ln(price) (scale=log, price-iqr.test.ts computes them by hand): Q3 = 16^0.25 · 17^0.75.
    const q3 = 16 ** 0.25 * 17 ** 0.75;
    expect(rows[0]).toMatchObject({
      anomaly_id: expect.stringMatching(/^R000001\.price-iqr\.\d+$/),
      detector: 'price-iqr',
      detector_version: '3',
      params: { k: 1.5, min_group: 8, scale: 'log' },
      subject: { kind: 'line', declaration_id: 'IM9', line_no: 1 },
      reason: 'Unit price 100.00 USD/KG is 6.9× the median 14.49 of 10 imports of 720851 from CN; above the upper fence 26.78',
      evidence: expect.objectContaining({ n: 10, scale: 'log' }),
    });
    expect(rows[0].evidence.value_at_risk).toBeCloseTo((100 - q3) * 10, 6);
    const human = cli('analyze');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/price-robust-z/);
    expect(human.out).toMatch(/run R000002 stored/);
    const runs = cli('analyze', '--runs', '--json').out.trim().split('\n').map((l) => JSON.parse(l));
    expect(runs.map((r) => r.run_id)).toEqual(['R000002', 'R000001']);
    expect(runs[1]).toMatchObject({ detectors: ['price-iqr'], anomalies: 1, data_version: { US: [expect.any(String)] } });
  }, 60_000);

  it('compares runs: the line after a run, counts per detector, one kind of change listed, bad flags refused', () => {
    // A new batch with one more outlier, then a price-iqr run: against R000002 (every detector) one new line.
    const more = [canonicalLine({ declaration_id: 'IM10', value: 2000, quantity: 10, net_mass_kg: 10 })];
    writeFileSync(join(dir, 'b.csv'), `${CANONICAL_HEADER}\n${more.join('\n')}\n`);
    expect(cli('ingest', join(dir, 'b.csv'), '--profile', 'canonical', '--category', 'trade', '--provider', 'US').code).toBe(0);
    const run = cli('analyze', '--detector', 'price-iqr');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/against R000002: 1 new, \d+ gone, \d+ changed in score; parallax analyze --compare R000002 --run R000003/);

    const counts = cli('analyze', '--compare', 'R000001', '--json');
    expect(counts.code).toBe(0);
    const c = JSON.parse(counts.out);
    expect(c).toMatchObject({ base: 'R000001', run: 'R000003', batches_added: { US: ['B000002'] } });
    expect(c.detectors).toEqual([expect.objectContaining({ detector: 'price-iqr', base: 1, run: 2, new: 1, gone: 0, settings_changed: false })]);
    const table = cli('analyze', '--compare', 'R000002', '--run', 'R000003');
    expect(table.out).toMatch(/price-robust-z .*not in R000003/);

    const fresh = cli('analyze', '--compare', 'R000001', '--change', 'new', '--json').out.trim().split('\n').map((l) => JSON.parse(l));
    expect(fresh.map((a) => [a.run_id, a.subject.declaration_id])).toEqual([['R000003', 'IM10']]);
    expect(cli('analyze', '--compare', 'R000001', '--change', 'new').out).toMatch(/^1 anomalies new in R000003 against R000001/);

    expect(cli('analyze', '--compare', 'R9').err).toContain('--compare takes a run id like R000001');
    expect(cli('analyze', '--compare', 'R000001', '--change', 'odd').err).toContain('--change takes one of new, gone, changed, same');
    expect(cli('analyze', '--change', 'new').err).toContain('--change goes with --compare RUN');
    const unseen = cli('analyze', '--compare', 'R000099');
    expect(unseen.code).toBe(2);
    expect(unseen.err).toContain('compared run R000099 is not a run you can see');
  }, 90_000);
});
