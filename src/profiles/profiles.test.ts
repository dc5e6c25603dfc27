import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinProfileNames, loadProfile, ProfileError } from './index.ts';
import { ingestFile, ingestReference, InputError } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { explore } from '../explore/index.ts';
import { storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
beforeEach(async () => {
  t = await tempRuntime();
});
afterEach(async () => t.cleanup());

const deps = () => ({ store: t.rt.store, registry: t.rt.registry });
const sqlRows = (q: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(q)).getRowObjectsJson());

describe('built-in profiles', () => {
  it('all parse and name only canonical fields', () => {
    expect(builtinProfileNames()).toEqual(['canonical', 'canonical-enforcement', 'canonical-mirror', 'canonical-payments', 'comtrade', 'fishery', 'gfi-dots', 'kcs']);
    for (const n of builtinProfileNames()) expect(loadProfile(n).name).toBe(n);
  });

  it('comtrade: flow codes, YYYYMM periods and alpha-3 codes become canonical; re-exports are quarantined', async () => {
    const f = t.file(
      'comtrade.csv',
      [
        'typeCode,freqCode,period,reporterISO,reporterDesc,flowCode,partnerISO,cmdCode,qtyUnitAbbr,qty,primaryValue',
        'C,M,202401,USA,USA,M,CHN,720851,kg,1000,52000.5',
        'C,M,202401,CHN,China,X,USA,720851,kg,990,49000',
        'C,A,2023,DEU,Germany,M,W00,TOTAL,,,1000000',
        'C,M,202402,USA,USA,RX,MEX,8471,u,3,100',
      ].join('\n'),
    );
    const r = await ingestFile(deps(), f, { profile: 'comtrade', category: 'trade', provider: 'UN', loadedBy: 't' });
    expect(r).toMatchObject({ rows_read: 4, rows_accepted: 3, rows_rejected: 1 });
    expect(await sqlRows('SELECT reporter, partner, flow, period, hs, value::DOUBLE AS value, valuation_basis FROM mirror_stats ORDER BY line')).toEqual([
      { reporter: 'US', partner: 'CN', flow: 'import', period: '2024-01', hs: '720851', value: 52000.5, valuation_basis: 'cif' },
      { reporter: 'CN', partner: 'US', flow: 'export', period: '2024-01', hs: '720851', value: 49000, valuation_basis: 'fob' },
      { reporter: 'DE', partner: 'W00', flow: 'import', period: '2023', hs: 'TOTAL', value: 1000000, valuation_basis: 'cif' },
    ]);
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows[0]).toMatchObject({ line: 5, field: 'flow' });
  });

  it('canonical with --category financial loads payments', async () => {
    const f = t.file(
      'pay.csv',
      'payment_id,date,amount,currency,payer_name,payer_country,payee_name,payee_country,payee_bank_bic,instrument,report_type,invoice_ref\n' +
        'P1,2024-01-03,5000,usd,Acme LLC,US,Hebei Iron,CN,BKCHCNBJ,wire,wire,INV-1\n' +
        'P2,2024-01-04,0,USD,Acme LLC,US,Hebei Iron,CN,BKCHCNBJ,wire,wire,INV-2\n' +
        'P3,2024-01-05,10,USD,Acme LLC,US,Hebei Iron,CN,not-a-bic,wire,wire,INV-3\n',
    );
    const r = await ingestFile(deps(), f, { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 't' });
    // A payment of 0 is data (flagged zero_amount), like a zero-value trade line; a bad BIC is not.
    expect(r).toMatchObject({ dataset: 'payments', profile: 'canonical-payments', rows_accepted: 2, rows_rejected: 1 });
    const e = await explore(scopedDb(t.rt.store, localOperatorScope()), { dataset: 'payments', by: ['payee_country'], measures: ['amount', 'payments'] });
    expect(e.rows).toEqual([{ payee_country: 'CN', amount: 5000, payments: 2 }]);
    expect(await sqlRows('SELECT payment_id, zero_amount, amount_usd::DOUBLE AS amount_usd FROM payments ORDER BY payment_id')).toEqual([
      { payment_id: 'P1', zero_amount: false, amount_usd: 5000 },
      { payment_id: 'P2', zero_amount: true, amount_usd: 0 },
    ]);
  });
});

