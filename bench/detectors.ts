/**
 * `tsx bench/detectors.ts`: the price-iqr detector against the same result written by hand in DuckDB SQL, in
 * one run, on the same store and connection; optionally (--all) a full analysis run of every detector.
 *
 *   price-iqr   the detector's query, compiled through the scoped query layer exactly as a run compiles it,
 *               materialised with CREATE TEMP TABLE AS
 *   hand SQL    what an engineer would write for the same flags: one pass of GROUPING SETS for both group
 *               levels, three quartiles from one list quantile, the same reason and evidence text; for the
 *               default 12-month window, per-line window quantiles over a RANGE frame of calendar months
 *
 * Both sides must produce the same rows (checked: the symmetric difference is empty), so the ratio compares
 * equal work. Data: the bench store at bench/out/data when it holds lines (npm run bench with --keep leaves it),
 * else --rows generated lines (default 1,000,000) loaded into bench/out/detect-data. Runs alternate, after one
 * warm-up of each side; the ratio is of medians. Target: price-iqr within 1.3x of the hand SQL.
 * Options: --data DIR (a data directory to use instead), --rows N, --runs N (default 5), --all (also time `analyze` with every detector, peak RSS).
 * Figures measured on a shared machine vary with its load: say so when quoting them.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { generateDataset } from '../src/generate/index.ts';
import { openRuntime, type Runtime } from '../src/runtime/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { parseParams, runAnalysis } from '../src/detect/index.ts';
import { priceIqr } from '../src/detect/price-iqr.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 5);
const OUT = resolve('bench/out');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
};

/** price-iqr with default parameters (k = 1.5, min_group = 8), written by hand. */
const HAND = `
WITH p AS (
  SELECT row_id, provider, declaration_id, line_no, flow, hs6,
    coalesce(CASE WHEN flow = 'import' THEN coalesce(origin_country, partner_country) ELSE partner_country END, '') AS partner,
    CASE WHEN quantity > 0 THEN coalesce(nullif(upper(trim(quantity_unit)), ''), 'UNIT') ELSE 'KG' END AS unit,
    (CASE WHEN quantity > 0 THEN value / quantity ELSE value / net_mass_kg END)::DOUBLE AS price,
    (CASE WHEN quantity > 0 THEN quantity ELSE net_mass_kg END)::DOUBLE AS amount,
    coalesce(currency, 'USD') AS currency
  FROM trade_lines WHERE quantity > 0 OR net_mass_kg > 0
), g AS (
  SELECT hs6, flow, unit, partner, grouping(partner) AS coarse, count(*)::INTEGER AS n, quantile_cont(price, [0.25, 0.5, 0.75]) AS q
  FROM p GROUP BY GROUPING SETS ((hs6, flow, unit, partner), (hs6, flow, unit))
), j AS (
  SELECT p.*, coalesce(f.n >= 8 AND p.partner <> '', false) AS fine, f.n AS fn, f.q AS fq, c.n AS cn, c.q AS cq
  FROM p
  LEFT JOIN g f ON f.coarse = 0 AND f.hs6 = p.hs6 AND f.flow = p.flow AND f.unit = p.unit AND f.partner = p.partner
  JOIN g c ON c.coarse = 1 AND c.hs6 = p.hs6 AND c.flow = p.flow AND c.unit = p.unit
), s AS (
  SELECT row_id, provider, declaration_id, line_no, flow, hs6, partner, unit, price, amount, currency,
    CASE WHEN fine THEN 'hs6 x partner x flow' ELSE 'hs6 x flow' END AS level,
    CASE WHEN fine THEN fn ELSE cn END AS n,
    CASE WHEN fine THEN fq ELSE cq END AS q
  FROM j
), x AS (
  SELECT *, q[1] AS q1, q[2] AS med, q[3] AS q3, q[3] - q[1] AS iqr,
    q[1] - 1.5 * (q[3] - q[1]) AS lf, q[3] + 1.5 * (q[3] - q[1]) AS uf
  FROM s WHERE n >= 8
), y AS (
  SELECT *, price > uf AS above,
    CASE WHEN iqr > 0 THEN (CASE WHEN price > uf THEN price - uf ELSE lf - price END) / iqr END AS dev,
    abs(price - CASE WHEN price > uf THEN q3 ELSE q1 END) * amount AS var
  FROM x WHERE price > uf OR price < lf
)
SELECT provider, 'line' AS subject_kind, declaration_id, line_no, row_id,
  CASE WHEN dev IS NULL THEN 100.0 ELSE round(100 - 50 / (1 + dev), 2) END AS score,
  printf('%s %.2f %s/%s is %s× the median %.2f of %d %ss of %s%s; %s the %s fence %.2f',
    'Unit price', price, currency, unit,
    CASE WHEN price / med >= 1 THEN printf('%.1f', price / med) ELSE printf('%.2f', price / med) END, med, n, flow, hs6,
    CASE WHEN level = 'hs6 x partner x flow' THEN (CASE WHEN flow = 'import' THEN ' from ' ELSE ' to ' END) || partner ELSE ' (all partners)' END,
    CASE WHEN above THEN 'above' ELSE 'below' END, CASE WHEN above THEN 'upper' ELSE 'lower' END, CASE WHEN above THEN uf ELSE lf END) AS reason,
  json_object('group', json_object('level', level, 'hs6', hs6, 'flow', flow, 'partner', CASE WHEN level = 'hs6 x partner x flow' THEN partner END, 'unit', unit),
    'n', n, 'q1', q1, 'median', med, 'q3', q3, 'iqr', iqr, 'k', 1.5::DOUBLE, 'lower_fence', lf, 'upper_fence', uf, 'observed', price,
    'unit', unit, 'currency', currency, 'deviation', price - CASE WHEN above THEN uf ELSE lf END, 'deviation_iqr', dev,
    'ratio_to_median', price / med, 'direction', CASE WHEN above = (flow = 'import') THEN 'outflow' ELSE 'inflow' END,
    'quantity', amount, 'value_at_risk', var) AS evidence,
  list_value(row_id) AS row_ids
FROM y ORDER BY row_id`;

