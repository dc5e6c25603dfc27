/**
 * `parallax retention | purge | register | transparency` as an operator runs them: real processes through
 * bin/parallax.js on a real data directory, with the exit codes and messages scripts rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CANONICAL_HEADER, canonicalLine } from '../../test/temp-runtime.ts';

const BIN = resolve('bin/parallax.js');
let dir: string;
let data: string;

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, PARALLAX_DATA: data };
  delete env['PARALLAX_DATABASE_URL'];
  delete env['PARALLAX_USER'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-privacy-cli-'));
  data = join(dir, 'data');
  const file = join(dir, 'b.csv');
  writeFileSync(file, `${[CANONICAL_HEADER, canonicalLine({ declaration_id: 'OLD', date: '2003-04-01' }), canonicalLine({ declaration_id: 'NEW', date: '2025-04-01' })].join('\n')}\n`);
  expect(cli('ingest', file, '--profile', 'canonical', '--category', 'trade', '--provider', 'US').code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallax privacy commands', () => {
  it('retention shows the defaults; set refuses bad input with exit 2 and a message naming the fix', () => {
    const r = cli('retention');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trade\s+10\s+loading\s+default/);
    expect(r.out).toMatch(/no active legal holds/);
    const bad = cli('retention', 'set', 'trade', '--years', 'ten', '--reason', 'because');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/years must be a whole number from 1 to 100/);
    expect(cli('retention', 'set', 'watchlist', '--years', '3', '--reason', 'because').err).toMatch(/use one of trade, financial, enforcement/);
    expect(cli('retention', 'set', 'trade', '--years', '3', '--basis', 'forever', '--reason', 'because').code).toBe(2);
    const ok = cli('retention', 'set', 'trade', '--years', '15', '--basis', 'record-date', '--reason', 'records act', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ category: 'trade', years: 15, basis: 'record-date' });
  });

  it('purge --dry-run previews, a hold blocks, purge removes, and each run is on record', () => {
    expect(cli('purge', '--as-of', '2026-13-01').err).toMatch(/--as-of takes a date, YYYY-MM-DD/);
    const preview = cli('purge', '--dry-run', '--as-of', '2026-06-01', '--json');
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.out)).toMatchObject({ dryRun: true, rowsRemoved: 1 });
    expect(cli('retention', 'hold', '--reason', 'case 5').err).toMatch(/exactly one of --batch, --provider or --category/);
    expect(cli('retention', 'hold', '--provider', 'US', '--reason', 'case 5').out).toBe('legal hold 1 placed on provider US\n');
    const held = cli('purge', '--as-of', '2026-06-01');
    expect(held.code).toBe(0);
    expect(held.out).toMatch(/0 row\(s\) removed, 1 legal hold\(s\) active/);
    expect(cli('retention', 'release', '1', '--reason', 'case closed').out).toBe('legal hold 1 on provider US released\n');
    const again = cli('retention', 'release', '1', '--reason', 'case closed');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already released/);
    const done = cli('purge', '--as-of', '2026-06-01', '--json');
    expect(JSON.parse(done.out)).toMatchObject({ dryRun: false, rowsRemoved: 1, purgeId: 2 });
    expect(cli('retention').out).toMatch(/purge\s+at\s+by\s+as of\s+rows removed[\s\S]*\n\s*2\s.*2026-06-01\s+1\n/);
  });

  it('register prints the sources and writes CSV; transparency counts by period', () => {
    const reg = cli('register', '--json');
    expect(reg.code).toBe(0);
    expect(JSON.parse(reg.out).entries).toMatchObject([{ category: 'trade', provider: 'US', records: 1, retention: "15 years from the record's date" }]);
    const out = join(dir, 'register.csv');
    expect(cli('register', '--csv', '--out', out).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toMatch(/^source,destination,full_name,classification/);
    const tr = cli('transparency', '--period', 'year', '--json');
    expect(tr.code).toBe(0);
    expect(JSON.parse(tr.out).totals).toMatchObject({ purges: 2, purgedRows: 1, loads: 1 });
    expect(cli('transparency', '--period', 'week').code).toBe(2);
    expect(cli('transparency').out).toMatch(/\(incomplete\)/);
  });
});
