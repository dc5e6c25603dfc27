/**
 * A batch is atomic even under kill -9: a real `parallax ingest` process is killed while it loads, then
 * the store must show nothing of that batch (or all of it, if the kill came after the commit), and a
 * re-run must complete the load exactly once.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { openRuntime } from '../src/runtime/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { explore } from '../src/explore/index.ts';
import { CANONICAL_HEADER } from './temp-runtime.ts';

const ROWS = 300_000;
const BIN = resolve('bin/parallax.js');

async function writeBigCsv(path: string): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const cols = CANONICAL_HEADER.split(',');
  const expr: Record<string, string> = {
    declaration_id: "'K' || i::VARCHAR", line_no: '1', flow: "'import'", date: "DATE '2024-01-01' + (i % 365)::INTEGER",
    reporter: "'US'", origin_country: "['CN','VN','MX'][1 + i % 3]", hs_code: "'720851'", value: '(100 + i % 1000)::DOUBLE',
    quantity: '(1 + i % 9)::DOUBLE', port_code: "'USLAX'", importer_id: "'IMP' || (i % 5000)::VARCHAR",
  };
  const select = cols.map((col) => `${expr[col] ?? 'NULL'} AS ${col}`).join(', ');
  await c.run(`COPY (SELECT ${select} FROM range(${ROWS}) r(i) ORDER BY i) TO '${path}' (HEADER, DELIMITER ',')`);
  c.closeSync();
  inst.closeSync();
}

function runIngest(file: string, data: string, fault?: string) {
  const env = { ...process.env };
  if (fault) env['PARALLAX_INGEST_FAULT'] = fault;
  else delete env['PARALLAX_INGEST_FAULT'];
  return spawn(process.execPath, [BIN, 'ingest', file, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--data', data, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
}

function waitForFaultPoint(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`FAULT-POINT ${name}`)) resolveWait();
    });
    child.on('exit', () => reject(new Error(`ingest exited before reaching ${name}`)));
  });
}

/** Batches the control store shows as still loading, read from another process as a user would. */
async function loadingBatches(data: string): Promise<number> {
  const path = join(data, 'control.sqlite');
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM batches WHERE status = 'loading'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('kill -9 during ingest', () => {
  // Exact phases through the fault hook: staged (before the transaction), inserted (inside it, rows written
  // but not committed), committed (DuckDB committed, control store not yet told); and one timed kill.
  it.each([
    { at: 'staged', visible: 0 },
    { at: 'inserted', visible: 0 },
    { at: 'committed', visible: ROWS },
  ])('killed at $at: all or nothing is visible, and a re-run completes the load exactly once', async ({ at, visible }) => {
    const dir = mkdtempSync(join(tmpdir(), 'parallax-kill-'));
    try {
      const file = join(dir, 'big.csv');
      await writeBigCsv(file);
      const data = join(dir, 'data');
      const child = runIngest(file, data, at);
      const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(signal ? null : code)));
      await waitForFaultPoint(child, at);
      expect(await loadingBatches(data)).toBe(1);
      child.kill('SIGKILL');
      await exited;

      const rt = await openRuntime({ dataDir: data });
      try {
        const seen = await explore(scopedDb(rt.store, localOperatorScope()), { by: [], measures: ['lines'] });
        const lines = Number(seen.totals['lines'] ?? 0);
        // All or nothing: never a partial batch.
        expect(lines).toBe(visible);
      } finally {
        await rt.close();
      }

      const again = runIngest(file, data);
      let out = '';
      again.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => again.on('exit', r));
      expect(code).toBe(0);
      const result = JSON.parse(out.trim().split('\n').pop()!);
      expect(result.rows_accepted).toBe(ROWS);

      const rt2 = await openRuntime({ dataDir: data });
      try {
        const seen = await explore(scopedDb(rt2.store, localOperatorScope()), { by: [], measures: ['lines'] });
        expect(seen.totals['lines']).toBe(ROWS);
        const batches = await rt2.registry.list();
        expect(batches.filter((b) => b.status === 'committed')).toHaveLength(1);
        expect(batches.filter((b) => b.status === 'loading')).toHaveLength(0);
        // Batch ids are never reused: the killed attempt keeps B000001 whether recovery discarded it (the
        // re-run is B000002) or rolled it forward (the re-run, a duplicate, used and discarded B000002).
        expect(batches[0]!.batch_id).toBe(visible ? 'B000001' : 'B000002');
        // Both the attempt and its settling are in the audit trail.
        const trail = (await rt2.audit.page({ limit: 100 })).rows.filter((e) => e.event.startsWith('ingest-'));
        const of = (event: string, id: string) => trail.filter((e) => e.event === event && e.objectIds.includes(id));
        expect(of('ingest-attempt', 'B000001')).toHaveLength(1);
        expect(of('ingest-attempt', 'B000002')).toHaveLength(1);
        if (visible) expect(of('ingest-discard', 'B000002')[0]?.detail).toMatch(/same bytes as B000001/);
        else expect(of('ingest-discard', 'B000001')[0]?.detail).toMatch(/interrupted load/);
        expect((await rt2.registry.begin({ dataset: 'trade_lines', category: 'trade', provider: 'US', profile: 'canonical', file_name: 'next.csv', sha256: 'x', size_bytes: 1, loaded_by: 't', started_at: new Date().toISOString() })).batch_id).toBe('B000003');
      } finally {
        await rt2.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
