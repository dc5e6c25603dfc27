/**
 * Test support: a runtime on a fresh temporary data directory (real DuckDB file, real SQLite file, or the
 * throw-away PostgreSQL server when asked), removed afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime, type Runtime } from '../src/runtime/index.ts';
import type { AccessOptions } from '../src/accounts/index.ts';

export interface TempRuntime {
  rt: Runtime;
  dir: string;
  file(name: string, content: string | Buffer): string;
  cleanup(): Promise<void>;
}

export async function tempRuntime(opts: { databaseUrl?: string; access?: AccessOptions } = {}): Promise<TempRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-test-'));
  const rt = await openRuntime({ dataDir: join(dir, 'data'), databaseUrl: opts.databaseUrl ?? '', access: opts.access });
  return {
    rt,
    dir,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    async cleanup() {
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fingerprint of everything loaded: row counts and value sums per table and the batch list. */
export async function storeFingerprint(rt: Runtime): Promise<string> {
  const parts: string[] = [];
  await rt.store.withWriteConnection(async (c) => {
    for (const t of ['trade_lines', 'trade_lines_history', 'payments', 'payments_history', 'mirror_stats', 'batch_commits']) {
      const r = await c.runAndReadAll(`SELECT count(*)::VARCHAR, coalesce(sum(hash(x)), 0)::VARCHAR FROM ${t} x`);
      parts.push(`${t}:${r.getRows()[0]!.join('/')}`);
    }
  });
  const batches = await rt.registry.list();
  parts.push(JSON.stringify(batches.map((b) => [b.batch_id, b.status, b.rows_accepted])));
  const q = await rt.control.db.selectFrom('quarantine').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  parts.push(`q:${String(q?.n)}`);
  return parts.join('|');
}

export const CANONICAL_HEADER =
  'declaration_id,line_no,flow,date,reporter,origin_country,departure_country,destination_country,hs_code,description,importer_id,importer_name,exporter_id,exporter_name,manufacturer_name,declarant_id,value,currency,valuation_basis,quantity,quantity_unit,net_mass_kg,port_code,transport_mode,invoice_ref,duty_amount,tax_rate,inspected,fraud,seized';

/** A canonical line with sensible defaults; override any field by name. */
export function canonicalLine(over: Record<string, string | number> = {}): string {
  const base: Record<string, string | number> = {
    declaration_id: 'D1', line_no: 1, flow: 'import', date: '2024-03-05', reporter: 'US', origin_country: 'CN',
    departure_country: 'CN', destination_country: '', hs_code: '720851', description: 'steel plate', importer_id: 'IMP1',
    importer_name: 'Acme Steel LLC', exporter_id: 'EXP1', exporter_name: 'Hebei Iron Co Ltd', manufacturer_name: '',
    declarant_id: 'BRK1', value: 1000, currency: 'USD', valuation_basis: 'CIF', quantity: 10, quantity_unit: 'KG',
    net_mass_kg: 10, port_code: 'USLAX', transport_mode: 'sea', invoice_ref: 'INV-1', duty_amount: 0, tax_rate: 0,
    inspected: 0, fraud: 0, seized: 0,
  };
  const row = { ...base, ...over };
  return CANONICAL_HEADER.split(',').map((k) => String(row[k] ?? '')).join(',');
}
