import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, type Scope } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { nextMonthly, parseReportInput, reportStore, resolveQuery, runDue, runReport } from './index.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
  const rows: string[] = [];
  let n = 0;
  for (const [month, port, origin, importer, value] of [
    ['2024-12', 'USLAX', 'CN', 'A', 100], ['2024-12', 'USLAX', 'CN', 'B', 120], ['2024-12', 'USLAX', 'CN', 'C', 130],
    ['2025-01', 'USLAX', 'CN', 'A', 200], ['2025-01', 'USLAX', 'CN', 'B', 210], ['2025-01', 'USLAX', 'CN', 'C', 220],
    ['2025-01', 'USNYC', 'DE', 'D', 900],
  ] as const) {
    rows.push(canonicalLine({ declaration_id: `R${n++}`, date: `${month}-15`, port_code: port, origin_country: origin, departure_country: origin, importer_id: importer, value }));
  }
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('r.csv', `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t?.cleanup());

const monthly = {
  name: 'monthly-steel',
  title: 'Steel imports by port, last month',
  spec: { measures: ['import-value', 'lines'], by: ['port'], where: 'hs2 in (72, 73)', period: 'month', window: 'previous' },
  schedule: 'monthly',
  formats: ['csv', 'xlsx', 'pdf'],
};

describe('report definitions', () => {
  it('malformed definitions fail naming the field', () => {
    expect(() => parseReportInput({ ...monthly, spec: { ...monthly.spec, measures: ['import-value', 'profit'] } })).toThrow(/report spec.measures\[1\]: unknown measure "profit"/);
    expect(() => parseReportInput({ ...monthly, spec: { ...monthly.spec, by: ['colour'] } })).toThrow(/report spec.by\[0\]: unknown dimension "colour"/);
    expect(() => parseReportInput({ ...monthly, spec: { ...monthly.spec, colour: 1 } })).toThrow(/report spec: Unrecognized key/);
    expect(() => parseReportInput({ ...monthly, name: '../etc' })).toThrow(/report name:/);
    expect(() => parseReportInput({ ...monthly, spec: { ...monthly.spec, where: 'hs2 = ' } })).toThrow(/report where: at position/);
    expect(() => parseReportInput({ ...monthly, spec: { ...monthly.spec, from: '2024-01' } })).toThrow(/window: give either window or from\/to/);
    expect(() => parseReportInput({ ...monthly, spec: { measures: ['mirror-gap', 'lines'] } })).toThrow(/different datasets/);
    expect(() => parseReportInput({ ...monthly, formats: ['docx'] })).toThrow(/report formats\[0\]/);
    expect(() => parseReportInput('not an object')).toThrow(/report definition/);
  });
  it('a relative window is the last whole period before the run date', () => {
    const q = parseReportInput(monthly).spec;
    expect(resolveQuery(q, new Date('2025-02-01T06:00:00Z'))).toMatchObject({ from: '2025-01', to: '2025-01' });
    expect(resolveQuery({ ...q, period: 'quarter' }, new Date('2025-05-20T00:00:00Z'))).toMatchObject({ from: '2025-Q1', to: '2025-Q1' });
    expect(resolveQuery({ ...q, period: 'year' }, new Date('2025-01-01T00:00:00Z'))).toMatchObject({ from: '2024', to: '2024' });
    expect(nextMonthly(new Date('2025-12-31T23:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('saved reports', () => {
  it('run under the runner\'s scope, not the author\'s', async () => {
    const store = reportStore(t.rt.control);
    const saved = await store.save(parseReportInput({ name: 'by-port', title: 'By port', spec: { measures: ['import-value'], by: ['port'], period: 'month', from: '2025-01', to: '2025-01' } }), 'author');
    expect((await store.get('by-port')).id).toBe(saved.id);
    const full = await runReport(t.rt.store, localOperatorScope('author'), saved, { ranBy: 'author' });
    expect(full.result.rows.map((r) => [r['port'], r['import-value'], r['import-value_mom']])).toEqual([['USLAX', 630, 630 / 350 - 1], ['USNYC', 900, null]]);
    const exec: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };
    const agg = await runReport(t.rt.store, exec, saved, { ranBy: 'exec' });
    expect(agg.result.level).toBe('aggregate');
    expect(agg.result.rows.every((r) => r['suppressed'])).toBe(true); // USNYC has one importer; USLAX is its complement
    expect(agg.table.rows[0]!.slice(2, 5)).toEqual(['suppressed', 'suppressed', 'suppressed']);
    const none: Scope = { principal: 'nobody', grants: [] };
    await expect(runReport(t.rt.store, none, saved, { ranBy: 'nobody' })).rejects.toThrow(/not permitted: trade data/);
  });

  it('run-due writes every format of due reports into the archive, once per month, and audits it', async () => {
    const store = reportStore(t.rt.control);
    const saved = await store.save(parseReportInput(monthly), 'author', new Date('2025-01-10T00:00:00Z'));
    expect(saved.next_run_at).toBe('2025-02-01T00:00:00.000Z');
    const deps = { store: t.rt.store, reports: store, audit: t.rt.audit, dataDir: t.rt.dataDir };
    const ctx = { principal: 'cron', source: 'cli' };
    expect(await runDue(deps, ctx, localOperatorScope('cron'), new Date('2025-01-31T23:59:00Z'))).toEqual([]);
    const runs = await runDue(deps, ctx, localOperatorScope('cron'), new Date('2025-02-01T06:00:00Z'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'ok', period_label: '2025-01', row_count: 2, files: ['monthly-steel/2025-01.csv', 'monthly-steel/2025-01.xlsx', 'monthly-steel/2025-01.pdf'] });
    const dir = join(t.rt.dataDir, 'reports');
    expect(readFileSync(join(dir, 'monthly-steel/2025-01.csv'), 'utf8').split('\r\n')[1]).toBe('USLAX,2025-01,630.00,0.8,,3,0,,yes'); // data ends on 15 January
    expect(readFileSync(join(dir, 'monthly-steel/2025-01.pdf')).subarray(0, 8).toString()).toBe('%PDF-1.4');
    if (existsSync('/usr/bin/unzip')) expect(execFileSync('/usr/bin/unzip', ['-t', join(dir, 'monthly-steel/2025-01.xlsx')]).toString()).toMatch(/No errors detected/);
    expect((await store.get('monthly-steel')).next_run_at).toBe('2025-03-01T00:00:00.000Z');
    expect(await runDue(deps, ctx, localOperatorScope('cron'), new Date('2025-02-20T00:00:00Z'))).toEqual([]);
    const events = await t.rt.control.db.selectFrom('audit_events').select(['event', 'principal', 'detail', 'row_count']).where('event', '=', 'report-run').execute();
    expect(events).toContainEqual({ event: 'report-run', principal: 'cron', detail: expect.stringMatching(/^report=monthly-steel trigger=schedule formats=csv,xlsx,pdf spec=\{"measures":/), row_count: 2 });
    expect((await store.runs(saved.id))[0]).toMatchObject({ trigger: 'schedule', ran_by: 'cron' });
  });

  it('a failed scheduled run is recorded without values and stays due', async () => {
    const store = reportStore(t.rt.control);
    const saved = await store.save(parseReportInput({ ...monthly, name: 'denied' }), 'author', new Date('2025-01-10T00:00:00Z'));
    const deps = { store: t.rt.store, reports: store, audit: t.rt.audit, dataDir: t.rt.dataDir };
    const runs = await runDue(deps, { principal: 'cron', source: 'cli' }, { principal: 'cron', grants: [] }, new Date('2025-02-01T06:00:00Z'));
    const mine = runs.find((r) => r.report_id === saved.id)!;
    expect(mine).toMatchObject({ status: 'error', message: 'not permitted: trade data', files: [] });
    expect((await store.get('denied')).next_run_at).toBe('2025-02-01T00:00:00.000Z');
  });
});
