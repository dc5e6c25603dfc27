/**
 * `parallax audit …` as an operator runs it: a real process through bin/parallax.js on a real data
 * directory; verify's exit code is what a scheduler alerts on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const BIN = resolve('bin/parallax.js');
let dir: string;
let data: string;

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, PARALLAX_DATA: data };
  delete env['PARALLAX_DATABASE_URL'];
  delete env['PARALLAX_AUDIT_KEY_DIR'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-audit-cli-'));
  data = join(dir, 'data');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallax audit', () => {
  it('verify exits 0 on an intact trail and says what it checked and cannot detect', () => {
    const first = cli('audit', 'checkpoint');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^head signed: record 1 /);
    const cp = cli('audit', 'checkpoint', '--json');
    expect(cp.code).toBe(0);
    expect(JSON.parse(cp.out)).toMatchObject({ lastEventId: 2 });
    const r = cli('audit', 'verify');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^audit trail intact: 2 record\(s\)/);
    expect(r.out).toMatch(/checked:\n {2}- hash chain: 2 record\(s\)/);
    expect(r.out).toMatch(/cannot detect:\n {2}- records after the last checkpoint \(record 2\)/);
  });

  it('export writes verifiable JSON lines', () => {
    const f = join(dir, 'trail.jsonl');
    const r = cli('audit', 'export', '--out', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote 3 record\(s\) and \d checkpoint\(s\)/);
    const lines = readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; event?: string; hash?: string });
    expect(lines[0]!.type).toBe('header');
    expect(lines.filter((l) => l.type === 'event').map((l) => l.event)).toEqual(['audit-checkpoint', 'audit-checkpoint', 'audit-verify']);
    expect(cli('audit', 'export', '--from', 'yesterday').code).toBe(2);
  });

  it('verify exits 1 and names the first bad record after an edit in the database', () => {
    const db = new Database(join(data, 'control.sqlite'));
    try {
      db.prepare("UPDATE audit_events SET principal = 'someone-else' WHERE id = 2").run();
    } finally {
      db.close();
    }
    const r = cli('audit', 'verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^audit trail NOT intact: first bad record 2 \(edited\)/);
    const j = cli('audit', 'verify', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ intact: false, firstBad: { id: 2, kind: 'edited' } });
  });
});
