import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { ingestFile, InputError, type IngestDeps } from './index.ts';
import { CANONICAL_HEADER, canonicalLine, storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
let deps: IngestDeps;
const opts = { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' };

beforeEach(async () => {
  t = await tempRuntime();
  deps = { store: t.rt.store, registry: t.rt.registry };
});
afterEach(async () => t.cleanup());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());
}

function csv(...lines: string[]): string {
  return `${[CANONICAL_HEADER, ...lines].join('\n')}\n`;
}

describe('ingest of canonical declarations', () => {
  it('loads typed rows with provenance and derived columns', async () => {
    const f = t.file('ok.csv', csv(canonicalLine(), canonicalLine({ declaration_id: 'D2', flow: 'export', destination_country: 'mx', value: 250.5, valuation_basis: '' })));
    const r = await ingestFile(deps, f, opts);
    expect(r).toMatchObject({ rows_read: 2, rows_accepted: 2, rows_rejected: 0, duplicate: false, dataset: 'trade_lines' });
    const got = await rows('SELECT declaration_id, flow, date::VARCHAR d, hs2, hs4, hs6, partner_country, valuation_basis, destination_country, value::DOUBLE AS value, line, batch_id, provider, importer_key FROM trade_lines ORDER BY line');
    expect(got).toEqual([
      expect.objectContaining({ declaration_id: 'D1', flow: 'import', d: '2024-03-05', hs2: '72', hs4: '7208', hs6: '720851', partner_country: 'CN', valuation_basis: 'cif', value: 1000, line: '2', batch_id: r.batch_id, provider: 'US', importer_key: 'IMP1' }),
      // Export without a basis defaults to FOB; countries are upper-cased.
      expect.objectContaining({ declaration_id: 'D2', flow: 'export', partner_country: 'MX', destination_country: 'MX', valuation_basis: 'fob', value: 250.5, line: '3' }),
    ]);
    const batch = await t.rt.registry.get(r.batch_id);
    expect(batch).toMatchObject({ status: 'committed', profile: 'canonical', category: 'trade', provider: 'US', file_name: 'ok.csv', sha256: r.sha256 });
  });

  it('quarantines bad rows with exact line, field and a reason that never echoes the value', async () => {
    const f = t.file(
      'mixed.csv',
      csv(
        canonicalLine(),
        canonicalLine({ declaration_id: 'D2', value: 'abc' }),
        canonicalLine({ declaration_id: 'D3', date: '1789-07-14' }),
        canonicalLine({ declaration_id: 'D4', hs_code: '' }),
        canonicalLine({ declaration_id: 'D5', flow: 'transit' }),
        canonicalLine({ declaration_id: 'D6', importer_name: '=cmd|/C calc!A0' }),
        canonicalLine({ declaration_id: 'D7', value: -5 }),
        canonicalLine({ declaration_id: 'D8', date: '2024-02-30' }),
        canonicalLine({ declaration_id: 'D9' }),
      ),
    );
    const r = await ingestFile(deps, f, opts);
    expect(r).toMatchObject({ rows_read: 9, rows_accepted: 2, rows_rejected: 7, rejects_kept: 7 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 50, offset: 0 });
    expect(q.rows.map((x) => [x.line, x.field])).toEqual([
      [3, 'value'],
      [4, 'date'],
      [5, 'hs_code'],
      [6, 'flow'],
      [7, 'importer_name'],
      [8, 'value'],
      [9, 'date'],
    ]);
    expect(q.rows[0]!.reason).toBe('not a number');
    expect(q.rows[1]!.reason).toMatch(/out of range/);
    expect(q.rows[2]!.reason).toBe('required value is missing');
    expect(q.rows[4]!.reason).toMatch(/CSV injection/);
    for (const x of q.rows) {
      expect(x.reason).not.toMatch(/abc|1789|transit|cmd|calc/);
      expect(JSON.parse(x.raw!)).toHaveProperty('declaration_id');
    }
    expect(JSON.parse(q.rows[0]!.raw!).value).toBe('abc');
  });

  it('keeps exact line numbers when the reader itself rejects malformed lines', async () => {
    const f = t.file('structural.csv', csv(canonicalLine(), 'too,few,columns', canonicalLine({ declaration_id: 'D3' }), canonicalLine({ declaration_id: 'D4', value: 'x' }), `${canonicalLine({ declaration_id: 'D5' })},extra`, canonicalLine({ declaration_id: 'D6', date: 'nope' })));
    const r = await ingestFile(deps, f, opts);
    expect(r).toMatchObject({ rows_read: 6, rows_accepted: 2, rows_rejected: 4 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 50, offset: 0 });
    expect(q.rows.map((x) => x.line)).toEqual([3, 5, 6, 7]);
    expect(q.rows[0]!.reason).toMatch(/malformed line: missing columns/);
    expect(q.rows[2]!.reason).toMatch(/malformed line: too many columns/);
    expect((await rows('SELECT declaration_id, line FROM trade_lines ORDER BY line')).map((x) => [x['declaration_id'], x['line']])).toEqual([
      ['D1', '2'],
      ['D3', '4'],
    ]);
  });

  it('treats the same bytes loaded twice as a no-op that says so', async () => {
    const f = t.file('once.csv', csv(canonicalLine()));
    const first = await ingestFile(deps, f, opts);
    const before = await storeFingerprint(t.rt);
    const again = await ingestFile(deps, t.file('copy-of-once.csv', csv(canonicalLine())), opts);
    expect(again).toMatchObject({ duplicate: true, batch_id: first.batch_id, rows_accepted: 1 });
    expect(again.message).toMatch(/already loaded/);
    expect(await storeFingerprint(t.rt)).toBe(before);
  });

  it('supersedes rows re-sent by a later batch and keeps both in history', async () => {
    await ingestFile(deps, t.file('v1.csv', csv(canonicalLine(), canonicalLine({ declaration_id: 'D2' }))), opts);
    const r2 = await ingestFile(deps, t.file('v2.csv', csv(canonicalLine({ value: 1500 }))), opts);
    expect(r2.superseded_rows).toBe(1);
    expect(await rows('SELECT declaration_id, value::DOUBLE AS value FROM trade_lines ORDER BY row_id')).toEqual([
      { declaration_id: 'D2', value: 1000 },
      { declaration_id: 'D1', value: 1500 },
    ]);
    expect(await rows('SELECT declaration_id, value::DOUBLE AS value, superseded_by FROM trade_lines_history')).toEqual([
      { declaration_id: 'D1', value: 1000, superseded_by: r2.batch_id },
    ]);
    // Another provider's identical key is a different declaration.
    const r3 = await ingestFile(deps, t.file('v3.csv', csv(canonicalLine({ value: 7 }))), { ...opts, provider: 'MX' });
    expect(r3.superseded_rows).toBe(0);
  });

  it('quarantines a key repeated within one file, keeping the first', async () => {
    const r = await ingestFile(deps, t.file('dup.csv', csv(canonicalLine(), canonicalLine({ value: 2 }), canonicalLine({ line_no: 2 }))), opts);
    expect(r).toMatchObject({ rows_accepted: 2, rows_rejected: 1 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows[0]).toMatchObject({ line: 3, field: 'declaration_id' });
    expect(q.rows[0]!.reason).toMatch(/duplicate key/);
  });

  it('reads gzip-compressed CSV and Parquet the same way', async () => {
    const body = csv(canonicalLine(), canonicalLine({ declaration_id: 'D2', value: 'bad' }));
    const gz = await ingestFile(deps, t.file('a.csv.gz', gzipSync(body)), opts);
    expect(gz).toMatchObject({ rows_read: 2, rows_accepted: 1, rows_rejected: 1 });
    const src = t.file('b.csv', csv(canonicalLine({ declaration_id: 'P1' }), canonicalLine({ declaration_id: 'P2', date: '2024-13-01' })));
    const pq = `${t.dir}/b.parquet`;
    await t.rt.store.withWriteConnection((c) => c.run(`COPY (SELECT * FROM read_csv('${src}', all_varchar = true)) TO '${pq}' (FORMAT parquet)`));
    const r = await ingestFile(deps, pq, opts);
    expect(r).toMatchObject({ rows_read: 2, rows_accepted: 1, rows_rejected: 1 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows[0]).toMatchObject({ line: 2, field: 'date' });
  });
});

describe('money: exact decimals, zero values, the money range', () => {
  it('stores money as DECIMAL(18,4): sums exact to the cent, extra decimals rounded half away from zero', async () => {
    // 0.1 + 0.2 is the classic float error; 2256783.25 is the export the DOUBLE store printed as 2256783.2499999995.
    const values = ['0.1', '0.2', '2256782.95', '12.34565', '7.00004'];
    const r = await ingestFile(deps, t.file('m.csv', csv(...values.map((v, i) => canonicalLine({ declaration_id: `M${i}`, value: v })))), opts);
    expect(r.rows_accepted).toBe(5);
    const got = await rows(`SELECT typeof(value) AS ty, sum(value)::VARCHAR AS s FROM trade_lines WHERE declaration_id IN ('M0', 'M1', 'M2') GROUP BY 1`);
    expect(got).toEqual([{ ty: 'DECIMAL(18,4)', s: '2256783.2500' }]);
    expect(await rows(`SELECT declaration_id, value::VARCHAR AS v FROM trade_lines WHERE declaration_id IN ('M3', 'M4') ORDER BY 1`)).toEqual([
      { declaration_id: 'M3', v: '12.3457' },
      { declaration_id: 'M4', v: '7.0000' },
    ]);
    // Through the query layer a money column is a JSON number that prints exactly.
    const k = await t.rt.store.db.selectFrom('trade_lines').select((eb) => eb.fn.sum('value').as('s')).where('declaration_id', 'in', ['M0', 'M1', 'M2']).executeTakeFirst();
    expect(k!['s']).toBe(2256783.25);
    expect(JSON.stringify(k)).toBe('{"s":2256783.25}');
  });

  it('accepts a value of 0 and flags it, rejects negatives and amounts beyond the money range', async () => {
    const f = t.file(
      'z.csv',
      csv(
        canonicalLine({ declaration_id: 'Z1', value: 0 }),
        canonicalLine({ declaration_id: 'Z2', value: '0.00' }),
        canonicalLine({ declaration_id: 'Z3', value: -0.01 }),
        canonicalLine({ declaration_id: 'Z4', value: '100000000000000' }),
        canonicalLine({ declaration_id: 'Z5', value: '99999999999999.9999', currency: 'KRW' }),
        canonicalLine({ declaration_id: 'Z6', value: 5 }),
      ),
    );
    const r = await ingestFile(deps, f, opts);
    expect(r).toMatchObject({ rows_read: 6, rows_accepted: 4, rows_rejected: 2 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows.map((x) => [x.line, x.field, x.reason])).toEqual([
      [4, 'value', 'must be at least 0'],
      [5, 'value', 'exceeds 99999999999999.9999, the largest amount the store holds'],
    ]);
    expect(await rows('SELECT declaration_id, zero_value, value::VARCHAR AS v FROM trade_lines ORDER BY declaration_id')).toEqual([
      { declaration_id: 'Z1', zero_value: true, v: '0.0000' },
      { declaration_id: 'Z2', zero_value: true, v: '0.0000' },
      { declaration_id: 'Z5', zero_value: false, v: '99999999999999.9999' },
      { declaration_id: 'Z6', zero_value: false, v: '5.0000' },
    ]);
  });
});

describe('bad input leaves the store unchanged and names file, line and field', () => {
  async function expectRejected(path: string, match: RegExp, where: { line?: number | null; field?: string | null } = {}, o = opts) {
    await ingestFile(deps, t.file('base.csv', csv(canonicalLine({ declaration_id: 'BASE' }))), opts).catch(() => undefined);
    const before = await storeFingerprint(t.rt);
    const err = await ingestFile(deps, path, o).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.message).toMatch(match);
    expect(e.message).toContain(path);
    if (where.line !== undefined) expect(e.line).toBe(where.line);
    if (where.field !== undefined) expect(e.field).toBe(where.field);
    expect(await storeFingerprint(t.rt)).toBe(before);
    return e;
  }

  it('a missing required column', async () => {
    const header = CANONICAL_HEADER.replace(',hs_code', '');
    const line = canonicalLine().split(',').filter((_, i) => i !== 8).join(',');
    const e = await expectRejected(t.file('nohs.csv', `${header}\n${line}\n`), /required column hs_code is missing/, { line: 1, field: 'hs_code' });
    expect(e.message).toMatch(/--set hs_code=/);
  });

  it('a header that is not UTF-8', async () => {
    await expectRejected(t.file('latin1.csv', Buffer.from('d\xe9claration_id,flow\n1,import\n', 'latin1')), /not valid UTF-8/, { line: 1 });
  });

  it('an empty file, a zip archive, a directory', async () => {
    await expectRejected(t.file('empty.csv', ''), /empty/);
    await expectRejected(t.file('x.zip', Buffer.from('PK\x03\x04rest', 'latin1')), /zip archive/);
    await expectRejected(t.dir, /cannot read/);
  });

  it('a gzip bomb (a header line that inflates without end) is refused after 1 MiB', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x41));
    expect(bomb.length).toBeLessThan(200_000);
    await expectRejected(t.file('bomb.csv.gz', bomb), /first line is longer than 1 MiB/, { line: 1 });
  });

  it('an XML document offered as CSV', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>\n';
    await expectRejected(t.file('bomb.xml', xml), /required column/, { line: 1 });
  });

  it('a truncated gzip file', async () => {
    const full = gzipSync(csv(...Array.from({ length: 5000 }, (_, i) => canonicalLine({ declaration_id: `T${i}` }))));
    await expectRejected(t.file('cut.csv.gz', full.subarray(0, Math.floor(full.length / 2))), /damaged or truncated/);
  });

  it('an unknown profile or a category the profile does not load', async () => {
    const f = t.file('ok2.csv', csv(canonicalLine()));
    await expect(ingestFile(deps, f, { ...opts, profile: 'nope' })).rejects.toThrow(/unknown profile "nope"/);
    await expectRejected(f, /profile canonical loads trade data, not watchlist/, {}, { ...opts, category: 'watchlist' });
    await expectRejected(f, /provider/, {}, { ...opts, provider: 'u s' });
    await expectRejected(f, /--set names no trade_lines field/, { field: 'colour' }, { ...opts, overrides: { colour: 'red' } } as typeof opts);
  });
});