describe('user profiles', () => {
  it('a profile file maps a custom layout, keeps chosen extra columns, and reads semicolons and day-first dates', async () => {
    const profile = t.file(
      'my.json',
      JSON.stringify({
        name: 'my-broker',
        description: 'a broker export',
        dataset: 'trade_lines',
        category: 'trade',
        format: { delimiter: ';' },
        fields: {
          declaration_id: 'Ref',
          flow: { constant: 'import' },
          date: { column: 'Datum', dateFormat: '%d.%m.%Y' },
          hs_code: { column: 'Code', replace: { pattern: '\\.', replacement: '' } },
          value: { column: 'Wert', scale: 1000 },
          origin_country: { column: 'Land', lookup: 'country' },
          transport_mode: { column: 'Mode', map: { S: 'sea', A: 'air' }, mapDefault: 'other' },
        },
        extras: ['Office'],
      }),
    );
    const data = t.file('export.csv', 'Ref;Datum;Code;Wert;Land;Mode;Office;Secret\nR1;05.03.2024;7208.51;1,5;Germany;S;HH;x\nR2;06.03.2024;8471.30;2;Viet Nam;T;HB;y\n');
    const r = await ingestFile(deps(), data, { profile, category: 'trade', provider: 'DE', loadedBy: 't' });
    expect(r.rows_rejected).toBe(1);
    expect(await sqlRows("SELECT declaration_id, date::VARCHAR d, hs_code, origin_country, transport_mode, attrs->>'Office' office, attrs->>'Secret' AS secret_col FROM trade_lines")).toEqual([
      { declaration_id: 'R2', d: '2024-03-06', hs_code: '847130', origin_country: 'VN', transport_mode: 'other', office: 'HB', secret_col: null },
    ]);
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows[0]).toMatchObject({ line: 2, field: 'value', reason: 'not a number' });
  });

  it('a broken profile file is refused with its path and the offending key', () => {
    const bad = t.file('bad.json', JSON.stringify({ name: 'x', description: '', dataset: 'trade_lines', category: 'trade', fields: { colour: 'C' } }));
    expect(() => loadProfile(bad)).toThrow(ProfileError);
    expect(() => loadProfile(bad)).toThrow(/bad\.json: fields\.colour: unknown trade_lines field "colour"/);
    expect(() => loadProfile(t.file('nojson.json', '{'))).toThrow(/not valid JSON/);
    expect(() => loadProfile('nope')).toThrow(/use one of canonical/);
  });
});

describe('reference tables', () => {
  it('a ports file replaces the hierarchy used by explore; a bad one changes nothing', async () => {
    await ingestFile(deps(), t.file('d.csv', 'declaration_id,flow,date,hs_code,value,port_code\nD1,import,2024-01-01,720851,10,XXPRT\n'), {
      profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 't',
    });
    const db = scopedDb(t.rt.store, localOperatorScope());
    expect((await explore(db, { by: ['field_office'], measures: ['lines'] })).rows).toEqual([{ field_office: null, lines: 1 }]);
    const r = await ingestReference(deps(), t.file('ports.csv', 'port_code,name,country,field_office,region\nXXPRT,Port X,US,Gulf Office,Gulf\n'), 'ports', 't');
    expect(r).toMatchObject({ dataset: 'ref_ports', rows_accepted: 1 });
    expect((await explore(db, { by: ['field_office'], measures: ['lines'] })).rows).toEqual([{ field_office: 'Gulf Office', lines: 1 }]);
    const before = await storeFingerprint(t.rt);
    const portsBefore = await sqlRows('SELECT count(*)::INTEGER n FROM ref_ports');
    await expect(ingestReference(deps(), t.file('bad-ports.csv', 'port_code,name\nA,B\n'), 'ports', 't')).rejects.toThrow(InputError);
    expect(await storeFingerprint(t.rt)).toBe(before);
    expect(await sqlRows('SELECT count(*)::INTEGER n FROM ref_ports')).toEqual(portsBefore);
  });

  it('defaults are loaded into a fresh store', async () => {
    const n = await sqlRows(`SELECT (SELECT count(*) FROM ref_countries)::INTEGER c, (SELECT count(*) FROM ref_hs)::INTEGER h,
      (SELECT count(*) FROM ref_ports)::INTEGER p, (SELECT count(*) FROM ref_sectors)::INTEGER s, (SELECT count(*) FROM ref_hs_sections)::INTEGER x`);
    expect(n[0]).toMatchObject({ h: 6940, s: 99, x: 21 });
    expect(Number(n[0]!['c'])).toBeGreaterThan(240);
    expect(Number(n[0]!['p'])).toBeGreaterThan(70);
  });
});