/**
 * price-iqr with its default 12-month window, written by hand the obvious way: per-line window quantiles
 * over a RANGE frame of calendar months (the line's month and the 11 before it), the same rows as the
 * detector (checked).
 */
const HAND_WINDOW = HAND.replace(
  "coalesce(currency, 'USD') AS currency\n",
  "coalesce(currency, 'USD') AS currency, date, year(date) * 12 + month(date) - 1 AS mi\n",
)
  .replace(/\), g AS \([\s\S]*?\), s AS \(/, `), j AS (
  SELECT *, coalesce(fn >= 8 AND partner <> '', false) AS fine FROM (
    SELECT p.*, count(*) OVER wf AS fn, quantile_cont(price, [0.25, 0.5, 0.75]) OVER wf AS fq,
      count(*) OVER wc AS cn, quantile_cont(price, [0.25, 0.5, 0.75]) OVER wc AS cq
    FROM p
    WINDOW wf AS (PARTITION BY hs6, flow, unit, partner ORDER BY mi RANGE BETWEEN 11 PRECEDING AND CURRENT ROW),
      wc AS (PARTITION BY hs6, flow, unit ORDER BY mi RANGE BETWEEN 11 PRECEDING AND CURRENT ROW))
), s AS (`)
  .replace('SELECT row_id, provider, declaration_id, line_no, flow, hs6, partner, unit, price, amount, currency,', 'SELECT row_id, provider, declaration_id, line_no, flow, hs6, partner, unit, price, amount, currency, date,')
  .replace("'quantity', amount, 'value_at_risk', var)", "'quantity', amount, 'value_at_risk', var, 'window', json_object('months', 12, 'from', strftime(date_trunc('month', date) - INTERVAL 11 MONTH, '%Y-%m-%d'), 'to', strftime(last_day(date), '%Y-%m-%d')))");

async function count(c: DuckDBConnection, text: string): Promise<number> {
  const r = await c.runAndReadAll(text);
  return Number(r.getRows()[0]![0]);
}

