// `parallax analyze --ranking` and `parallax evaluate` as a user runs them (a real process through
// bin/parallax.js), GET /api/ranking through app.inject, and `analyze --train` then `analyze`: the default
// ranking then uses the trained combination.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../server/index.ts';
import { signIn } from '../../test/signed-in.ts';
import { openRuntime } from '../runtime/index.ts';
import { canonicalLine, CANONICAL_HEADER } from '../../test/temp-runtime.ts';

const BIN = resolve('bin/parallax.js');
let dir: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: join(dir, 'data') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-ranking-cli-'));
  // Before any run: nothing to rank is said on stderr with a non-zero exit, never an empty success.
  const none = cli('analyze', '--ranking', '--top', '5', '--json');
  expect(none.code).toBe(2);
  expect(none.out).toBe('');
  expect(none.err).toContain('no analysis run to rank yet: run parallax analyze first');
  expect(cli('evaluate', '--label', 'fraud').code).toBe(2);
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) => canonicalLine({ declaration_id: `IM${i}`, value: p * 10, quantity: 10, net_mass_kg: 10, fraud: i === 9 ? 1 : 0 }));
  writeFileSync(join(dir, 'a.csv'), `${CANONICAL_HEADER}\n${lines.join('\n')}\n`);
  expect(cli('ingest', join(dir, 'a.csv'), '--profile', 'canonical', '--category', 'trade', '--provider', 'US').code).toBe(0);
  expect(cli('analyze').code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ranking and evaluate on the command line', () => {
  it('analyze --ranking --json prints one object per line with the combined score and the detectors', () => {
    const r = cli('analyze', '--ranking', '--json');
    expect(r.err).toBe('');
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(rows[0]).sort()).toEqual(['declaration_id', 'detectors', 'line_no', 'row_id', 'score']);
    expect(rows[0]).toMatchObject({ declaration_id: 'IM9', line_no: 1 });
    expect(rows[0].score).toBeGreaterThan(0);
    expect(rows[0].score).toBeLessThanOrEqual(100);
    expect(rows[0].detectors).toContain('price-iqr');
    expect(cli('analyze', '--ranking', '--top', '1', '--run', 'R000001', '--json').out.trim().split('\n')).toHaveLength(1);
    expect(cli('analyze', '--ranking', '--top', '0').code).toBe(2);
    expect(cli('analyze', '--ranking').out).toMatch(/^run R000001 \(unsupervised combination\)\n/);
    expect(cli('analyze', '--ranking', '--combination', 'C000009').err).toContain('no such trained combination');
    expect(cli('analyze', '--ranking', '--combination', 'nope').code).toBe(2);
  }, 60_000);

  it('evaluate --json prints one object per detector and combined; usage and input errors are named', () => {
    const r = cli('evaluate', '--label', 'fraud', '--json');
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('internal error');
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.at(-1)).toMatchObject({ run_id: 'R000001', detector: 'combined', lines: 10, positives: 1, precision_at_10pct: 1, recall_at_10pct: 1, average_precision: 1 });
    // No component beats the combination here, so no warning.
    expect(r.err).toBe('');
    expect(rows.map((x) => x.detector)).toContain('price-iqr');
    expect(cli('evaluate', '--label', 'fraud').out).toMatch(/P@5%/);
    expect(cli('evaluate').code).toBe(2);
    expect(cli('evaluate', '--label', 'secret_col').err).toContain('--label must be one of');
    writeFileSync(join(dir, 'bad.csv'), 'subject_kind,declaration_id,line_no\nline,IM9,x7\n');
    const bad = cli('evaluate', '--labels', join(dir, 'bad.csv'));
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('bad.csv:2: field "line_no"');
    expect(bad.err).not.toContain('x7');
    writeFileSync(join(dir, 'good.csv'), 'subject_kind,declaration_id,line_no\nline,IM9,1\n');
    const good = cli('evaluate', '--labels', join(dir, 'good.csv'), '--json').out.trim().split('\n').map((l) => JSON.parse(l));
    expect(good.at(-1)).toMatchObject({ detector: 'combined', positives: 1, average_precision: 1 });
  }, 60_000);

  it('GET /api/ranking pages the ranking with a total', async () => {
    const rt = await openRuntime({ dataDir: join(dir, 'data'), databaseUrl: '' });
    const app = buildApp(rt);
    const api = await signIn(app, rt, 'investigator');
    try {
      await app.ready();
      const res = await api.inject({ url: '/api/ranking?limit=1' });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page).toMatchObject({ run_id: 'R000001', offset: 0, limit: 1, combination: { method: 'unsupervised', models: [] } });
      expect(page.rows).toHaveLength(1);
      expect(page.rows[0]).toMatchObject({ declaration_id: 'IM9' });
      expect(page.total).toBeGreaterThanOrEqual(1);
      expect((await api.inject({ url: '/api/ranking?limit=0' })).statusCode).toBe(400);
      expect((await api.inject({ url: '/api/ranking?combination=C000042' })).statusCode).toBe(404);
      expect((await api.inject({ url: '/api/ranking?combination=drop' })).statusCode).toBe(400);
    } finally {
      await app.close();
      await rt.close();
    }
  }, 60_000);
});

describe('analyze --train, then analyze: the default ranking uses the trained combination', () => {
  let tdir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: join(tdir, 'data') } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  beforeAll(() => {
    tdir = mkdtempSync(join(tmpdir(), 'parallax-train-cli-'));
    expect(run('generate', '--rows', '8000', '--seed', '5', '--out', join(tdir, 'gen')).code).toBe(0);
    const [header, ...lines] = readFileSync(join(tdir, 'gen', 'declarations.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(tdir, 'a.csv'), [header, ...lines.slice(0, 4000)].join('\n'));
    writeFileSync(join(tdir, 'b.csv'), [header, ...lines.slice(4000)].join('\n'));
    for (const f of ['a.csv', 'b.csv']) expect(run('ingest', join(tdir, f), '--profile', 'canonical', '--category', 'trade', '--provider', 'US').code).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(tdir, { recursive: true, force: true }));

  it('trains the model and the combination, then ranks with it; evaluate shows both combinations', () => {
    const t = run('analyze', '--train', '--label', 'fraud', '--batch', 'B000001', '--json');
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.out.trim());
    expect(trained).toMatchObject({ model_id: 'M000001', ranking: { model_id: 'C000001', provider: 'US', risk_model_id: 'M000001', run_id: 'R000001' } });
    expect(run('analyze').code).toBe(0);
    const top = run('analyze', '--ranking', '--top', '5', '--json');
    expect(top.code).toBe(0);
    const rows = top.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['declaration_id', 'detectors', 'line_no', 'row_id', 'score']);
    expect(run('analyze', '--ranking', '--top', '1').out).toMatch(/^run R000002 \(trained combination C000001\)\n/);
    const unsup = run('analyze', '--ranking', '--top', '5', '--json', '--combination', 'unsupervised').out.trim().split('\n').map((l) => JSON.parse(l));
    expect(unsup).toHaveLength(5);
    const ev = run('evaluate', '--label', 'fraud', '--batch', 'B000002', '--json');
    expect(ev.code).toBe(0);
    const methods = ev.out.trim().split('\n').map((l) => JSON.parse(l).detector);
    expect(methods.slice(-2)).toEqual(['combined-unsupervised', 'combined']);
    expect(run('analyze', '--models').out).toContain('C000001');
    expect(run('analyze', '--train', '--batch', 'B000001').err).toContain('--train needs labels');
  }, 180_000);
});
