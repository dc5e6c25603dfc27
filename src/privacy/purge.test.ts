// The purge job on a real DuckDB store and SQLite control store: a hand-made case where every removed and
// kept row is known, holds, the dry run, the loading basis with quarantined input, and derived records.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { runAnalysis } from '../detect/index.ts';
import { resolveParties } from '../parties/index.ts';
import { localOperatorScope } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { purgeExpired } from './purge.ts';
import { cutoffDate } from './retention-policy.ts';

let t: TempRuntime;
beforeEach(async () => {
  t = await tempRuntime();
});
afterEach(async () => t.cleanup());

const AS_OF = new Date('2026-06-15T12:00:00Z');
const deps = () => ({ store: t.rt.store, control: t.rt.control, retention: t.rt.retention });
const load = (name: string, lines: string[], provider = 'US') =>
  ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, `${[CANONICAL_HEADER, ...lines].join('\n')}\n`), { profile: 'canonical', category: 'trade', provider, loadedBy: 'test' });
const sql = (q: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(q)).getRowObjectsJson() as Record<string, unknown>[]);

/** Two old lines (2019) of an importer seen nowhere else, one old line of a shared importer, three recent lines. */
async function handCase() {
  await load('b1.csv', [
    canonicalLine({ declaration_id: 'OLD1', date: '2019-02-01', importer_id: 'GONE', importer_name: 'Gone Trading Ltd', value: 100 }),
    canonicalLine({ declaration_id: 'OLD2', date: '2019-03-01', importer_id: 'GONE', importer_name: 'Gone Trading Ltd', value: 200 }),
    canonicalLine({ declaration_id: 'OLD3', date: '2021-06-14', importer_id: 'KEEP', importer_name: 'Keep Imports Inc', value: 300 }),
    canonicalLine({ declaration_id: 'NEW1', date: '2021-06-15', importer_id: 'KEEP', importer_name: 'Keep Imports Inc', value: 400 }),
    canonicalLine({ declaration_id: 'NEW2', date: '2025-01-01', importer_id: 'KEEP', importer_name: 'Keep Imports Inc', value: 500 }),
  ]);
  // A correction of NEW2 moves the first NEW2 to history (dated 2025: kept) and re-sends OLD1 (dated 2019:
  // its history row and its new row both expire).
  await load('b2.csv', [
    canonicalLine({ declaration_id: 'NEW2', date: '2025-01-01', importer_id: 'KEEP', importer_name: 'Keep Imports Inc', value: 550 }),
    canonicalLine({ declaration_id: 'OLD1', date: '2019-02-01', importer_id: 'GONE', importer_name: 'Gone Trading Ltd', value: 110 }),
  ]);
}

