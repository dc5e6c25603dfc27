// Server-side anomaly filters over the lines each anomaly names: country (origin or partner), HS prefix,
// party (resolved id or name, wildcards taken literally) and period, through GET /api/anomalies and
// listAnomalies on the scoped handle; bad values are 400s naming the parameter.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { buildApp } from '../server/index.ts';
import { signIn, type TestClient } from '../../test/signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { listAnomalies, periodBounds } from './anomaly-queries.ts';
import { runAnalysis } from './run-analysis.ts';

let t: TempRuntime;
let app: FastifyInstance;
let api: TestClient;

// Two comparison groups, each with one line priced far above the rest: steel from CN in March 2024 bought
// by Acme, transformers from VN in July 2023 bought by a name holding LIKE wildcards.
const PRICES = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100];
const steel = PRICES.map((p, i) => canonicalLine({ declaration_id: `S${i}`, value: p * 10, date: '2024-03-05' }));
const transformers = PRICES.map((p, i) =>
  canonicalLine({
    declaration_id: `T${i}`, value: p * 10, date: '2023-07-14', origin_country: 'VN', departure_country: 'VN', hs_code: '850440',
    importer_id: 'IMP2', importer_name: 'Volt_100% Trading', exporter_id: 'EXP2', exporter_name: 'Saigon Coil JSC',
  }),
);

beforeAll(async () => {
  t = await tempRuntime();
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${[...steel, ...transformers].join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
  await runAnalysis(t.rt.store, localOperatorScope(), { detectors: ['price-iqr'] });
  app = buildApp(t.rt);
  api = await signIn(app, t.rt, 'investigator');
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.cleanup();
});

const declarations = async (qs: string): Promise<string[]> => {
  const res = await api.inject({ url: `/api/anomalies?${qs}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().rows as { subject: { declaration_id: string } }[]).map((r) => r.subject.declaration_id).sort();
};

describe('anomaly filters on the lines behind each anomaly', () => {
  it('filters by country, HS prefix, party and period on the server', async () => {
    expect(await declarations('')).toEqual(['S9', 'T9']);
    expect(await declarations('country=vn')).toEqual(['T9']);
    expect(await declarations('country=CN')).toEqual(['S9']);
    expect(await declarations('country=DE')).toEqual([]);
    expect(await declarations('hs=7208')).toEqual(['S9']);
    expect(await declarations('hs=85')).toEqual(['T9']);
    expect(await declarations('period=2023')).toEqual(['T9']);
    expect(await declarations('period=2024-03')).toEqual(['S9']);
    expect(await declarations('period=2024-04')).toEqual([]);
    expect(await declarations('party=acme')).toEqual(['S9']);
    expect(await declarations('party=hebei%20iron')).toEqual(['S9']);
    // The name's own % and _ are matched literally, not as wildcards.
    expect(await declarations(`party=${encodeURIComponent('volt_100%')}`)).toEqual(['T9']);
    expect(await declarations(`party=${encodeURIComponent('v%t')}`)).toEqual([]);
    // Filters combine, and the total counts the filtered anomalies.
    expect(await declarations('country=VN&hs=8504&period=2023-07&party=saigon')).toEqual(['T9']);
    const res = (await api.inject({ url: '/api/anomalies?country=VN&period=2024' })).json();
    expect(res).toMatchObject({ total: 0, rows: [] });
  });

  it('matches a resolved party id through party_members, and pages with the filtered total', async () => {
    const db = scopedDb(t.rt.store, localOperatorScope());
    // party_members is derived data written by party resolution; a stand-in row for the VN importer.
    await t.rt.store.withWriteConnection((c) =>
      c.run(`INSERT INTO party_members (provider, ref, party_id, has_id, name, names, country, name_key, lines, value_usd, lines_without_usd, link, confidence, evidence, resolution_id)
             VALUES ('US', 'IMP2', 'P-VOLT', true, 'Volt Trading', ['Volt Trading'], 'VN', 'VOLT', 10, 1000, 0, 'id', 1, [], 'RES1')`),
    );
    const page = await listAnomalies(db, { party: 'P-VOLT', limit: 1 });
    expect(page.total).toBe(1);
    expect(page.rows[0]!.subject.declaration_id).toBe('T9');
    const all = await listAnomalies(db, { limit: 1 });
    expect(all).toMatchObject({ total: 2, truncated: true, next_offset: 1 });
  });

  it('refuses malformed filters with a 400 naming the parameter', async () => {
    for (const [qs, name] of [['country=CHN', 'country'], ['hs=72x', 'hs'], ['period=2024-13', 'period'], ['party=a', 'party']] as const) {
      const res = await api.inject({ url: `/api/anomalies?${qs}` });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().message).toMatch(new RegExp(`^${name}:`));
    }
    expect(periodBounds('2024-12')).toEqual(['2024-12-01', '2025-01-01']);
    expect(periodBounds('2024')).toEqual(['2024-01-01', '2025-01-01']);
    expect(() => periodBounds('24')).toThrow(/^period:/);
  });
});
