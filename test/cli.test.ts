/**
 * The `parallax` command as a user runs it: a real process through bin/parallax.js, JSON on stdout,
 * messages on stderr, meaningful exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CANONICAL_HEADER, canonicalLine } from './temp-runtime.ts';

const BIN = resolve('bin/parallax.js');
let dir: string;
let data: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: data } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-cli-'));
  data = join(dir, 'data');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallax CLI', () => {
  it('--help lists the commands', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['ingest', 'batches', 'quarantine', 'explore', 'lines', 'serve', 'generate', 'demo', 'profiles', 'init']) expect(r.out).toContain(c);
  });

  it('ingest --json prints one object per batch; a repeat is a duplicate', () => {
    const f = join(dir, 'a.csv');
    writeFileSync(f, `${CANONICAL_HEADER}\n${canonicalLine()}\n${canonicalLine({ declaration_id: 'D2', value: 'x' })}\n`);
    const g = join(dir, 'b.csv');
    writeFileSync(g, `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'D3', origin_country: 'VN' })}\n`);
    const r = cli('ingest', f, g, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--json');
    expect(r.code).toBe(0);
    const objs = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(objs).toHaveLength(2);
    expect(objs[0]).toMatchObject({ batch_id: 'B000001', rows_read: 2, rows_accepted: 1, rows_rejected: 1, duplicate: false });
    expect(objs[1]).toMatchObject({ batch_id: 'B000002', rows_read: 1, rows_accepted: 1, duplicate: false });
    const again = cli('ingest', f, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--json');
    expect(JSON.parse(again.out)).toMatchObject({ batch_id: 'B000001', duplicate: true });
  });

  it('batches, quarantine and explore print tables or JSON lines', () => {
    expect(cli('batches').out).toMatch(/B000001\s+committed/);
    const q = cli('quarantine', 'B000001', '--json');
    expect(JSON.parse(q.out)).toMatchObject({ batch_id: 'B000001', line: 3, field: 'value', reason: 'not a number' });
    const e = cli('explore', '--by', 'origin', '--measure', 'value,lines', '--json', '--sort', 'origin:asc');
    expect(e.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { origin: 'CN', value: 1000, lines: 1 },
      { origin: 'VN', value: 1000, lines: 1 },
    ]);
    const human = cli('explore', '--by', 'origin', '--top', '1');
    expect(human.out).toMatch(/groups 1–1 of 2; next page: --offset 1/);
    const l = cli('lines', '--cell', '{"origin":"VN"}', '--json');
    expect(JSON.parse(l.out)).toMatchObject({ declaration_id: 'D3', origin_country: 'VN' });
  });

  it('exit codes: 2 for usage, 3 for bad input, with what to do next', () => {
    const u = cli('explore', '--by', 'colour');
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/unknown dimension "colour": use one of/);
    const p = cli('ingest', join(dir, 'a.csv'), '--profile', 'canonical', '--category', 'trade');
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--provider is required/);
    const missing = join(dir, 'nohs.csv');
    writeFileSync(missing, 'declaration_id,flow,date,value\nD1,import,2024-01-01,5\n');
    const b = cli('ingest', missing, '--profile', 'canonical', '--category', 'trade', '--provider', 'US');
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/nohs\.csv:1: field "hs_code": required column hs_code is missing/);
    expect(cli('quarantine', 'B999999').code).toBe(2);
  });
});

describe('parallax users', () => {
  const withStdin = (input: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, PARALLAX_DATA: data } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('bootstraps the master administrator once, adds users, lists and unlocks with a reason', () => {
    expect(withStdin('master passphrase 1\n', 'users', 'create-master', 'chief', '--password-stdin').code).toBe(0);
    const again = withStdin('master passphrase 1\n', 'users', 'create-master', 'chief2', '--password-stdin');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/master administrator already exists/);
    expect(withStdin('officer passphrase\n', 'users', 'add', 'olga', '--role', 'customs-officer', '--password-stdin').code).toBe(0);
    const partner = withStdin('partner passphrase\n', 'users', 'add', 'pat', '--role', 'partner-analyst', '--password-stdin');
    expect(partner.code).toBe(2);
    expect(partner.err).toMatch(/--provider/);
    expect(withStdin('x\n', 'users', 'add', 'weak', '--role', 'investigator', '--password-stdin').err).toMatch(/password: at least 12 characters/);
    expect(cli('users', 'add', 'nopw', '--role', 'investigator').err).toMatch(/--password-stdin/);
    expect(withStdin('officer passphrase\n', 'users', 'add', 'bad', '--role', 'overlord', '--password-stdin').code).toBe(2);
    const list = cli('users', 'list', '--json');
    const accounts = list.out.trim().split('\n').map((l) => JSON.parse(l) as { name: string; role: string; status: string });
    expect(accounts.map((a) => [a.name, a.role, a.status])).toEqual([['chief', 'master-administrator', 'active'], ['olga', 'customs-officer', 'active']]);
    expect(list.out).not.toMatch(/argon2|passphrase/);
    const notLocked = cli('users', 'unlock', 'olga', '--reason', 'phone call with supervisor');
    expect(notLocked.code).toBe(2);
    expect(notLocked.err).toMatch(/olga is active; cannot unlock/);
  });

  it('audit verify reports an intact chain covering the user commands', () => {
    const r = cli('audit', 'verify', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ intact: true });
    expect(JSON.parse(r.out).records).toBeGreaterThan(8);
  });
});

describe('PARALLAX_USER', () => {
  it('runs a command with the named account\'s policy scope, audited as that account', () => {
    const asUser = (user: string, ...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: data, PARALLAX_USER: user } });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const f = join(dir, 'scope.csv');
    writeFileSync(f, `${CANONICAL_HEADER}\n${[1, 2, 3, 4].map((i) => canonicalLine({ declaration_id: `S${i}`, origin_country: 'TH', importer_id: `TH${i}` })).join('\n')}\n${canonicalLine({ declaration_id: 'S9', origin_country: 'LA', importer_id: 'LA1' })}\n`);
    expect(cli('ingest', f, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--json').code).toBe(0);
    const boss = spawnSync(process.execPath, [BIN, 'users', 'add', 'boss', '--role', 'executive', '--password-stdin'], { encoding: 'utf8', input: 'executive passphrase\n', env: { ...process.env, PARALLAX_DATA: data } });
    expect(boss.status).toBe(0);
    const denied = asUser('boss', 'explore', '--by', 'importer', '--json');
    expect(denied.code).toBe(5);
    expect(denied.err).toMatch(/named-party fields/);
    const lines = asUser('boss', 'lines', '--json');
    expect(lines.code).toBe(5);
    const agg = asUser('boss', 'explore', '--by', 'origin', '--json');
    expect(agg.code).toBe(0);
    expect(agg.out).toMatch(/"suppressed":true/);
    expect(asUser('nobody', 'explore', '--by', 'origin').err).toMatch(/PARALLAX_USER=nobody: no active account/);
  });
});

describe('parallax report', () => {
  it('runs a one-off report as JSON lines or writes a file; usage errors exit 2', () => {
    const f = join(dir, 'report.csv');
    writeFileSync(f, `${CANONICAL_HEADER}\n${[1, 2, 3].map((i) => canonicalLine({ declaration_id: `R${i}`, origin_country: 'KE', importer_id: `KE${i}`, value: 100 * i })).join('\n')}\n`);
    expect(cli('ingest', f, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--json').code).toBe(0);
    const r = cli('report', '--measure', 'import-value,lines', '--by', 'origin', '--where', 'origin = KE', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n')[0]!)).toMatchObject({ origin: 'KE', 'import-value': 600, lines: 3 });
    const out = join(dir, 'r.xlsx');
    const w = cli('report', '--measure', 'lines', '--by', 'origin', '--format', 'xlsx', '--out', out);
    expect(w.code).toBe(0);
    expect(w.out).toMatch(/^wrote .*r\.xlsx: \d+ rows/);
    expect(cli('report', '--by', 'origin').code).toBe(2);
    expect(cli('report', '--measure', 'lines', '--format', 'docx', '--out', out).code).toBe(2);
  });
});
