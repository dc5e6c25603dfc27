/**
 * Memory budget (PRODUCT.md: "100M lines analysed with a file-backed store within 8 GB"): in one process
 * with the store's memory limit set, load a generated set (declarations, payments, mirror statistics),
 * run every detector, and run a two-dimension explore, recording wall time and this process's peak RSS
 * (DuckDB runs in-process, so RSS includes the engine) per phase. Generate the files first in another
 * process (`parallax generate --rows N --out DIR`), so the generator's memory is not counted.
 *
 * `--each` runs the detectors one run each, so the peak of every detector is seen; `--reuse` keeps a store
 * left by `--keep` and skips the loads.
 *
 *   npx tsx bench/memory.ts GENERATED_DIR [--limit 6GB] [--data DIR] [--keep] [--reuse] [--each]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openRuntime } from '../src/runtime/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { DETECTORS, runAnalysis, type DetectorSummary } from '../src/detect/index.ts';
import { explore } from '../src/explore/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { terminalProgress } from '../src/progress/index.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const gen = argv[0];
if (!gen || !existsSync(join(gen, 'declarations.csv'))) throw new Error('usage: npx tsx bench/memory.ts GENERATED_DIR [--limit 6GB] [--data DIR] [--keep]');
const limit = opt('limit') ?? '6GB';
const dataDir = resolve(opt('data') ?? 'bench/out/memory-data');

let peak = 0;
let phasePeak = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  peak = Math.max(peak, rss);
  phasePeak = Math.max(phasePeak, rss);
}, 50);
const gib = (b: number) => +(b / 2 ** 30).toFixed(2);
const phases: Record<string, { s: number; peak_rss_gib: number }> = {};
async function phase<T>(name: string, f: () => Promise<T>): Promise<T> {
  phasePeak = process.memoryUsage().rss;
  const t = performance.now();
  const r = await f();
  phases[name] = { s: +((performance.now() - t) / 1000).toFixed(1), peak_rss_gib: gib(phasePeak) };
  process.stderr.write(`${name}: ${JSON.stringify(phases[name])}\n`);
  return r;
}

const reuse = argv.includes('--reuse') && existsSync(join(dataDir, 'parallax.duckdb'));
if (!reuse) {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
}
const rt = await openRuntime({ dataDir, memoryLimit: limit });
try {
  const deps = { store: rt.store, registry: rt.registry };
  if (!reuse) {
    await phase('ingest declarations', () => ingestFile(deps, join(gen, 'declarations.csv'), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench', progress: terminalProgress() }));
    await phase('ingest payments', () => ingestFile(deps, join(gen, 'payments.csv'), { profile: 'canonical-payments', category: 'financial', provider: 'US', loadedBy: 'bench' }));
    await phase('ingest mirror', () => ingestFile(deps, join(gen, 'mirror.csv'), { profile: 'canonical-mirror', category: 'trade', provider: 'US', loadedBy: 'bench' }));
  }
  const lines = { rows_accepted: await rt.store.withWriteConnection(async (c) => Number((await c.runAndReadAll('SELECT count(*) FROM trade_lines')).getRows()[0]![0])) };
  const summaries: DetectorSummary[] = [];
  if (argv.includes('--each')) {
    for (const d of DETECTORS) summaries.push(...(await phase(`detector ${d.id}`, () => runAnalysis(rt.store, localOperatorScope('bench'), { detectors: [d.id] }))).detectors);
  } else {
    summaries.push(...(await phase('all detectors', () => runAnalysis(rt.store, localOperatorScope('bench'), {}))).detectors);
  }
  await phase('explore origin x hs2', () => explore(scopedDb(rt.store, localOperatorScope('bench')), { by: ['origin', 'hs2'], measures: ['value', 'lines'], limit: 50 }));
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({ lines: lines.rows_accepted, memory_limit: limit, phases, anomalies: summaries.reduce((a, d) => a + d.anomalies, 0), peak_rss_gib: gib(peak), target_gib: 8 }, null, 2)}\n`,
  );
} finally {
  clearInterval(sampler);
  await rt.close();
  if (!argv.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
}
