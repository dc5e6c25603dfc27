/**
 * Batch screening at scale: 1,000,000 trade lines, each with its own importer (1M generated party names,
 * a few hundred of them spelled like entries of the demo watch list), resolved into parties and screened
 * with `screenAll` against the demo list and, when ../shared/data holds it, the OFAC SDN 2021-07 list.
 * Prints seconds for ingest, resolution and screening, and the process's peak RSS. Run on a shared
 * machine the figures are under contention.
 *
 *   npx tsx bench/screen-all.ts [ROWS]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openRuntime } from '../src/runtime/index.ts';
import { localOperatorScope } from '../src/query/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { loadList } from '../src/watchlists/index.ts';
import { resolveParties } from '../src/parties/index.ts';
import { screenAll } from '../src/screening/index.ts';
import { decisionStore, hitDecisions } from '../src/decisions/index.ts';
import { DATASETS } from '../src/schema/index.ts';
import { WATCH_ENTRIES } from '../src/generate/watchlist.ts';
import { writeWatchlist } from '../src/generate/write-files.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const SDN = resolve('../shared/data/sanctions/ofac-sdn-2021-07');
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const arr = (xs: readonly string[]) => `[${xs.map(q).join(', ')}]`;

const FIRST = ['Acme', 'Summit', 'Pioneer', 'Liberty', 'Eagle', 'Harbor', 'Keystone', 'Cascade', 'Frontier', 'Atlas', 'Granite', 'Redwood', 'Bluewater', 'Lakeside', 'Prairie', 'Heritage', 'Sierra', 'Coastal', 'Midland', 'Evergreen', 'Hong', 'Xin', 'Jin', 'Hua', 'Tian', 'Kai', 'Sheng', 'Yong', 'Meridian', 'Navarro', 'Ortega', 'Kitasaki', 'Nakahara', 'Waldwiese', 'Sonnenberg', 'Bergmann', 'Rossi', 'Bianchi', 'Dubois', 'Moreau'];
const SECOND = ['Carter', 'Hayes', 'Morgan', 'Bennett', 'Collins', 'Foster', 'Reed', 'Porter', 'Walsh', 'Dalton', 'Griffin', 'Harper', 'Lawson', 'Mercer', 'Nolan', 'Parker', 'Quinn', 'Sawyer', 'Turner', 'Wheeler', 'da', 'long', 'tai', 'xing', 'yuan', 'feng', 'cheng', 'Continental', 'Shoji', 'Maschinenbau'];
const SECTOR = ['Industrial Equipment', 'Electronics', 'Foods', 'Plastics', 'Textiles', 'Machinery', 'Chemicals', 'Furniture', 'Auto Parts', 'Metals', 'Paper', 'Toys', 'Apparel', 'Ceramics', 'Solar', 'Optics', 'Tools', 'Pharma', 'Seafood', 'Timber'];
const FORMS = ['LLC', 'Inc.', 'Corp.', 'Co., Ltd.', 'GmbH', 'S.A.', 'Ltd', 'S.p.A.', 'SARL', 'Pte. Ltd.'];

async function writeFiles(path: string, watchlist: string): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const cols = DATASETS.trade_lines.fields.map((f) => f.name);
  const planted = WATCH_ENTRIES.map((e) => e.name);
  const name = `CASE WHEN i % 2500 = 0 THEN ${arr(planted)}[(1 + (i // 2500) % ${planted.length})::BIGINT]
    ELSE ${arr(FIRST)}[(1 + hash(i, 1) % ${FIRST.length})::BIGINT] || ' ' || ${arr(SECOND)}[(1 + hash(i, 2) % ${SECOND.length})::BIGINT] || ' '
      || ${arr(FIRST)}[(1 + hash(i, 5) % ${FIRST.length})::BIGINT] || ' ' || ${arr(SECTOR)}[(1 + hash(i, 3) % ${SECTOR.length})::BIGINT] || ' ' || ${arr(FORMS)}[(1 + hash(i, 4) % ${FORMS.length})::BIGINT] END`;
  const expr: Record<string, string> = {
    declaration_id: "'B' || i::VARCHAR", line_no: '1', flow: "'import'", date: "DATE '2024-01-01' + (i % 365)::INTEGER",
    reporter: "'US'", origin_country: "['CN','VN','MX','DE','IN'][1 + i % 5]", departure_country: "['CN','VN','MX','DE','IN'][1 + i % 5]",
    hs_code: "'720851'", value: '(100 + i % 1000)::DOUBLE', importer_id: "'I' || i::VARCHAR", importer_name: name,
    exporter_id: "'E' || (i % 20000)::VARCHAR", exporter_name: "'Exporter ' || (i % 20000)::VARCHAR || ' Co'",
  };
  await c.run(`COPY (SELECT ${cols.map((col) => `${expr[col] ?? 'NULL'} AS ${col}`).join(', ')} FROM range(${ROWS}) r(i)) TO ${q(path)} (HEADER, DELIMITER ',')`);
  await writeWatchlist(c, watchlist);
  c.closeSync();
  inst.closeSync();
}

const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-screen-all-'));
const rt = await openRuntime({ dataDir: join(dir, 'data') });
const stage = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s} (rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB)\n`);
try {
  // A shared machine: DuckDB spills to disk past this instead of taking most of the RAM.
  const limit = process.env['BENCH_MEMORY_LIMIT'] ?? '6GB';
  if (!/^[0-9]+(MB|GB)$/.test(limit)) throw new Error('BENCH_MEMORY_LIMIT takes a size such as 6GB');
  await rt.store.withWriteConnection((c) => c.run(`SET memory_limit = '${limit}'`));
  const csv = join(dir, 'lines.csv');
  const wl = join(dir, 'watchlist.csv');
  await writeFiles(csv, wl);
  const scope = localOperatorScope('bench');
  stage('files written');
  let t = performance.now();
  await ingestFile({ store: rt.store, registry: rt.registry }, csv, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench' });
  const ingestS = (performance.now() - t) / 1000;
  await loadList({ store: rt.store }, [wl], { format: 'csv' });
  const lists = ['internal-demo (50 entries)'];
  if (existsSync(SDN)) {
    await loadList({ store: rt.store }, [SDN], { format: 'ofac-csv' });
    lists.push('OFAC SDN 2021-07');
  }
  stage('ingested, lists loaded');
  t = performance.now();
  const res = await resolveParties(rt.store, scope, []);
  const resolveS = (performance.now() - t) / 1000;
  stage(`resolved in ${resolveS.toFixed(1)} s`);
  t = performance.now();
  const scr = await screenAll(rt.store, scope, hitDecisions(decisionStore(rt.control)));
  const screenS = (performance.now() - t) / 1000;
  stage(`screened in ${screenS.toFixed(1)} s`);
  t = performance.now();
  const again = await screenAll(rt.store, scope, hitDecisions(decisionStore(rt.control)));
  const rescreenS = (performance.now() - t) / 1000;
  const out = {
    rows: ROWS,
    lists,
    ingest_s: +ingestS.toFixed(1),
    resolve_s: +resolveS.toFixed(1),
    parties: res.parties,
    screen_all_s: +screenS.toFixed(1),
    per_list: scr.lists.map((l) => ({ list: l.list, subjects: l.subjects, candidates: l.candidates, hits_open: l.hits_open, seconds: l.seconds })),
    rescreen_unchanged_s: +rescreenS.toFixed(1),
    rescreen_candidates: again.lists.reduce((a, l) => a + l.candidates, 0),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    duckdb_memory_limit: limit,
    target_s: 60,
    note: 'measured on a shared 2-core machine under contention',
  };
  process.stdout.write(`${JSON.stringify({ screen_all: out }, null, 2)}\n`);
} finally {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
}