describe('purge', () => {
  it('cut-offs are whole days, a year after a 29 February is 1 March', () => {
    expect(cutoffDate(AS_OF, 5)).toBe('2021-06-15');
    expect(cutoffDate(new Date('2028-02-29T23:59:59Z'), 1)).toBe('2027-03-01');
  });

  it('by record date: removes exactly the rows dated before the cut-off, in current and history tables, with what names them', async () => {
    await handCase();
    await resolveParties(t.rt.store, localOperatorScope('test'), []);
    await runAnalysis(t.rt.store, localOperatorScope('test'), { detectors: ['round-values'] });
    // An anomaly on an old row and one on a kept row, written as a run would (the detector need not fire here).
    await sql(`INSERT INTO anomalies (run_id, anomaly_id, detector, detector_version, params, provider, subject_kind, declaration_id, line_no, row_id, score, reason, evidence, row_ids, category, subject_key)
      SELECT 'R000001', 'A-' || declaration_id, 'price-iqr', '1', '{}', provider, 'line', declaration_id, line_no, row_id, 50, 'test', '{}', [row_id], 'trade', declaration_id FROM trade_lines WHERE declaration_id IN ('OLD2', 'NEW1')`);
    await t.rt.retention.setPolicy({ category: 'trade', years: 5, basis: 'record-date', by: 'sec', reason: 'five-year rule' });
    const ledgerBefore = await t.rt.auditTrail.disclosures.record({ principal: 'ana', nature: 'export lines csv', recipient: 'partner agency', rowCount: 2 });

    const preview = await purgeExpired(deps(), { asOf: AS_OF, dryRun: true, principal: 'sec' });
    const before = await storeFingerprint(t.rt);
    expect(await storeFingerprint(t.rt)).toBe(before);
    const r = await purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' });
    const trade = r.datasets.find((d) => d.dataset === 'trade_lines')!;
    // Removed: OLD2, OLD3 and the new OLD1 (current, B000002) and the superseded OLD1 (history, B000001).
    expect(trade).toMatchObject({ cutoff: '2021-06-15', basis: 'record-date', years: 5, rowsRemoved: 4, rowsHeld: 0, batches: { B000001: 3, B000002: 1 }, batchesEmptied: [] });
    expect(r.rowsRemoved).toBe(4);
    expect(r.derived.anomalies).toBe(1);
    // GONE has no line left; KEEP still has NEW1 and NEW2.
    expect(r.derived.partyReferences).toBe(1);
    expect(r.derived.partyEdges).toBe(1);
    expect({ ...preview, dryRun: false, purgeId: r.purgeId }).toEqual(r);

    const current = await sql(`SELECT declaration_id, value::DOUBLE AS value FROM trade_lines ORDER BY declaration_id`);
    expect(current).toEqual([{ declaration_id: 'NEW1', value: 400 }, { declaration_id: 'NEW2', value: 550 }]);
    expect(await sql(`SELECT declaration_id, value::DOUBLE AS value FROM trade_lines_history`)).toEqual([{ declaration_id: 'NEW2', value: 500 }]);
    expect(await sql(`SELECT anomaly_id FROM anomalies WHERE detector = 'price-iqr'`)).toEqual([{ anomaly_id: 'A-NEW1' }]);
    expect((await sql(`SELECT ref FROM party_members ORDER BY ref`)).map((x) => x['ref'])).not.toContain('GONE');
    expect((await sql(`SELECT ref FROM party_members ORDER BY ref`)).map((x) => x['ref'])).toContain('KEEP');
    // Batch records and the disclosure ledger stay; the purge is on record with counts only.
    expect((await t.rt.registry.list()).map((b) => [b.batch_id, b.status])).toEqual([['B000001', 'committed'], ['B000002', 'committed']]);
    expect((await t.rt.auditTrail.disclosures.list({ limit: 10 })).rows.map((d) => d.id)).toEqual([ledgerBefore.id]);
    const [rec] = await t.rt.retention.purges();
    expect(rec).toMatchObject({ id: r.purgeId, principal: 'sec', rowsRemoved: 4 });
    expect(JSON.stringify(rec!.summary)).not.toMatch(/Gone Trading|OLD1|GONE/);

    // Purging again finds nothing more.
    expect((await purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' })).rowsRemoved).toBe(0);
  });

  it('a legal hold keeps what it names and counts it; after release the rows go', async () => {
    await handCase();
    await t.rt.retention.setPolicy({ category: 'trade', years: 5, basis: 'record-date', by: 'sec', reason: 'five-year rule' });
    const hold = await t.rt.retention.placeHold({ kind: 'batch', target: 'B000001', reason: 'case 17 preservation order', by: 'sec' });
    const held = await purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' });
    expect(held.datasets.find((d) => d.dataset === 'trade_lines')).toMatchObject({ rowsRemoved: 1, rowsHeld: 3, batches: { B000002: 1 } });
    expect(held.activeHolds).toBe(1);
    expect((await sql(`SELECT count(*)::INTEGER AS n FROM trade_lines WHERE declaration_id LIKE 'OLD%'`))[0]).toEqual({ n: 2 });

    const provider = await t.rt.retention.placeHold({ kind: 'provider', target: 'US', reason: 'provider audit', by: 'sec' });
    await t.rt.retention.releaseHold(hold.id, { by: 'sec', reason: 'case closed' });
    expect((await purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' })).rowsRemoved).toBe(0);
    await t.rt.retention.releaseHold(provider.id, { by: 'sec', reason: 'audit done' });
    const r = await purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' });
    expect(r.datasets.find((d) => d.dataset === 'trade_lines')).toMatchObject({ rowsRemoved: 3, rowsHeld: 0, batches: { B000001: 3 } });
    await expect(t.rt.retention.releaseHold(hold.id, { by: 'sec', reason: 'again' })).rejects.toThrow(/already released/);
  });

  it('by loading date: whole batches expire, held categories stay, and quarantined input of emptied batches goes', async () => {
    await load('b1.csv', [canonicalLine({ declaration_id: 'A1' }), canonicalLine({ declaration_id: 'A2', hs_code: 'not-hs' })]);
    await load('mx.csv', [canonicalLine({ declaration_id: 'M1', reporter: 'MX' })], 'MX');
    expect((await t.rt.control.db.selectFrom('quarantine').selectAll().execute()).length).toBe(1);
    const later = new Date(Date.now() + 11 * 366 * 86_400_000);
    await t.rt.retention.placeHold({ kind: 'provider', target: 'MX', reason: 'treaty request 4', by: 'sec' });
    const r = await purgeExpired(deps(), { asOf: later, principal: 'sec' });
    expect(r.datasets.find((d) => d.dataset === 'trade_lines')).toMatchObject({ basis: 'loaded', years: 10, rowsRemoved: 1, rowsHeld: 1, batches: { B000001: 1 }, batchesEmptied: ['B000001'] });
    expect(r.derived.quarantinedLines).toBe(1);
    expect(await t.rt.control.db.selectFrom('quarantine').selectAll().execute()).toEqual([]);
    expect(await sql(`SELECT declaration_id FROM trade_lines`)).toEqual([{ declaration_id: 'M1' }]);
    // Not yet expired today.
    expect((await purgeExpired(deps(), { principal: 'sec', dryRun: true })).rowsRemoved).toBe(0);
  });

  it('a failure inside the purge transaction removes nothing', async () => {
    await handCase();
    await t.rt.retention.setPolicy({ category: 'trade', years: 5, basis: 'record-date', by: 'sec', reason: 'five-year rule' });
    const before = await storeFingerprint(t.rt);
    // Only the transaction's last statement reads this table: the rows, anomalies and party references
    // are already deleted inside the transaction when it fails.
    await sql('DROP TABLE screening_subjects');
    await expect(purgeExpired(deps(), { asOf: AS_OF, principal: 'sec' })).rejects.toThrow();
    expect(await storeFingerprint(t.rt)).toBe(before);
    expect(await t.rt.retention.purges()).toEqual([]);
  });
});
