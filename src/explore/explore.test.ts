import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore, lines, ExploreSpecError, parseSort } from './index.ts';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
const origins = ['CN', 'VN', 'MX', 'DE', 'JP'];
const ports = ['USLAX', 'USLGB', 'USNYC', 'USSEA', 'ZZ999'];

beforeAll(async () => {
  t = await tempRuntime();
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    lines.push(
      canonicalLine({
        declaration_id: `D${i}`,
        origin_country: origins[i % 5]!,
        departure_country: origins[i % 5]!,
        port_code: ports[i % 5]!,
        hs_code: i % 3 === 0 ? '720851' : i % 3 === 1 ? '730711' : '847130',
        value: 100 + ((i * 37) % 1000),
        quantity: 1 + (i % 7),
        date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-15`,
        importer_id: `IMP${i % 17}`,
        exporter_id: `EXP${i % 11}`,
      }),
    );
  }
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

const db = () => scopedDb(t.rt.store, localOperatorScope());
const handSql = async (q: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(q)).getRowObjectsJson());

describe('explore', () => {
  it('matches hand-written SQL for a two-dimension group-by with filter and sort', async () => {
    const r = await explore(db(), { by: ['origin', 'hs2'], measures: ['value', 'lines', 'median_unit_price', 'importers'], where: "origin in (CN, VN, MX) and value >= 300", limit: 100 });
    const expected = await handSql(`
      SELECT origin_country AS origin, hs2, sum(value)::DOUBLE AS value, count(*)::INTEGER AS lines,
             median(value / coalesce(nullif(quantity,0), nullif(net_mass_kg,0)))::DOUBLE AS median_unit_price,
             count(DISTINCT importer_key)::INTEGER AS importers
      FROM trade_lines WHERE origin_country IN ('CN','VN','MX') AND value >= 300
      GROUP BY ALL ORDER BY value DESC NULLS LAST, origin, hs2`);
    expect(r.rows).toEqual(expected);
    expect(r.total_groups).toBe(9);
    expect(r.truncated).toBe(false);
    const totals = await handSql("SELECT sum(value)::DOUBLE AS value, count(*)::INTEGER AS lines FROM trade_lines WHERE origin_country IN ('CN','VN','MX') AND value >= 300");
    expect(r.totals['value']).toBe(totals[0]!['value']);
    expect(r.totals['lines']).toBe(totals[0]!['lines']);
    // Only sums and counts: totals come from the groups rather than a second aggregation, same numbers.
    const additive = await explore(db(), { by: ['origin', 'hs2'], measures: ['value', 'lines'], where: "origin in (CN, VN, MX) and value >= 300", limit: 3 });
    expect(additive.rows).toEqual(expected.slice(0, 3).map((e) => ({ origin: e['origin'], hs2: e['hs2'], value: e['value'], lines: e['lines'] })));
    expect(additive.totals['value']).toBeCloseTo(Number(totals[0]!['value']), 6);
    expect(additive.totals['lines']).toBe(totals[0]!['lines']);
    expect(additive).toMatchObject({ total_groups: 9, truncated: true, next_offset: 3 });
  });

  it('pages without silent truncation', async () => {
    const all = await explore(db(), { by: ['importer'], measures: ['lines'], sort: parseSort('importer:asc'), limit: 100 });
    expect(all.total_groups).toBe(17);
    const p1 = await explore(db(), { by: ['importer'], measures: ['lines'], sort: parseSort('importer:asc'), limit: 5 });
    expect(p1).toMatchObject({ total_groups: 17, truncated: true, next_offset: 5 });
    const p4 = await explore(db(), { by: ['importer'], measures: ['lines'], sort: parseSort('importer:asc'), limit: 5, offset: 15 });
    expect(p4).toMatchObject({ total_groups: 17, truncated: false, next_offset: null });
    expect([...p1.rows, ...p4.rows].map((r) => r['importer'])).toEqual([...all.rows.slice(0, 5), ...all.rows.slice(15)].map((r) => r['importer']));
    const past = await explore(db(), { by: ['importer'], measures: ['lines'], limit: 5, offset: 40 });
    expect(past).toMatchObject({ rows: [], total_groups: 17, truncated: false });
  });

  it('groups by the port hierarchy and periods through reference tables', async () => {
    const r = await explore(db(), { by: ['field_office', 'quarter'], measures: ['lines'], sort: parseSort('field_office:asc,quarter:asc'), limit: 100 });
    const offices = new Set(r.rows.map((x) => x['field_office']));
    expect(offices).toEqual(new Set(['Los Angeles', 'New York', 'Seattle', null]));
    expect(r.rows.find((x) => x['field_office'] === 'Los Angeles' && x['quarter'] === '2024-Q1')!['lines']).toBe(50);
    const sectors = await explore(db(), { by: ['sector'], measures: ['lines'], limit: 10 });
    expect(sectors.rows.map((x) => x['sector']).sort()).toEqual(['Iron and steel', 'Machinery']);
  });

  it('drill-down returns exactly the lines behind a cell', async () => {
    const cells = await explore(db(), { by: ['origin', 'month'], measures: ['value', 'lines'], limit: 200 });
    for (const cell of cells.rows.slice(0, 5)) {
      const l = await lines(db(), { cell: { origin: cell['origin'] as string, month: cell['month'] as string }, limit: 1000 });
      expect(l.total).toBe(cell['lines']);
      expect(l.rows.reduce((s, r) => s + Number(r['value']), 0)).toBeCloseTo(Number(cell['value']), 6);
    }
    const paged = await lines(db(), { where: 'origin = CN', limit: 7, offset: 0, sort: parseSort('value:asc') });
    expect(paged).toMatchObject({ total: 100, truncated: true, next_offset: 7 });
    expect(paged.rows.map((r) => Number(r['value']))).toEqual([...paged.rows.map((r) => Number(r['value']))].sort((a, b) => a - b));
  });

  it('rejects unknown names with the list of valid ones and binds values', async () => {
    await expect(explore(db(), { by: ['colour'], measures: [] })).rejects.toThrow(/unknown dimension "colour": use one of origin/);
    await expect(explore(db(), { by: ['origin'], measures: ['weight'] })).rejects.toThrow(ExploreSpecError);
    await expect(explore(db(), { by: ['origin'], measures: ['value'], where: 'value > lots' })).rejects.toThrow(/compares with numbers/);
    await expect(explore(db(), { by: ['origin'], measures: ['value'], sort: parseSort('hs2') })).rejects.toThrow(/cannot sort by "hs2"/);
    // An injection attempt is just a value that matches nothing.
    const r = await explore(db(), { by: ['origin'], measures: ['lines'], where: "origin = 'CN'' OR 1=1 --'" });
    expect(r.rows).toEqual([]);
  });

  it('aggregate-only scopes may not group by parties nor drill down', async () => {
    const exec: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };
    const edb = scopedDb(t.rt.store, exec);
    await expect(explore(edb, { by: ['importer'], measures: ['value'] })).rejects.toThrow(ScopeDeniedError);
    await expect(explore(edb, { by: ['origin'], measures: ['value'], where: 'exporter = EXP1' })).rejects.toThrow(/named-party/);
    await expect(lines(edb, {})).rejects.toThrow(/aggregate-only/);
    const ok = await explore(edb, { by: ['origin'], measures: ['value', 'importers'] });
    expect(ok.total_groups).toBe(5);
  });
});
