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
    expect(await sqlRows('SELECT reporter, partner, flow, period, hs, value, valuation_basis FROM mirror_stats ORDER BY line')).toEqual([
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
    expect(r).toMatchObject({ dataset: 'payments', profile: 'canonical-payments', rows_accepted: 1, rows_rejected: 2 });
    const e = await explore(scopedDb(t.rt.store, localOperatorScope()), { dataset: 'payments', by: ['payee_country'], measures: ['amount', 'payments'] });
    expect(e.rows).toEqual([{ payee_country: 'CN', amount: 5000, payments: 1 }]);
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
