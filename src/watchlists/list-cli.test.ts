/**
 * `parallax lists ...` as a user runs it: a real process through bin/parallax.js, JSON lines on stdout,
 * messages on stderr, meaningful exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/parallax.js');
const F = resolve('test/fixtures/watchlists');
let dir: string;
let data: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: data } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-lists-cli-'));
  data = join(dir, 'data');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallax lists', () => {
  it('lists load --json prints one object per version; a repeat is a duplicate', () => {
    const a = cli('lists', 'load', join(F, 'ofac-csv'), '--format', 'ofac-csv', '--publish-date', '2024-01-05', '--json');
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(jsonLines(a.out)).toEqual([expect.objectContaining({ version_id: 'LV000001', list_id: 'us-ofac-sdn', record_count: 6, publish_date: '2024-01-05', duplicate: false })]);
    const b = cli('lists', 'load', join(F, 'ofac-sdn-2024-namespace.xml'), '--format', 'ofac-xml', '--json');
    expect(jsonLines(b.out)).toEqual([expect.objectContaining({ version_id: 'LV000002', publish_date: '2024-05-10', record_count: 4 })]);
    const again = cli('lists', 'load', join(F, 'ofac-csv', 'sdn.csv'), join(F, 'ofac-csv', 'alt.csv'), join(F, 'ofac-csv', 'add.csv'), join(F, 'ofac-csv', 'sdn_comments.csv'), '--format', 'ofac-csv', '--json');
    expect(jsonLines(again.out)).toEqual([expect.objectContaining({ version_id: 'LV000001', duplicate: true })]);
    const human = cli('lists', 'load', join(F, 'internal-list.csv'), '--format', 'csv');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^LV000003 {2}internal-demo \(csv\): 4 entries, published on an unknown date/);
  });

  it('lists diff --json: a summary, then one object per added, removed or changed entry', () => {
    const r = cli('lists', 'diff', 'LV000001', 'LV000002', '--json');
    expect(r.code).toBe(0);
    const [summary, ...items] = jsonLines(r.out);
    expect(summary).toMatchObject({ kind: 'summary', a: 'LV000001', b: 'LV000002', list_id: 'us-ofac-sdn', added: 0, removed: 2, changed: 4, unchanged: 0, skipped_fields: [] });
    expect(items).toHaveLength(6);
    expect(items[0]).toEqual({ kind: 'entry', change: 'removed', entry_id: '1005', entry_type: 'aircraft', name: 'SKY PEARL', fields: [] });
    expect(items.filter((i) => i['change'] === 'changed').every((i) => (i['fields'] as string[]).includes('remarks'))).toBe(true);
    const human = cli('lists', 'diff', 'LV000001', 'LV000002', '--limit', '2');
    expect(human.out).toMatch(/us-ofac-sdn LV000001 -> LV000002: 0 added, 2 removed, 4 changed, 0 unchanged/);
    expect(human.out).toMatch(/showing 2 of 6 differences/);
  });

  it('lists and lists show: versions, entries, search, paging', () => {
    const v = cli('lists', '--json');
    expect(jsonLines(v.out).map((x) => x['version_id'])).toEqual(['LV000001', 'LV000002', 'LV000003']);
    expect(cli('lists').out).toMatch(/LV000002\s+us-ofac-sdn\s+ofac-xml\s+US Treasury OFAC\s+2024-05-10\s+4/);
    const s = cli('lists', 'show', 'LV000001', '--search', 'karimov', '--json');
    expect(jsonLines(s.out)).toEqual([expect.objectContaining({ version_id: 'LV000001', entry_id: '1002', countries: ['RU', 'UZ'] })]);
    const page = cli('lists', 'show', 'LV000001', '--limit', '2');
    expect(page.out).toMatch(/entries 1–2 of 6; next page: --offset 2/);
  });

  it('names are shown as data: formula text verbatim, control characters made visible', () => {
    const f = join(dir, 'ctl.csv');
    writeFileSync(f, `list_id,entry_id,type,name\nctl,1,company,"ACME \u001b[31mRED\u001b[0m LTD"\nctl,2,company,=cmd|' /C calc'!A0\n`);
    expect(cli('lists', 'load', f, '--format', 'csv').code).toBe(0);
    const human = cli('lists', 'show', 'LV000004');
    expect(human.out).not.toContain('\u001b');
    expect(human.out).toContain('ACME \uFFFD[31mRED\uFFFD[0m LTD');
    expect(human.out).toContain("=cmd|' /C calc'!A0");
    const json = jsonLines(cli('lists', 'show', 'LV000004', '--json').out);
    expect(json.map((e) => e['name'])).toEqual(['ACME \u001b[31mRED\u001b[0m LTD', "=cmd|' /C calc'!A0"]);
  });

  it('exit codes: 3 for a bad file (nothing stored), 2 for usage', () => {
    const bomb = join(dir, 'bomb.xml');
    writeFileSync(bomb, '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<sdnList>&b;</sdnList>\n');
    const b = cli('lists', 'load', bomb, '--format', 'ofac-xml');
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/bomb\.xml:2: the XML contains a DOCTYPE declaration, which is refused/);
    expect(jsonLines(cli('lists', '--json').out)).toHaveLength(4);
    expect(cli('lists', 'load', bomb, '--format', 'xlsx').code).toBe(2);
    expect(cli('lists', 'load', bomb, '--format', 'ofac-xml', '--publish-date', '3 May 2024').code).toBe(2);
    const unknown = cli('lists', 'show', 'LV000099');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no list version LV000099/);
    expect(cli('lists', 'diff', 'LV000001', 'LV000003').err).toMatch(/only versions of one list can be compared/);
  });
});