async function openData(): Promise<{ rt: Runtime; source: string }> {
  const i = process.argv.indexOf('--data');
  const benchData = i >= 0 ? resolve(process.argv[i + 1]!) : join(OUT, 'data');
  if (existsSync(join(benchData, 'parallax.duckdb'))) {
    const rt = await openRuntime({ dataDir: benchData });
    const n = await rt.store.withWriteConnection((c) => count(c, 'SELECT count(*) FROM trade_lines'));
    if (n > 0) return { rt, source: `${benchData} (${n.toLocaleString('en-US')} lines)` };
    await rt.close();
  }
  const rows = arg('rows', 1_000_000);
  const genDir = join(OUT, `generated-${rows}`);
  const manifest = join(genDir, 'manifest.json');
  if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).rows !== rows) {
    process.stderr.write(`generating ${rows.toLocaleString('en-US')} lines...\n`);
    await generateDataset({ rows, seed: 42, outDir: genDir });
  }
  const dataDir = join(OUT, 'detect-data');
  mkdirSync(dataDir, { recursive: true });
  const rt = await openRuntime({ dataDir });
  if ((await rt.store.withWriteConnection((c) => count(c, 'SELECT count(*) FROM trade_lines'))) === 0) {
    await ingestFile({ store: rt.store, registry: rt.registry }, join(genDir, 'declarations.csv'), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench' });
  }
  return { rt, source: `bench/out/detect-data (${rows.toLocaleString('en-US')} generated lines)` };
}

async function main() {
  const { rt, source } = await openData();
  try {
    const scope = localOperatorScope('bench');
    /** Times the detector (compiled through the scoped layer) against hand SQL that must give the same rows. */
    const compare = async (params: Record<string, unknown>, handSql: string) => {
      const q = priceIqr.build(scopedDb(rt.store, scope), parseParams(priceIqr, params)).compile();
      const ours = (c: DuckDBConnection) => c.run(`CREATE OR REPLACE TEMP TABLE bench_ours AS ${q.sql}`, q.parameters as never[]);
      const hand = (c: DuckDBConnection) => c.run(`CREATE OR REPLACE TEMP TABLE bench_hand AS ${handSql}`);
      const oursMs: number[] = [];
      const handMs: number[] = [];
      const flagged = await rt.store.withWriteConnection(async (c) => {
        await ours(c);
        await hand(c);
        const cols = 'provider, subject_kind, declaration_id, line_no, row_id, score, reason, evidence::VARCHAR, row_ids';
        const diff = await count(c, `SELECT count(*) FROM ((SELECT ${cols} FROM bench_ours EXCEPT ALL SELECT ${cols} FROM bench_hand) UNION ALL (SELECT ${cols} FROM bench_hand EXCEPT ALL SELECT ${cols} FROM bench_ours))`);
        if (diff !== 0) throw new Error(`hand SQL and price-iqr disagree on ${diff} rows: the comparison would not be of equal work`);
        const n = await count(c, 'SELECT count(*) FROM bench_ours');
        for (let i = 0; i < RUNS; i++) {
          // Alternate which side goes first so caches and background work hit both equally.
          const order = i % 2 ? [hand, ours] : [ours, hand];
          for (const f of order) (f === ours ? oursMs : handMs).push((await time(() => f(c)))[0]);
        }
        await c.run('DROP TABLE IF EXISTS bench_ours');
        await c.run('DROP TABLE IF EXISTS bench_hand');
        return n;
      });
      return {
        runs: RUNS,
        flagged_lines: flagged,
        price_iqr_median_ms: Math.round(median(oursMs)),
        hand_sql_median_ms: Math.round(median(handMs)),
        ratio: +(median(oursMs) / median(handMs)).toFixed(2),
        target_ratio: 1.3,
        all_ms: { price_iqr: oursMs.map(Math.round), hand_sql: handMs.map(Math.round) },
      };
    };
    const results: Record<string, unknown> = {
      data: source,
      // The whole-period fence (window_months 0) against the hand-written GROUPING SETS query.
      price_iqr_vs_hand_sql: await compare({ window_months: 0 }, HAND),
      // The default 12-month window against per-line RANGE-frame quantiles written by hand.
      price_iqr_window_vs_hand_sql: await compare({}, HAND_WINDOW),
    };
    if (process.argv.includes('--all')) {
      const [ms, run] = await time(() => runAnalysis(rt.store, scope, {}));
      results['all_detectors'] = {
        seconds: +(ms / 1000).toFixed(1),
        target_seconds: 60,
        run_id: run.run_id,
        per_detector: Object.fromEntries(run.detectors.map((d) => [d.id, { anomalies: d.anomalies, seconds: d.seconds }])),
      };
    }
    results['peak_rss_mib'] = Math.round(peakRss / (1 << 20));
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await rt.close();
    clearInterval(sampler);
  }
}

await main();