describe('bad rows are quarantined, the rest of the file loads', () => {
  it('invalid UTF-8 in a row, a truncated last line, a line over the size limit', async () => {
    const long = canonicalLine({ declaration_id: 'LONG', description: 'x'.repeat(3 << 20) });
    const body = Buffer.concat([
      Buffer.from(`${CANONICAL_HEADER}\n${canonicalLine()}\n`),
      Buffer.from(`${canonicalLine({ declaration_id: 'ENC', importer_name: 'Caf\xe9 SA' })}\n`, 'latin1'),
      Buffer.from(`${long}\n${canonicalLine({ declaration_id: 'D4' })}\n`),
      Buffer.from(canonicalLine({ declaration_id: 'D5' }).split(',').slice(0, 12).join(',')),
    ]);
    const r = await ingestFile(deps, t.file('messy.csv', body), opts);
    expect(r).toMatchObject({ rows_read: 5, rows_accepted: 2, rows_rejected: 3 });
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 5, offset: 0 });
    expect(q.rows.map((x) => x.line)).toEqual([3, 4, 6]);
    expect(q.rows.map((x) => x.reason)).toEqual([expect.stringMatching(/^malformed line/), 'record longer than 1 MiB', expect.stringMatching(/^malformed line/)]);
    // The over-long record is kept by its start, truncated, not as another record's text.
    expect(q.rows[1]!.raw).toMatch(/^LONG,1,import,.*truncated/);
  });
});
