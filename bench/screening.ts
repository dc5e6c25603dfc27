/**
 * Screening latency: one name at a time against the full OFAC SDN 2021-07 list (../shared/data), through the
 * same scoped path the CLI and API use. Prints index build time and p50/p99 over 1,000 names (varied
 * spellings of listed names and unlisted names). Skips with a message when the shared data is absent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRuntime } from '../src/runtime/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { loadList } from '../src/watchlists/load-list.ts';
import { showEntries } from '../src/watchlists/list-queries.ts';
import { screenName } from '../src/screening/screen-name.ts';

const DIR = resolve('../shared/data/sanctions/ofac-sdn-2021-07');
const N = 1000;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

if (!existsSync(DIR)) {
  process.stdout.write(`screening bench skipped: ${DIR} is absent\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-screen-'));
  const rt = await openRuntime({ dataDir: dir });
  try {
    const v = await loadList({ store: rt.store }, [DIR], { format: 'ofac-csv' });
    const db = scopedDb(rt.store, localOperatorScope('bench'));
    const page = await showEntries(db, v.version_id, { limit: 10_000 });
    const t0 = performance.now();
    await screenName(db, 'warm up', { listVersion: v.version_id });
    const buildMs = performance.now() - t0;
    const names = Array.from({ length: N }, (_, i) => {
      if (i % 4 === 3) return `${['Anna', 'Peter', 'Global', 'Northern'][i % 4]} ${['Kowalski', 'Trading House', 'Holdings', 'Ferreira'][(i * 3) % 4]} ${i}`;
      const toks = page.entries[(i * 7919) % page.entries.length]!.name.split(/\s+/);
      return (i % 2 ? [...toks.slice(1), toks[0]] : toks).join(' ');
    });
    const times: number[] = [];
    for (const name of names) {
      const s = performance.now();
      await screenName(db, name, { listVersion: v.version_id, limit: 10 });
      times.push(performance.now() - s);
    }
    const result = {
      list: 'OFAC SDN 2021-07',
      entries: page.total,
      index_build_ms: Math.round(buildMs),
      names: N,
      p50_ms: +pct(times, 50).toFixed(2),
      p99_ms: +pct(times, 99).toFixed(2),
      target_p99_ms: 20,
    };
    process.stdout.write(`${JSON.stringify({ screening: result }, null, 2)}\n`);
  } finally {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
