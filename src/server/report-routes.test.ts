import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { ingestFile } from '../ingest/index.ts';
import { buildApp } from './index.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

/** The text a PDF shows: its deflated content streams inflated, the hex strings of each TJ array joined. */
const pdfText = (pdf: Buffer) =>
  [...pdf.toString('latin1').matchAll(/\/Length (\d+)\n\/Filter \/FlateDecode\n>>\nstream\n/g)]
    .map((m) => inflateSync(pdf.subarray(m.index! + m[0].length, m.index! + m[0].length + Number(m[1]))).toString('latin1'))
    .flatMap((stream) => [...stream.matchAll(/\[([^\]]*)\] TJ/g)].map((tj) => [...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join('')));

let t: TempRuntime;
let app: FastifyInstance;
let investigator: TestClient;
let executive: TestClient;

beforeAll(async () => {
  t = await tempRuntime();
  const rows: string[] = [];
  let n = 0;
  const add = (date: string, port: string, origin: string, importer: string, value: number, hs = '720851') =>
    rows.push(canonicalLine({ declaration_id: `H${n++}`, date, port_code: port, origin_country: origin, departure_country: origin, importer_id: importer, value, hs_code: hs }));
  for (const year of ['2023', '2024']) {
    for (let i = 0; i < 4; i++) add(`${year}-0${i + 1}-10`, 'USLAX', 'CN', `L${i}`, 100 * (i + 1) * (year === '2024' ? 2 : 1));
    add(`${year}-05-10`, 'USNYC', 'DE', 'N0', 5000);
    add(`${year}-06-10`, 'USLAX', 'CN', 'L9', 50, '847130');
  }
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('h.csv', `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  app = buildApp(t.rt);
  investigator = await signIn(app, t.rt, 'investigator');
  executive = await signIn(app, t.rt, 'executive');
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

const steel = {
  name: 'steel-by-port',
  title: 'Steel (HS 72-73) imports by port and origin, 2024, with change on 2023',
  spec: { measures: ['import-value', 'lines'], by: ['port', 'origin'], where: 'hs2 in (72, 73) and flow = import', period: 'year', from: '2024', to: '2024' },
  layout: {},
  formats: ['xlsx', 'pdf'],
};

describe('measures over HTTP', () => {
  it('lists the catalogue with rankings and the missing measures', async () => {
    const r = await investigator.get('/api/measures');
    expect(r.statusCode).toBe(200);
    const body = r.json() as { measures: { id: string }[]; rankings: { id: string }[]; missing: { id: string }[] };
    expect(body.measures.map((m) => m.id)).toEqual(expect.arrayContaining(['anomaly-rate', 'mirror-gap', 'examinations']));
    expect(body.rankings.map((m) => m.id)).toEqual(['top-partners', 'top-products', 'top-importers']);
    expect(body.measures.map((m) => m.id)).toContain('watchlist-exposure');
    expect(body.missing).toEqual([]);
  });
  it('unknown measure or dimension is a 400 naming it; comparisons under filters work', async () => {
    const bad = await investigator.get('/api/measures/query?measure=import-value,profit&by=port');
    expect([bad.statusCode, (bad.json() as { message: string }).message]).toEqual([400, expect.stringContaining('unknown measure "profit"')]);
    const dim = await investigator.get('/api/measures/query?measure=lines&by=colour');
    expect([dim.statusCode, (dim.json() as { message: string }).message]).toEqual([400, expect.stringContaining('unknown dimension "colour"')]);
    const top = await investigator.get('/api/measures/query?measure=lines&by=port&top=0');
    expect(top.statusCode).toBe(400);
    const ok = await investigator.get(`/api/measures/query?measure=import-value&by=port&period=year&from=2024&to=2024&where=${encodeURIComponent('hs2 in (72, 73)')}`);
    expect(ok.statusCode).toBe(200);
    const rows = (ok.json() as { rows: Record<string, unknown>[] }).rows;
    expect(rows.map((r) => [r['port'], r['import-value'], r['import-value_yoy']])).toEqual([['USLAX', 2000, 1], ['USNYC', 5000, 0]]);
  });
});

describe('saved reports over HTTP', () => {
  it('save, list, read; malformed definitions are 400 naming the field', async () => {
    const saved = await investigator.post('/api/reports', steel);
    expect(saved.statusCode).toBe(200);
    expect((saved.json() as { name: string; created_by: string }).name).toBe('steel-by-port');
    const bad = await investigator.post('/api/reports', { ...steel, spec: { ...steel.spec, by: ['port', 'colour'] } });
    expect([bad.statusCode, (bad.json() as { message: string }).message]).toEqual([400, expect.stringContaining('spec.by[1]: unknown dimension "colour"')]);
    const extra = await investigator.post('/api/reports', { ...steel, owner: 'x' });
    expect(extra.statusCode).toBe(400);
    const list = await executive.get('/api/reports');
    expect((list.json() as { reports: { name: string }[] }).reports.map((r) => r.name)).toEqual(['steel-by-port']);
    const missing = await investigator.get('/api/reports/nope');
    expect(missing.statusCode).toBe(404);
  });

  it("runs under the caller's scope: the executive gets suppressed cells, the investigator the numbers", async () => {
    const full = await investigator.get('/api/reports/steel-by-port/run');
    expect(full.statusCode).toBe(200);
    const fr = (full.json() as { result: { rows: Record<string, unknown>[]; level: string } }).result;
    expect(fr.level).toBe('row');
    expect(fr.rows.map((r) => [r['port'], r['origin'], r['import-value'], r['import-value_yoy']])).toEqual([['USLAX', 'CN', 2000, 1], ['USNYC', 'DE', 5000, 0]]);
    const agg = await executive.get('/api/reports/steel-by-port/run');
    const ar = (agg.json() as { result: { rows: Record<string, unknown>[]; level: string; suppressed_cells: number } }).result;
    expect(ar).toMatchObject({ level: 'aggregate', suppressed_cells: 2 });
    expect(ar.rows.every((r) => r['import-value'] === null && r['import-value_yoy'] === null)).toBe(true);
  });

  it('exports XLSX, PDF and CSV, audited as exports; only the author deletes', async () => {
    const x = await investigator.get('/api/reports/steel-by-port/export?format=xlsx');
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(x.headers['content-disposition']).toBe('attachment; filename="steel-by-port.xlsx"');
    const zip = x.rawPayload;
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    // The first entry is [Content_Types].xml, deflated.
    const nameLen = zip.readUInt16LE(26);
    expect(zip.subarray(30, 30 + nameLen).toString()).toBe('[Content_Types].xml');
    expect(inflateRawSync(zip.subarray(30 + nameLen, 30 + nameLen + zip.readUInt32LE(18))).toString()).toContain('spreadsheetml');
    const p = await executive.get('/api/reports/steel-by-port/export?format=pdf');
    expect([p.statusCode, p.rawPayload.subarray(0, 8).toString()]).toEqual([200, '%PDF-1.4']);
    expect(pdfText(p.rawPayload)).toContain('suppressed');
    const c = await investigator.get('/api/reports/steel-by-port/export?format=csv');
    expect(c.body.split('\r\n')[1]).toBe('USLAX,CN,2024,2000.00,1,4,0,yes'); // the data ends in June 2024
    const badFormat = await investigator.get('/api/reports/steel-by-port/export?format=docx');
    expect(badFormat.statusCode).toBe(400);
    const audit = await t.rt.control.db.selectFrom('audit_events').select(['event', 'principal', 'detail', 'row_count', 'outcome']).where('event', '=', 'export').execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principal: 'investigator-user', detail: expect.stringMatching(/^report=steel-by-port format=xlsx spec=\{/), row_count: 2, outcome: 'allowed' }),
        expect.objectContaining({ principal: 'executive-user', detail: expect.stringMatching(/^report=steel-by-port format=pdf spec=\{/), outcome: 'allowed' }),
      ]),
    );
    const ledger = await t.rt.auditTrail.disclosures.list({ limit: 20 });
    expect((ledger.rows ?? ledger).map((d: { nature: string; principal: string }) => [d.principal, d.nature])).toEqual(
      expect.arrayContaining([['investigator-user', 'export report xlsx'], ['executive-user', 'export report pdf'], ['investigator-user', 'export report csv']]),
    );
    const del = await executive.del('/api/reports/steel-by-port');
    expect(del.statusCode).toBe(403);
    const mine = await investigator.del('/api/reports/steel-by-port');
    expect(mine.statusCode).toBe(200);
  });
});