describe('profile where: keep only the records a profile is for', () => {
  const whereProfile = (where: unknown) =>
    t.file(
      'basis.json',
      JSON.stringify({
        name: 'basis-split',
        description: 'a file reporting each flow at two valuation bases',
        dataset: 'trade_lines',
        category: 'trade',
        fields: { declaration_id: 'Ref', flow: { constant: 'import' }, date: 'Date', hs_code: 'HS', value: 'Value' },
        where,
      }),
    );

  it('keeps matching records, counts the rest as filtered (not rejected), and keeps line numbers exact', async () => {
    const profile = whereProfile([{ column: 'basis', in: ['CIF', 'cif'] }, { column: '#1', equals: 'Y' }]);
    const data = t.file(
      'two-bases.csv',
      [
        'Keep,Ref,Date,HS,Value,Basis',
        'Y,R1,2024-03-05,720851,100,CIF',
        'Y,R1,2024-03-05,720851,94,FOB', // same declaration at the other basis: left out
        'Y,R2,2024-03-06,720851,oops, cif ', // kept by the filter (cell trimmed), then rejected by the value check
        'Y,R3,2024-03-07,720851,50,', // empty basis: left out, not an error
        'N,R4,2024-03-08,720851,70,CIF', // second condition fails: left out
        'Y,R5,2024-03-09,720851,80,cif',
      ].join('\n'),
    );
    const r = await ingestFile(deps(), data, { profile, category: 'trade', provider: 'DE', loadedBy: 't' });
    expect(r).toMatchObject({ rows_read: 6, rows_accepted: 2, rows_rejected: 1, rows_filtered: 3, rejects_kept: 1 });
    expect(r.message).toMatch(/3 records left out by the profile's where filter \(not rejected\)/);
    expect(await sqlRows('SELECT declaration_id, value::DOUBLE AS value, line::INTEGER line FROM trade_lines ORDER BY line')).toEqual([
      { declaration_id: 'R1', value: 100, line: 2 },
      { declaration_id: 'R5', value: 80, line: 7 },
    ]);
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 10, offset: 0 });
    expect(q.total).toBe(1);
    expect(q.rows[0]).toMatchObject({ line: 4, field: 'value', reason: 'not a number' });
    expect(await t.rt.registry.get(r.batch_id)).toMatchObject({ rows_read: 6, rows_accepted: 2, rows_rejected: 1 });
    // The same bytes again: a no-op that still reports how many records the profile left out.
    expect(await ingestFile(deps(), data, { profile, category: 'trade', provider: 'DE', loadedBy: 't' })).toMatchObject({ duplicate: true, rows_filtered: 3 });
  });

  it('gfi-dots keeps the CIF record of a pair-year reported both CIF and FOB', async () => {
    const header =
      'ctycode_m,ctycode_x,pctycode_m,pctycode_x,year_m,indcode_m,indcode_x,ctyname_m,indname_m,pctyname_m,value_m,ctyname_x,indname_x,pctyname_x,year_x,value_x,impmisbilat,expmisbilat,uo_m,uo_x';
    const rec = (ind: string, valueM: number, valueX: number) =>
      `111,112,112,111,2016,${ind},TXG_FOB_USD,United States,imports,United Kingdom,${valueM},United Kingdom,exports,United States,2016,${valueX},${Math.abs(valueM - valueX)},0,under,over`;
    const data = t.file('gfi-sample.csv', [header, rec('TMG_CIF_USD', 1000, 1200), rec('TMG_FOB_USD', 990, 1200)].join('\n'));
    const r = await ingestFile(deps(), data, { profile: 'gfi-dots', category: 'trade', provider: 'GFI', loadedBy: 't' });
    expect(r).toMatchObject({ rows_read: 2, rows_accepted: 1, rows_rejected: 0, rows_filtered: 1 });
    expect(await sqlRows('SELECT reporter, partner, flow, value::DOUBLE AS value, line::INTEGER line FROM mirror_stats ORDER BY flow')).toEqual([
      { reporter: 'GB', partner: 'US', flow: 'export', value: 1200, line: 2 },
      { reporter: 'US', partner: 'GB', flow: 'import', value: 1060, line: 2 },
    ]);
  });

  it('a where of the wrong shape is refused with the profile file and the field', () => {
    const cases: [unknown, RegExp][] = [
      [[{ column: 'Basis', equals: 'CIF', in: ['FOB'] }], /basis\.json: where\.0: a where condition has exactly one of `equals`/],
      [[{ column: 'Basis' }], /basis\.json: where\.0: a where condition has exactly one of `equals`/],
      [[{ column: 'Basis', equals: 2015 }], /basis\.json: where\.0\.equals: /],
      [[{ column: 'Basis', in: [] }], /basis\.json: where\.0\.in: /],
      [[{ column: 'Basis', equal: 'CIF' }], /basis\.json: where\.0: .*equal/],
      [{ column: 'Basis', equals: 'CIF' }, /basis\.json: where: /],
      [[], /basis\.json: where: /],
    ];
    for (const [where, message] of cases) {
      const p = whereProfile(where);
      expect(() => loadProfile(p)).toThrow(ProfileError);
      expect(() => loadProfile(p)).toThrow(message);
    }
  });

  it('a where on a column the file lacks fails before anything is stored, naming the profile and field', async () => {
    const profile = whereProfile([{ column: 'Valuation', equals: 'CIF' }]);
    const data = t.file('no-col.csv', 'Ref,Date,HS,Value,Basis\nR1,2024-03-05,720851,100,CIF\n');
    const before = await storeFingerprint(t.rt);
    const err = await ingestFile(deps(), data, { profile, category: 'trade', provider: 'DE', loadedBy: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String((err as Error).message)).toMatch(/no-col\.csv:1: field "where\.0\.column": profile "basis-split" \(.*basis\.json\) keeps records by column Valuation, which the header lacks/);
    expect(await storeFingerprint(t.rt)).toBe(before);
  });
});
