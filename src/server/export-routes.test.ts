// CSV exports through the real app: scoped, suppressed at aggregate level, charged to the quota, audited
// and written to the disclosure ledger; the export that crosses the quota locks the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { signIn } from '../../test/signed-in.ts';

let t: TempRuntime;
let app: FastifyInstance;

beforeAll(async () => {
  t = await tempRuntime({ access: { settings: { quotas: { 'customs-officer': { rows: 30, bytes: 10_000_000 } } as never, signInRatePerMinute: 1000 } } });
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => canonicalLine({ declaration_id: `C${i}`, origin_country: 'CN', importer_id: `I${i % 5}`, value: 100 + i, description: 'steel' })),
    canonicalLine({ declaration_id: 'V1', origin_country: 'VN', importer_id: 'ONLY', value: 999 }),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${[CANONICAL_HEADER, ...rows].join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  app = buildApp(t.rt);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

describe('CSV exports', () => {
  it('exports the lines behind a cell as CSV and records the disclosure with the purpose of the session', async () => {
    const inv = await signIn(app, t.rt, 'investigator', { purpose: 'case 2026-117' });
    const r = await inv.get(`/api/export/lines?cell=${encodeURIComponent(JSON.stringify({ origin: 'CN' }))}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toBe('attachment; filename="lines-trade.csv"');
    const csv = r.body.trim().split('\r\n');
    expect(csv).toHaveLength(21);
    expect(csv[0]).toMatch(/^row_id,batch_id,provider/);
    const d = await t.rt.auditTrail.disclosures.list({ principal: inv.name, limit: 10 });
    expect(d.rows ?? d).toEqual(expect.arrayContaining([expect.objectContaining({ nature: 'export lines csv (trade)', purpose: 'case 2026-117', rowCount: 20, recipient: inv.name })]));
    const ev = (await t.rt.audit.recent(10)).find((e) => e.event === 'export');
    expect(ev).toMatchObject({ principal: inv.name, outcome: 'allowed', rowCount: 20, purpose: 'case 2026-117' });
  });

  it('an executive exports aggregates with small cells written as "suppressed" and cannot export lines', async () => {
    const ex = await signIn(app, t.rt, 'executive');
    const r = await ex.get('/api/export/explore?by=origin&measure=value,lines');
    expect(r.statusCode).toBe(200);
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toBe('Country of origin,Value (declared currency),Lines');
    expect(lines.find((l) => l.startsWith('VN'))).toBe('VN,suppressed,suppressed');
    expect((await ex.get('/api/export/lines')).statusCode).toBe(403);
  });

  it('the export that crosses the quota is refused and locks the account', async () => {
    const off = await signIn(app, t.rt, 'customs-officer');
    expect((await off.get('/api/export/lines?where=origin%20%3D%20CN')).statusCode).toBe(200);
    const over = await off.get('/api/export/lines?where=origin%20%3D%20CN');
    expect(over.statusCode).toBe(423);
    expect(over.body).not.toContain('steel');
    expect((await t.rt.access.accounts.get(off.name))!.status).toBe('locked');
  });
});
