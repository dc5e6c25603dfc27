// Outside-test finding 4 (medium): a customs officer pulled 10,000 near-line-level groups with party names and
// values per explore page without being charged. Every result that lists named parties row by row is now
// charged to the download quota before it is sent (src/server/named-parties.ts); aggregates are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateDataset } from '../../src/generate/index.ts';
import { ingestFile } from '../../src/ingest/index.ts';
import { runAnalysis } from '../../src/detect/index.ts';
import { resolveParties } from '../../src/parties/index.ts';
import { localOperatorScope } from '../../src/query/index.ts';
import { tempRuntime, type TempRuntime } from '../temp-runtime.ts';
import { liveServer, type HttpClient, type LiveServer } from '../live-server.ts';

let t: TempRuntime;
let s: LiveServer;
let partyIds: string[] = [];

beforeAll(async () => {
  t = await tempRuntime({ access: { settings: { requestRatePerMinute: 100_000, quotas: { 'customs-officer': { rows: 3000, bytes: 64 * 1024 * 1024 }, investigator: { rows: 1_000_000, bytes: 1024 * 1024 * 1024 } } as never } } });
  const gen = await generateDataset({ rows: 6000, seed: 3, outDir: join(t.dir, 'gen') });
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await resolveParties(t.rt.store, localOperatorScope('test'), []);
  await runAnalysis(t.rt.store, localOperatorScope('test'), {});
  // Two parties that trade with each other, so a path between them exists.
  partyIds = await t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll('SELECT src, dst FROM party_edges WHERE src <> dst ORDER BY 1, 2 LIMIT 1')).getRows()[0]!.map(String));
  s = await liveServer(t.rt);
}, 240_000);
afterAll(async () => {
  await s?.close();
  await t?.cleanup();
});

const used = async (c: HttpClient) => ((await c.get('/api/me')).json as { quota: { rows: number } }).quota.rows;

describe('results that name parties are charged to the download quota', () => {
  it('every route that lists named parties row by row is charged; aggregates are not', async () => {
    const inv = await s.signedIn('investigator');
    const [a, b] = partyIds;
    const charged = [
      '/api/explore?by=importer_name,hs6&measure=value&limit=500',
      '/api/explore?by=exporter&measure=value,lines&limit=50',
      '/api/measures/query?measure=import-value&by=importer&top=20',
      '/api/anomalies?limit=50',
      '/api/parties?q=a',
      `/api/parties/${a}`,
      `/api/parties/${a}/graph`,
      `/api/path?from=${a}&to=${b}`,
      '/api/lines?limit=20',
      '/api/export/explore?by=origin&measure=value',
    ];
    for (const url of charged) {
      const before = await used(inv);
      const r = await inv.get(url);
      expect(r.status, url).toBe(200);
      expect(await used(inv), url).toBeGreaterThan(before);
    }
    const anomaly = ((await inv.get('/api/anomalies?limit=1')).json as { rows: { anomaly_id: string }[] }).rows[0]!.anomaly_id;
    const before = await used(inv);
    expect((await inv.get(`/api/anomalies/${anomaly}`)).status).toBe(200);
    expect(await used(inv)).toBeGreaterThan(before);
    // A saved report cut by importer is charged when it runs; one by port is not.
    expect((await inv.post('/api/reports', { name: 'by-importer', title: 'x', spec: { measures: ['import-value'], by: ['importer'], top: 10 } })).status).toBe(200);
    expect((await inv.post('/api/reports', { name: 'by-port', title: 'x', spec: { measures: ['import-value'], by: ['port'] } })).status).toBe(200);
    let u = await used(inv);
    expect((await inv.get('/api/reports/by-importer/run')).status).toBe(200);
    expect(await used(inv)).toBeGreaterThan(u);

    const free = ['/api/explore?by=origin,hs2&measure=value,lines,importers&limit=1000', '/api/measures/query?measure=import-value&by=port', '/api/reports/by-port/run', '/api/ranking?limit=50', '/api/runs', '/api/catalogue'];
    for (const url of free) {
      u = await used(inv);
      expect((await inv.get(url)).status, url).toBe(200);
      expect(await used(inv), url).toBe(u);
    }
  });

  it('the officer who pages party names past the allowance is refused, locked and signed out', async () => {
    const officer = await s.signedIn('customs-officer', { name: 'olivia' });
    const groups = 'by=importer_name,exporter_name,hs6,month&measure=value,lines';
    const first = await officer.get(`/api/explore?${groups}&limit=2000`);
    expect(first.json.total_groups).toBeGreaterThan(4000);
    expect(first.status).toBe(200);
    expect(await used(officer)).toBe(first.json.rows.length);
    // The next page would take the account past 3,000 rows: refused before a byte of it is sent.
    const second = await officer.get(`/api/explore?${groups}&limit=2000&offset=2000`);
    expect(second.status).toBe(423);
    expect(second.body).not.toContain('"rows"');
    expect((await t.rt.access.accounts.get('olivia'))!.status).toBe('locked');
    expect((await officer.get('/api/me')).status).toBe(401);
    await t.rt.audit.flush();
    const trail = (await t.rt.audit.page({ principal: 'olivia', limit: 50 })).rows;
    expect(trail.find((e) => e.event === 'lock')).toMatchObject({ detail: 'download quota reached' });
  });
});
