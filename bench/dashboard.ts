/**
 * Dashboard bench: every trade measure of the catalogue by nation, field office and port (one query each,
 * as a dashboard per level issues them) through measuresQuery on the scoped query layer, against
 * hand-written DuckDB SQL for the same numbers on the same store and connection, in the same run.
 *
 *   npx tsx bench/dashboard.ts [--data DIR] [--runs N] [--rows N]
 *
 * Uses the 10M-line store that `npm run bench` leaves in bench/out/data (or --data). When there is none,
 * it generates --rows lines (default 1,000,000) into bench/out/dashboard-data first and says so.
 * Prints p50/p95 per query, the ratio ours/hand-written, the dashboard total (sum of p50s) and the slowest
 * query, checks that both sides give the same numbers, and writes bench/out/dashboard.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateDataset } from '../src/generate/index.ts';
import { openRuntime } from '../src/runtime/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { MEASURES, measuresQuery } from '../src/measures/index.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(arg('runs') ?? 5);
const OUT = resolve('bench/out');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
};

// Hand-written SQL, per measure and per level, written here independently of the catalogue.
const FLAGGED = `LEFT JOIN (SELECT DISTINCT unnest(a.row_ids) AS row_id FROM anomalies a
  JOIN (SELECT provider, arg_max(run_id, run_seq) AS run_id FROM analysis_runs GROUP BY provider) r
  ON r.provider = a.provider AND r.run_id = a.run_id) f ON f.row_id = t.row_id`;
const CONFIRMED = `(SELECT DISTINCT m.provider, m.ref FROM party_members m JOIN watchlist_hits h ON h.party_id = m.party_id
  WHERE h.status <> 'retired' AND h.decision = 'confirmed')`;
const WATCH = `LEFT JOIN ${CONFIRMED} wi ON wi.provider = t.provider AND wi.ref = t.importer_key
  LEFT JOIN ${CONFIRMED} we ON we.provider = t.provider AND we.ref = t.exporter_key`;
const HAND: Record<string, { expr: string; flagged?: boolean; watch?: boolean }> = {
  'import-value': { expr: "coalesce(sum(value) FILTER (WHERE flow = 'import'), 0)::DOUBLE" },
  'export-value': { expr: "coalesce(sum(value) FILTER (WHERE flow = 'export'), 0)::DOUBLE" },
  lines: { expr: 'count(*)::DOUBLE' },
  declarations: { expr: 'count(DISTINCT declaration_id)::DOUBLE' },
  importers: { expr: 'count(DISTINCT importer_key)::DOUBLE' },
  exporters: { expr: 'count(DISTINCT exporter_key)::DOUBLE' },
  'duty-collected': { expr: 'coalesce(sum(duty_amount), 0)::DOUBLE' },
  'effective-duty-rate': { expr: 'sum(duty_amount)::DOUBLE / nullif(sum(value) FILTER (WHERE duty_amount IS NOT NULL), 0)' },
  'inspection-rate': { expr: 'count(*) FILTER (WHERE inspected)::DOUBLE / count(*)' },
  'hit-rate': { expr: 'count(*) FILTER (WHERE inspected AND fraud)::DOUBLE / nullif(count(*) FILTER (WHERE inspected), 0)' },
  seizures: { expr: 'count(*) FILTER (WHERE seized)::DOUBLE' },
  'seizure-value': { expr: 'coalesce(sum(value) FILTER (WHERE seized), 0)::DOUBLE' },
  'anomaly-rate': { expr: 'count(f.row_id)::DOUBLE / count(*)', flagged: true },
  'flagged-lines': { expr: 'count(f.row_id)::DOUBLE', flagged: true },
  'value-at-risk': { expr: 'coalesce(sum(value) FILTER (WHERE f.row_id IS NOT NULL), 0)::DOUBLE', flagged: true },
  'watchlist-exposure': { expr: 'coalesce(sum(value) FILTER (WHERE wi.ref IS NOT NULL OR we.ref IS NOT NULL), 0)::DOUBLE', watch: true },
};
const LEVELS: Record<string, { expr: string; ports: boolean }> = {
  nation: { expr: 'coalesce(p.country, t.reporter)', ports: true },
  field_office: { expr: 'p.field_office', ports: true },
  port: { expr: 't.port_code', ports: false },
};

async function main() {
  mkdirSync(OUT, { recursive: true });
  let dataDir = resolve(arg('data') ?? join(OUT, 'data'));
  let note = `store ${dataDir}`;
  if (!existsSync(join(dataDir, 'parallax.duckdb'))) {
    const rows = Number(arg('rows') ?? 1_000_000);
    dataDir = join(OUT, 'dashboard-data');
    const gen = join(OUT, `dashboard-generated-${rows}`);
    note = `no bench store found; generated ${rows.toLocaleString('en-US')} lines into ${dataDir}`;
    process.stderr.write(`${note}\n`);
    if (!existsSync(join(gen, 'declarations.csv'))) await generateDataset({ rows, seed: 42, outDir: gen });
    if (!existsSync(join(dataDir, 'parallax.duckdb'))) {
      const rt0 = await openRuntime({ dataDir });
      await ingestFile({ store: rt0.store, registry: rt0.registry }, join(gen, 'declarations.csv'), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench' });
      await rt0.close();
    }
  }
  const rt = await openRuntime({ dataDir });
  try {
    const hand = (q: string) => rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(q)).getRowObjectsJson());
    const [lineCount] = await hand('SELECT count(*)::DOUBLE AS n FROM trade_lines');
    const [flagged] = await hand(`SELECT count(*)::DOUBLE AS n FROM trade_lines t ${FLAGGED} WHERE f.row_id IS NOT NULL`);
    process.stderr.write(`${note}: ${Number(lineCount!['n']).toLocaleString('en-US')} lines, ${Number(flagged!['n']).toLocaleString('en-US')} flagged by the latest analysis runs; ${RUNS} runs per query\n`);
    const db = scopedDb(rt.store, localOperatorScope('bench'));
    const measures = MEASURES.filter((m) => m.source === 'trade');
    const results: { measure: string; by: string; ours_p50_ms: number; ours_p95_ms: number; hand_p50_ms: number; hand_p95_ms: number; ratio_p50: number; cells: number; same_numbers: boolean }[] = [];
    for (const level of Object.keys(LEVELS)) {
      for (const m of measures) {
        const h = HAND[m.id];
        if (!h) throw new Error(`no hand-written SQL for ${m.id}`);
        const l = LEVELS[level]!;
        const q = `SELECT ${l.expr} AS k, ${h.expr} AS v FROM trade_lines t ${l.ports ? 'LEFT JOIN ref_ports p ON p.port_code = t.port_code' : ''} ${h.flagged ? FLAGGED : ''} ${h.watch ? WATCH : ''} GROUP BY 1 ORDER BY 1 NULLS LAST`;
        const spec = { measures: [m.id], by: [level] };
        const [, first] = await time(() => measuresQuery(db, spec));
        const expected = await hand(q);
        const same =
          first.rows.length === expected.length &&
          first.rows.every((r, i) => {
            const e = expected[i]!;
            const a = r[m.id] as number | null;
            const b = e['v'] === null ? null : Number(e['v']);
            return r[level] === e['k'] && (a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))));
          });
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          ours.push((await time(() => measuresQuery(db, spec)))[0]);
          theirs.push((await time(() => hand(q)))[0]);
        }
        const row = {
          measure: m.id,
          by: level,
          ours_p50_ms: +pct(ours, 50).toFixed(1),
          ours_p95_ms: +pct(ours, 95).toFixed(1),
          hand_p50_ms: +pct(theirs, 50).toFixed(1),
          hand_p95_ms: +pct(theirs, 95).toFixed(1),
          ratio_p50: +(pct(ours, 50) / pct(theirs, 50)).toFixed(2),
          cells: first.rows.length,
          same_numbers: same,
        };
        results.push(row);
        process.stdout.write(`${level.padEnd(12)} ${m.id.padEnd(20)} ours p50 ${String(row.ours_p50_ms).padStart(7)} p95 ${String(row.ours_p95_ms).padStart(7)} | hand p50 ${String(row.hand_p50_ms).padStart(7)} p95 ${String(row.hand_p95_ms).padStart(7)} | x${row.ratio_p50} ${row.cells} cells${same ? '' : '  NUMBERS DIFFER'}\n`);
      }
    }
    const slowest = results.reduce((a, b) => (b.ours_p95_ms > a.ours_p95_ms ? b : a));
    const summary = {
      store: note,
      lines: Number(lineCount!['n']),
      runs_per_query: RUNS,
      queries: results.length,
      dashboard_total_p50_ms: +results.reduce((s, r) => s + r.ours_p50_ms, 0).toFixed(0),
      hand_total_p50_ms: +results.reduce((s, r) => s + r.hand_p50_ms, 0).toFixed(0),
      ratio_total: +(results.reduce((s, r) => s + r.ours_p50_ms, 0) / results.reduce((s, r) => s + r.hand_p50_ms, 0)).toFixed(2),
      slowest: { measure: slowest.measure, by: slowest.by, p50_ms: slowest.ours_p50_ms, p95_ms: slowest.ours_p95_ms },
      all_numbers_match: results.every((r) => r.same_numbers),
      per_query: results,
    };
    writeFileSync(join(OUT, 'dashboard.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const { per_query: _, ...head } = summary;
    process.stdout.write(`${JSON.stringify(head, null, 2)}\n`);
    if (!summary.all_numbers_match) process.exitCode = 1;
  } finally {
    await rt.close();
  }
}

await main();
