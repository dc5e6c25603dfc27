/**
 * Recall of screening on the real OFAC SDN 2021-07 list (8,976 entries) in ../shared/data: how often a varied
 * spelling of a listed name finds its entry, and that unlisted names stay unmatched. Latency is measured by
 * `npm run bench` (bench/screening.ts), not here. Skips (and says so) when the shared folder is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { loadList, type ListVersion } from '../watchlists/load-list.ts';
import { showEntries } from '../watchlists/list-queries.ts';
import { screenName } from './screen-name.ts';

const DIR = resolve('../shared/data/sanctions/ofac-sdn-2021-07');
const present = existsSync(DIR);
let t: TempRuntime;
let v: ListVersion;

/** Deterministic variations a screener meets: reordered tokens, a dropped letter, "LAST, First". */
function vary(name: string, i: number): string {
  const toks = name.split(/\s+/).filter(Boolean);
  if (i % 3 === 0 && toks.length > 1) return [...toks.slice(1), toks[0]].join(' ');
  if (i % 3 === 1) {
    const k = toks.findIndex((x) => x.length > 6);
    if (k >= 0) toks[k] = toks[k]!.slice(0, 3) + toks[k]!.slice(4);
    return toks.join(' ');
  }
  return name;
}

describe.skipIf(!present)(`screening recall on ${DIR}${present ? '' : ' (absent: skipped)'}`, () => {
  beforeAll(async () => {
    t = await tempRuntime();
    v = await loadList({ store: t.rt.store }, [DIR], { format: 'ofac-csv' });
  });
  afterAll(async () => t?.cleanup());

  it('varied spellings of 150 listed names find their entry; 50 unlisted names match nothing', async () => {
    const db = scopedDb(t.rt.store, localOperatorScope('test'));
    const page = await showEntries(db, v.version_id, { limit: 10_000 });
    const step = Math.floor(page.entries.length / 150);
    const listed = Array.from({ length: 150 }, (_, i) => page.entries[i * step]!);
    const unlisted = Array.from({ length: 50 }, (_, i) => `${['Anna', 'Peter', 'Global', 'Northern', 'Blue'][i % 5]} ${['Kowalski', 'Trading House', 'Holdings', 'Star Logistics', 'Ferreira'][(i * 3) % 5]} ${i}`);
    let found = 0;
    let unlistedMatches = 0;
    for (let i = 0; i < 200; i++) {
      const e = i < 150 ? listed[i]! : null;
      const name = e ? vary(e.name, i) : unlisted[i - 150]!;
      const r = await screenName(db, name, { listVersion: v.version_id, limit: 10 });
      if (e && r.results.some((x) => x.entry_id === e.entry_id && x.match)) found++;
      if (!e && r.results.some((x) => x.match)) unlistedMatches++;
    }
    console.log(`OFAC 2021-07: ${page.total} entries; varied listed names matched ${found}/150; unlisted names matched ${unlistedMatches}/50`);
    expect(found).toBeGreaterThanOrEqual(135);
  });
});
